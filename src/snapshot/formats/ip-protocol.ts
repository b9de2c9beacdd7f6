// A protocol field of a state dump: a name as Cilium's u8proto prints it (exact case), or a decimal.
import { IpProto, type L4Protocol } from "../../model/protocol.js";
import { parseDecimal } from "./address-text.js";

/** The IP protocol number of a printed protocol, or undefined. */
export function protocolNumber(printed: string): number | undefined {
  return Object.hasOwn(IpProto, printed) ? IpProto[printed as L4Protocol] : parseDecimal(printed, 0xff);
}
