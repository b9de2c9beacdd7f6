// Cilium's reserved security identities (pkg/identity: ReservedIdentity*), by number.

/** Hubble's names of the reserved identities, by identity number (1 host … 9 world-ipv4). */
export const RESERVED_IDENTITY_NAMES: Readonly<Record<number, string>> = {
  1: "host",
  2: "world",
  3: "unmanaged",
  4: "health",
  5: "init",
  6: "remote-node",
  7: "kube-apiserver",
  8: "ingress",
  9: "world-ipv4",
};
