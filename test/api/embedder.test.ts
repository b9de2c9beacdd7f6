// The API as an embedder uses it: every name imported from the package entries ("dpemu" and its
// subpaths), none from a source path. Backend churn by state is the case that once failed: the
// numeric BackendState that Datapath.setBackendState takes was shadowed in the package entry.
import { beforeAll, describe, expect, it } from "vitest";
import {
  BackendState,
  Datapath,
  EntryPoint,
  IpProto,
  TcpFlag,
  createPacketRecord,
  datapathStateFromSnapshot,
  formatIPv4,
  parseSnapshotFiles,
  requireIPv4,
  InvalidInputError,
  type BackendStateValue,
  type DatapathState,
} from "dpemu";
import { ReferenceDatapathEngine } from "dpemu/reference";
import { WasmDatapathEngine } from "dpemu/wasm";
import { labCaptureFiles } from "../helpers/fixtures.js";

const WEBPOD = "10.96.163.90:80/TCP";
const CLIENT = "172.20.0.96";
const DUMP_TIME = 1_700_000_000;

let state: DatapathState;

beforeAll(() => {
  const files = labCaptureFiles();
  state = datapathStateFromSnapshot(parseSnapshotFiles(files, { source: "lab-3node" }), {
    node: "k8s-ctr",
    dumpTime: DUMP_TIME,
  }).state;
});

/** The backend a new connection from CLIENT:sport to webpod reaches ("address:port"). */
function connect(dp: Datapath, sport: number): string {
  const { verdict } = dp.trace({
    ...createPacketRecord(),
    seconds: DUMP_TIME,
    saddr: requireIPv4(CLIENT),
    sport,
    daddr: requireIPv4("10.96.163.90"),
    dport: 80,
    proto: IpProto.TCP,
    tcpFlags: TcpFlag.SYN,
    entry: EntryPoint.FromEndpoint,
  });
  expect(verdict.verdict).toBe("FORWARDED");
  return `${formatIPv4(verdict.daddr)}:${verdict.dport}`;
}

describe.each(["wasm", "reference"] as const)("the package entry, %s engine", (engine) => {
  it("exports the numeric backend states setBackendState takes, and new flows leave a quarantined backend", async () => {
    expect(BackendState).toEqual({ ACTIVE: 0, TERMINATING: 1, QUARANTINED: 2, MAINTENANCE: 3 });
    const dp = await Datapath.create(state, { engine });
    expect(dp.engine).toBeInstanceOf(engine === "wasm" ? WasmDatapathEngine : ReferenceDatapathEngine);
    const ids = dp.serviceBackends(WEBPOD);
    expect(ids).toHaveLength(3);
    const victim = ids[0]!;
    const quarantined: BackendStateValue = BackendState.QUARANTINED;
    await dp.setBackendState(victim, quarantined);

    expect(dp.backend(victim)?.state).toBe(BackendState.QUARANTINED);
    expect(dp.readMap("backends").find((b) => b.id === victim)?.state).toBe(BackendState.QUARANTINED);
    // Slots: the active backends first, the quarantined one after them, outside the count.
    const slots = dp.serviceBackends(WEBPOD);
    expect(slots[2]).toBe(victim);
    expect(slots.slice(0, 2).sort()).toEqual(ids.slice(1).sort());
    const victimAddress = `${formatIPv4(dp.backend(victim)!.address)}:${dp.backend(victim)!.port}`;
    const reached = new Set(Array.from({ length: 64 }, (_, i) => connect(dp, 41000 + i)));
    expect(reached.has(victimAddress)).toBe(false);
    expect(reached.size).toBe(2);

    await dp.setBackendState(victim, BackendState.ACTIVE);
    expect(dp.serviceBackends(WEBPOD).sort()).toEqual([...ids].sort());
    dp.dispose();
  });
});

describe("the package entry", () => {
  it("throws InvalidInputError, the one base of bad-input errors, for an address that is not IPv4", () => {
    expect(() => requireIPv4("10.0.0.256", "backend address")).toThrow(InvalidInputError);
    expect(() => requireIPv4("10.0.0.256", "backend address")).toThrow(
      'backend address "10.0.0.256" is not an IPv4 address',
    );
  });
});
