// Link-layer header types (tcpdump.org/linktypes.html) the frame decoder understands.
export const LinkType = {
  /** Ethernet II / 802.3, with 802.1Q, 802.1ad (QinQ) and 0x9100 VLAN tags. */
  ETHERNET: 1,
  /** Raw IP, version from the first nibble. */
  RAW: 101,
  /** Linux cooked capture v1 (tcpdump -i any, older). */
  LINUX_SLL: 113,
  /** Raw IPv4. */
  IPV4: 228,
  /** Raw IPv6 (every packet is counted as skipped "ipv6"). */
  IPV6: 229,
  /** Linux cooked capture v2 (tcpdump -i any). */
  LINUX_SLL2: 276,
} as const;

export function isSupportedLinkType(linkType: number): boolean {
  return (
    linkType === LinkType.ETHERNET ||
    linkType === LinkType.RAW ||
    linkType === LinkType.LINUX_SLL ||
    linkType === LinkType.IPV4 ||
    linkType === LinkType.IPV6 ||
    linkType === LinkType.LINUX_SLL2
  );
}
