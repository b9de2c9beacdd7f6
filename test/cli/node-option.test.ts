// `--node` on a sysdump: nodes are named after their agent pods (`cilium-4xk2p`), and the
// Kubernetes node name the agent ran on (from the sysdump's `kubectl get pods -o wide` summary) is
// accepted as well, by every command (they share resolveNode and the snapshot loader).
import { readdirSync, readFileSync } from "node:fs";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { resolveNode } from "../../src/cli/node-option.js";
import { InputError } from "../../src/snapshot/errors.js";
import { podNodes } from "../../src/snapshot/node-names.js";
import { parseSnapshotFiles } from "../../src/snapshot/parse-files.js";
import { labSnapshotDir } from "../helpers/fixtures.js";

const LAB = `${labSnapshotDir()}/`;
const AGENTS: Record<string, string> = {
  "k8s-ctr": "cilium-4xk2p",
  "k8s-w1": "cilium-9qz7m",
  "k8s-w0": "cilium-b8r5t",
};
const ROOT = "cilium-sysdump-20260101-120000/";

/** The pod summary as cilium-cli's sysdump writes it (kubectl's aligned columns; RESTARTS with spaces). */
const POD_SUMMARY = [
  "NAMESPACE     NAME                     READY   STATUS    RESTARTS      AGE   IP               NODE      NOMINATED NODE   READINESS GATES",
  "kube-system   cilium-4xk2p             1/1     Running   0             5d    192.168.10.100   k8s-ctr   <none>           <none>",
  "kube-system   cilium-9qz7m             1/1     Running   2 (3d ago)    5d    192.168.10.101   k8s-w1    <none>           <none>",
  "kube-system   cilium-b8r5t             1/1     Running   0             5d    192.168.20.100   k8s-w0    <none>           <none>",
  "default       webpod-697b545f57-cxr5t  1/1     Running   0             2d    172.20.1.126     k8s-w1    <none>           <none>",
].join("\n");

function sysdump(withPods: boolean): Uint8Array {
  const members: Record<string, Uint8Array> = {};
  for (const name of readdirSync(LAB)) {
    const node = /^bpf-ipcache-list\.(.+)\.txt$/.exec(name)?.[1] ?? "k8s-ctr";
    const tree = `${ROOT}cilium-bugtool-${AGENTS[node]!}-20260101-120000.123+0000-UTC/cmd/`;
    members[`${tree}${name.replace(/\.k8s-\w+\.txt$/, ".md")}`] = new Uint8Array(readFileSync(LAB + name));
  }
  if (withPods) members[`${ROOT}k8s-pods-20260101-120000.txt`] = new TextEncoder().encode(POD_SUMMARY);
  return zipSync(members);
}

describe("--node with a sysdump", () => {
  it("reads which Kubernetes node each pod ran on from kubectl's aligned columns", () => {
    expect(podNodes(`${ROOT}k8s-pods-20260101-120000.txt`, POD_SUMMARY)).toEqual(
      new Map([
        ["cilium-4xk2p", "k8s-ctr"],
        ["cilium-9qz7m", "k8s-w1"],
        ["cilium-b8r5t", "k8s-w0"],
        ["webpod-697b545f57-cxr5t", "k8s-w1"],
      ]),
    );
    expect(podNodes("service-list.txt", POD_SUMMARY)).toBeUndefined();
  });

  it("selects an agent's view by its pod name or by its Kubernetes node name alike", () => {
    const bytes = sysdump(true);
    const byPod = parseSnapshotFiles([{ name: "sysdump.zip", bytes }], { node: "cilium-9qz7m" });
    const byNode = parseSnapshotFiles([{ name: "sysdump.zip", bytes }], { node: "k8s-w1" });
    expect(byNode.selected.name).toBe("cilium-9qz7m");
    expect(byNode.selected.ipcache).toEqual(byPod.selected.ipcache);
    expect(byNode.kubernetesNodes).toEqual({
      "k8s-ctr": "cilium-4xk2p",
      "k8s-w1": "cilium-9qz7m",
      "k8s-w0": "cilium-b8r5t",
    });
    expect(resolveNode("trace", byNode, "k8s-w0")).toBe("cilium-b8r5t");
    expect(resolveNode("trace", byNode, "cilium-b8r5t")).toBe("cilium-b8r5t");
    expect(() => resolveNode("trace", byNode, "k8s-w9")).toThrow(
      new InputError(
        { file: "dpemu trace", line: 0 },
        '--node "k8s-w9": no such node in the snapshot (nodes: cilium-4xk2p (k8s-ctr), cilium-9qz7m (k8s-w1), cilium-b8r5t (k8s-w0))',
      ),
    );
  });

  it("without the pod summary, only the pod names are known", () => {
    const s = parseSnapshotFiles([{ name: "sysdump.zip", bytes: sysdump(false) }], { node: "cilium-9qz7m" });
    expect(s.kubernetesNodes).toBeUndefined();
    expect(() => resolveNode("replay", s, "k8s-w1")).toThrow(
      /no such node in the snapshot \(nodes: cilium-4xk2p, /,
    );
  });
});
