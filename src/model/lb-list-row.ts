// One row of `cilium-dbg bpf lb list` (default view): a services-map entry with the backend
// resolved to its address, or the master entry with its flags rendered as names.
import type { IpFamily } from "./ip.js";
import type { L4Protocol } from "./protocol.js";
import type { Frontend } from "./service.js";

export type LbListValue =
  | {
      readonly kind: "master";
      readonly revNatId: number;
      /** Undefined in the legacy (<= 1.7) format, which had no slot column. */
      readonly slot: number | undefined;
      readonly flagNames: readonly string[];
      readonly l7ProxyPort: number | undefined;
    }
  | {
      readonly kind: "backend";
      readonly address: string;
      readonly family: IpFamily;
      readonly port: number;
      /** Undefined when the release did not print `/PROTO` after backend addresses. */
      readonly protocol: L4Protocol | undefined;
      readonly revNatId: number;
      readonly slot: number | undefined;
    }
  | { readonly kind: "missing-backend"; readonly backendId: number };

export interface LbListRow {
  readonly frontend: Frontend;
  readonly family: IpFamily;
  /** The slot printed in the key (1.16+ prints one key per slot); undefined for grouped keys. */
  readonly keySlot: number | undefined;
  readonly value: LbListValue;
}
