// One entry of `cilium-dbg ip list`: the agent's userspace ipcache, prefix -> identity (with labels).
import type { IpPrefix } from "./ip-prefix.js";

/** One prefix → identity entry of `ip list`. */
export interface IdentityEntry {
  readonly prefix: IpPrefix;
  /**
   * Numeric identity when the dump shows it: always with `ip list -n`, otherwise only when the agent
   * could not resolve the identity's labels. Null when only labels are shown.
   */
  readonly identity: number | null;
  /** Identity labels, one per printed row (`k8s:app=webpod`, `reserved:host`, ...). */
  readonly labels: readonly string[];
  /** Where the mapping came from (`custom-resource`, `kvstore`, `local`, ...); empty when none. */
  readonly source: string;
  /** `ip list -v` only: the HOST column (tunnel endpoint / host IP); null otherwise or when empty. */
  readonly hostIp: string | null;
  /** `ip list -v` only: the ENCRYPT_KEY column; null without `-v`. */
  readonly encryptKey: number | null;
}
