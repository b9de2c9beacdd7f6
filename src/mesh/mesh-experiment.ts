// Mesh experiments: a client pod opens connections to a global service, then the mesh changes — a
// cluster's backends scale to 0 and back, the affinity flips, a whole cluster is lost — and after each
// change we count, through every node's real datapath and CT, where new connections go, what becomes
// of the open ones, and where the same flows land on a node without their CT state (after a CT loss
// or on another node): Maglev sends them back where they were, random selection re-rolls them.
import { Ingress } from "../cluster/ingress.js";
import { podNode, traceCluster } from "../cluster/cluster-trace.js";
import type { ClusterNode } from "../cluster/cluster.js";
import type { LbAlgorithm } from "../engine/state.js";
import { createPacketRecord, TcpFlag, type PacketRecord } from "../model/packet.js";
import { IpProto } from "../model/protocol.js";
import { parseFrontend } from "../model/service.js";
import { requireIPv4 } from "../model/ipv4.js";
import type { Mesh } from "./mesh.js";
import type { ServiceAffinity } from "./select-backends.js";

/** One change to the mesh. */
export type MeshChange =
  | { readonly kind: "scale"; readonly cluster: string; readonly count: number | "all" }
  | { readonly kind: "affinity"; readonly affinity: ServiceAffinity; readonly cluster?: string }
  | { readonly kind: "lose"; readonly cluster: string; readonly lost: boolean };

/** A named sequence of changes, each measured after it is applied. */
export interface MeshScenario {
  readonly name: string;
  readonly steps: readonly { readonly label: string; readonly change: MeshChange }[];
}

/** What one step did to the connections, per cluster name where it says so. */
export interface MeshStepResult {
  readonly label: string;
  /** New connections per cluster of the backend they reached ("none": not delivered). */
  readonly newConnections: Readonly<Record<string, number>>;
  /** Open connections whose next packet reached the backend they started on. */
  readonly kept: number;
  /** Open connections whose first backend still runs but whose next packet reached another one. */
  readonly moved: number;
  /** ... of which to a backend in another cluster than before. */
  readonly movedCluster: number;
  /** Open connections whose first backend is gone (scaled away, cluster lost) or whose packet was dropped. */
  readonly broken: number;
  /** The same flows on a node without their CT state: how many reach another backend than they first did. */
  readonly rehashed: number;
  /** ... of which in another cluster. */
  readonly rehashedCluster: number;
}

/** One scenario run with one selection algorithm. */
export interface MeshScenarioResult {
  readonly scenario: string;
  readonly algorithm: LbAlgorithm;
  readonly connections: number;
  /** Where the connections went before any change, per cluster. */
  readonly baseline: Readonly<Record<string, number>>;
  readonly steps: readonly MeshStepResult[];
}

/** The experiment's inputs: how to build a fresh mesh, the client pod and the frontend. */
export interface MeshExperimentOptions {
  /** Builds a fresh mesh with the given selection algorithm (called twice per scenario). */
  readonly build: (algorithm: LbAlgorithm) => Promise<Mesh>;
  /** The client pod's address, e.g. "10.0.1.10". */
  readonly client: string;
  /** The global service frontend in the client's cluster, "IP:PORT[/TCP]". */
  readonly frontend: string;
  /** Connections opened before the first change (1..10000: every step uses fresh source ports). */
  readonly connections: number;
}

/** The standard scenarios of a two-cluster mesh seen from `local` (the client's) and `remote`. */
export function standardScenarios(local: string, remote: string): MeshScenario[] {
  return [
    {
      name: `scale ${local} to 0 and back`,
      steps: [
        { label: `${local} scaled to 0`, change: { kind: "scale", cluster: local, count: 0 } },
        { label: `${local} back`, change: { kind: "scale", cluster: local, count: "all" } },
      ],
    },
    {
      name: "flip affinity",
      steps: [
        { label: "affinity local", change: { kind: "affinity", affinity: "local" } },
        { label: "affinity remote", change: { kind: "affinity", affinity: "remote" } },
        { label: "affinity none", change: { kind: "affinity", affinity: "none" } },
      ],
    },
    {
      name: `lose ${remote}`,
      steps: [
        { label: `${remote} lost`, change: { kind: "lose", cluster: remote, lost: true } },
        { label: `${remote} back`, change: { kind: "lose", cluster: remote, lost: false } },
      ],
    },
  ];
}

/** Applies one change. */
export function applyChange(mesh: Mesh, change: MeshChange): Promise<void> {
  if (change.kind === "scale") return mesh.scaleCluster(change.cluster, change.count);
  if (change.kind === "affinity") return mesh.setAffinity(change.affinity, change.cluster);
  return mesh.setClusterLost(change.cluster, change.lost);
}

interface Probe {
  readonly mesh: Mesh;
  readonly from: ClusterNode;
  readonly ingress: Ingress;
  readonly template: PacketRecord;
}

function probe(mesh: Mesh, o: MeshExperimentOptions): Probe {
  const saddr = requireIPv4(o.client, "client address");
  const from = podNode(mesh.cluster, saddr);
  if (!from) throw new Error(`no pod ${o.client} on any node of the mesh`);
  const fe = parseFrontend(o.frontend.trim(), "TCP");
  if (!fe || fe.protocol !== "TCP") throw new Error(`not a TCP frontend: ${JSON.stringify(o.frontend)}`);
  const template = {
    ...createPacketRecord(),
    saddr,
    daddr: requireIPv4(fe.address, "frontend address"),
    dport: fe.port,
    proto: IpProto.TCP,
    ipLength: 60,
  };
  return { mesh, from, ingress: new Ingress(mesh.cluster, { mode: "node", node: from.name }), template };
}

/** The backend a packet reaches (address as a number), or undefined when it is not delivered. */
function send(p: Probe, sport: number, flags: number, seconds: number): number | undefined {
  const t = traceCluster(
    p.mesh.cluster,
    p.ingress,
    { ...p.template, sport, tcpFlags: flags, seconds },
    p.from,
  );
  return t?.request.end === "delivered" ? t.request.hops.at(-1)!.verdict.daddr : undefined;
}

/** The cluster a backend address runs in ("none" when undefined). */
function clusterOfBackend(mesh: Mesh, address: number | undefined): string {
  if (address === undefined) return "none";
  const node = mesh.cluster.nodeOf(address);
  return (node && mesh.clusterOf(node)?.name) ?? "none";
}

function tally(mesh: Mesh, backends: readonly (number | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of mesh.clusters) out[c.name] = 0;
  for (const b of backends) {
    const c = clusterOfBackend(mesh, b);
    out[c] = (out[c] ?? 0) + 1;
  }
  return out;
}

/** Backend addresses some cluster still programs for the frontend's global service. */
function runningBackends(mesh: Mesh): Set<number> {
  const out = new Set<number>();
  for (const s of mesh.services)
    for (const c of mesh.clusters) for (const b of mesh.programmed(s, c.name)) out.add(b.address);
  return out;
}

const FIRST_PORT = 10000;
/** Seconds between steps: long enough for a CT flush probe to see expired state, never for the open connections. */
const STEP_SECONDS = 10;
/** The clock of the CT-less probe mesh: each step is past every CT lifetime of the one before. */
const FLUSH_SECONDS = 100_000;

/** Runs one scenario with one algorithm. */
export async function runMeshScenario(
  scenario: MeshScenario,
  algorithm: LbAlgorithm,
  o: MeshExperimentOptions,
): Promise<MeshScenarioResult> {
  if (!Number.isInteger(o.connections) || o.connections < 1 || o.connections > 10_000)
    throw new Error(`connections must be an integer 1..10000, got ${o.connections}`);
  if (scenario.steps.length > 4) throw new Error("a scenario has at most 4 steps (source ports run out)");
  const live = probe(await o.build(algorithm), o);
  const fresh = probe(await o.build(algorithm), o);
  try {
    const n = o.connections;
    const ports = Array.from({ length: n }, (_, i) => FIRST_PORT + i);
    const first = ports.map((port) => send(live, port, TcpFlag.SYN, 1000));
    const steps: MeshStepResult[] = [];
    for (const [k, step] of scenario.steps.entries()) {
      await applyChange(live.mesh, step.change);
      await applyChange(fresh.mesh, step.change);
      const now = 1000 + (k + 1) * STEP_SECONDS;
      const running = runningBackends(live.mesh);
      let kept = 0;
      let moved = 0;
      let movedCluster = 0;
      let broken = 0;
      ports.forEach((port, i) => {
        const before = first[i];
        const after = send(live, port, TcpFlag.ACK, now);
        if (before === undefined || after === undefined || !running.has(before)) broken++;
        else if (after === before) kept++;
        else {
          moved++;
          if (clusterOfBackend(live.mesh, after) !== clusterOfBackend(live.mesh, before)) movedCluster++;
        }
      });
      const flushAt = 1000 + (k + 1) * FLUSH_SECONDS;
      for (const node of fresh.mesh.cluster.nodes) node.datapath.gc(flushAt);
      const again = ports.map((port) => send(fresh, port, TcpFlag.SYN, flushAt));
      const rehashed = again.filter((b, i) => b !== first[i]);
      const rehashedCluster = again.filter(
        (b, i) => clusterOfBackend(live.mesh, b) !== clusterOfBackend(live.mesh, first[i]),
      ).length;
      const newer = ports.map((port) => send(live, port + (k + 1) * n, TcpFlag.SYN, now));
      steps.push({
        label: step.label,
        newConnections: tally(live.mesh, newer),
        kept,
        moved,
        movedCluster,
        broken,
        rehashed: rehashed.length,
        rehashedCluster,
      });
    }
    return { scenario: scenario.name, algorithm, connections: n, baseline: tally(live.mesh, first), steps };
  } finally {
    live.mesh.dispose();
    fresh.mesh.dispose();
  }
}
