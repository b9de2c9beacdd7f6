// Recognises the command lines people paste above a dump, by what they run rather than by their
// prompt: `root@k8s-ctr:~# cilium-dbg bpf lb list`, kube-ps1's
// `(⎈|HomeLab:N/A) root@k8s-ctr:~# kubectl exec -n kube-system ds/cilium -- cilium-dbg service list`,
// `$ hubble observe`, and the lab write-ups' aliases (`c0 endpoint list` for `kubectl exec ... --
// cilium`, `kwest exec -it ... -- cilium service list` for `kubectl --context kind-west`).

/** How far into a line a prompt may reach; keeps every test linear however long the line is. */
const HEAD = 256;
/** How many words of prompt decoration may precede the command. */
const MAX_PROMPT_WORDS = 8;

/** Programs whose own command line precedes a dump. */
const PROGRAMS = new Set(["cilium", "cilium-dbg", "cilium-health", "cilium-bugtool", "bpftool", "hubble"]);

/** `cilium-dbg` subcommands, for aliases of `kubectl exec ... -- cilium-dbg` such as `c0`. */
const CILIUM_SUBCOMMANDS = new Set([
  "bgp",
  "bpf",
  "cleanup",
  "config",
  "debuginfo",
  "encrypt",
  "endpoint",
  "fqdn",
  "identity",
  "ip",
  "kvstore",
  "lrp",
  "map",
  "metrics",
  "monitor",
  "node",
  "policy",
  "prefilter",
  "recorder",
  "service",
  "shell",
  "statedb",
  "status",
  "troubleshoot",
  "version",
]);

/** `bpftool` objects, for `c0bpf`-style aliases. */
const BPFTOOL_OBJECTS = new Set([
  "prog",
  "map",
  "net",
  "link",
  "btf",
  "cgroup",
  "feature",
  "struct_ops",
  "perf",
]);

/** Aliases the lab write-ups define: `c0`..`cN` run cilium-dbg in a node's agent, `c0bpf` bpftool. */
const CILIUM_ALIAS = /^c\d+$/;
const BPFTOOL_ALIAS = /^c\d+bpf$/;

/** Prompts that end a line's prompt part: `root@host:~#`, `$`, `%`, `❯`, `PS C:\>`. */
const PROMPT_END = /(?:[#$%❯➜»λ]|[^-=]>|^>)$/;

/** Whole-line prompt shapes, whatever command follows (a `kubectl get pods` output is no dump). */
const PROMPT_LINES: readonly RegExp[] = [
  /^\s*[$%>]\s/, // `$ cmd`, `% cmd`, `> cmd`
  /^\s*(?:\([^()\s]*(?:\s[^()\s]*)?\)\s*)*[\w.-]+@[\w.-]+(?::[^#$\s]*)?\s?[#$%](?:\s|$)/, // (ctx) root@host:~# cmd
  /^\s*(?:\([^()\s]*\)\s*)*\[[\w.-]+@[\w.-]+[^\]]{0,80}\][#$](?:\s|$)/, // [user@host dir]$ cmd
];

/** Words that may prefix a command without changing what runs. */
const PREFIXES = new Set(["sudo", "time", "watch"]);

/** True when `words` (a command without its prompt) runs something whose output dpemu may read. */
function runsDumpCommand(words: readonly string[]): boolean {
  let i = 0;
  while (PREFIXES.has(words[i] ?? "")) i++;
  const program = words[i] ?? "";
  const next = words[i + 1] ?? "";
  if (PROGRAMS.has(program)) return /^[a-z][\w-]*$/.test(next);
  if (CILIUM_ALIAS.test(program)) return CILIUM_SUBCOMMANDS.has(next);
  if (BPFTOOL_ALIAS.test(program)) return BPFTOOL_OBJECTS.has(next);
  // `kubectl [flags] exec [flags] -- <program>`, or an alias of kubectl (`k`, `kwest`, `keast`).
  if (!/^[A-Za-z][\w.-]*$/.test(program)) return false;
  const exec = words.indexOf("exec", i + 1);
  if (exec < 0) return false;
  const dashes = words.indexOf("--", exec + 1);
  if (dashes > exec) return true;
  return ["kubectl", "oc", "k"].includes(program);
}

/**
 * The command a pasted command line runs (prompt removed), or undefined when the line is not one.
 * A line counts when it starts with a shell prompt, or when a cilium-dbg/hubble/bpftool invocation,
 * a `kubectl ... exec ... --` or a known alias follows at most a few words of prompt.
 */
export function pastedCommand(line: string): string | undefined {
  const head = line.length > HEAD ? line.slice(0, HEAD) : line;
  const words = head.trim().split(/\s+/);
  // Rows of dumps hold `=>` (service list), `(5)` (bpf lb list) and `->` (CT, NAT): never commands.
  for (let start = 0; start <= Math.min(MAX_PROMPT_WORDS, words.length - 1); start++) {
    if (start > 0 && !PROMPT_END.test(words[start - 1] ?? "")) continue;
    const command = words.slice(start);
    if (command.some((w) => w === "=>" || w === "->" || /^\(\d+\)$/.test(w))) return undefined;
    if (runsDumpCommand(command)) return command.join(" ");
  }
  for (const prompt of PROMPT_LINES) {
    const m = prompt.exec(head);
    if (m !== null) return line.slice(m[0].length).trim();
  }
  return undefined;
}
