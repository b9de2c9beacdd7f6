// Which archive members can hold a cilium-dbg dump, by name alone: a sysdump also carries agent
// logs (often the largest members), profiles, BPF objects and captures, which are never read, so
// they are skipped before they are decompressed.

/** Extensions of members that are never dumps. */
const NOT_A_DUMP = /\.(log|pprof|prof|pb|o|so|elf|bin|pcap|pcapng|png|jpe?g|gif|svg|ico|html?|css|js|wasm)$/i;

/** Rotated logs: `cilium-agent.log.1`. */
const ROTATED_LOG = /\.log\.\d+$/i;

/** Whether an archive member may hold a dump (or a nested archive of dumps), judged by its path. */
export function mayHoldDump(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return !NOT_A_DUMP.test(base) && !ROTATED_LOG.test(base);
}
