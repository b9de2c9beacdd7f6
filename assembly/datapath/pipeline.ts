// The per-packet pipeline of one emulated node, in Cilium's order (docs/datapath.md): from a local
// endpoint (bpf_lxc), from the network (bpf_host + nodeport.h), from the overlay (bpf_overlay),
// ingress to a local endpoint, masquerading and forwarding. One call handles a whole batch of
// packet records and writes one verdict record per packet; nothing is allocated per packet.
import { Node } from "./node";
import { seedForPacket } from "./flow-seed";
import {
  BACKEND_ADDR,
  BACKEND_PORT,
  CT_FLAGS,
  CTF_DSR_INTERNAL,
  CTF_LB_LOOPBACK,
  CTF_NODE_PORT,
  EP_ID,
  EP_IDENTITY,
  EP_IS_HOST,
  ID_KUBE_APISERVER,
  ID_REMOTE_NODE,
  ID_WORLD,
  IPCACHE_F_HAS_TUNNEL,
  IPCACHE_F_SKIP_TUNNEL,
  IPCACHE_FLAGS,
  IPCACHE_IDENTITY,
  IPCACHE_TUNNEL,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  REVNAT_ADDR,
  REVNAT_PORT,
  SVC_F_ROUTABLE,
  SVC_FLAGS,
  SVC_REV_NAT,
  TCP_SYN,
  TUPLE_F_IN,
  TUPLE_F_OUT,
} from "./layout";
import {
  CT_ESTABLISHED,
  CT_NEW,
  CT_REPLY,
  DIR_EGRESS,
  DIR_INGRESS,
  DROP_CT_UNKNOWN_PROTO,
  DROP_INVALID,
  DROP_INVALID_SIP,
  DROP_IS_CLUSTER_IP,
  DROP_NO_TUNNEL_ENDPOINT,
  DROP_NOT_IN_SRC_RANGE,
  DSR_IPV4_OPT_LEN,
  GENEVE_DSR_OPT_LEN,
  IPIP_OVERHEAD,
  TUNNEL_OVERHEAD,
  IDENTITY_SCOPE_REMOTE_NODE,
  IDENTITY_SCOPE_SHIFT,
  NAT_APPLIED,
  NAT_PUNT,
  OBS_FROM_ENDPOINT,
  OBS_FROM_NETWORK,
  OBS_FROM_OVERLAY,
  OBS_TO_ENDPOINT,
  OBS_TO_NETWORK,
  OBS_TO_OVERLAY,
  OBS_TO_STACK,
  SCOPE_BIDIR,
  SCOPE_FORWARD,
  SCOPE_REVERSE,
  SERVICE_CT_NONE,
  VERDICT_DROPPED,
  VERDICT_FORWARDED,
} from "./constants";
import {
  ENTRY_FROM_ENDPOINT,
  ENTRY_FROM_NETWORK,
  ENTRY_FROM_OVERLAY,
  ENTRY_UNKNOWN,
  DSR_DISPATCH_GENEVE,
  DSR_DISPATCH_IPIP,
  ENCAP_GENEVE,
  ENCAP_IPIP,
  ENCAP_NONE,
  NODEPORT_MODE_DSR,
  NODEPORT_MODE_HYBRID,
  PACKET_DSR_ADDR,
  PACKET_DSR_PORT,
  VERDICT_DSR_ADDR,
  VERDICT_DSR_PORT,
  VERDICT_ENCAP,
  VERDICT_ENCAP_DSR,
  VERDICT_ENCAP_OVERHEAD,
  VERDICT_OUTER_DADDR,
  VERDICT_OUTER_SADDR,
  VFLAG_DSR,
  PACKET_DADDR,
  PACKET_DPORT,
  PACKET_ENTRY,
  PACKET_PROTO,
  PACKET_RECORD_SIZE,
  PACKET_SADDR,
  PACKET_SPORT,
  PACKET_TCP_FLAGS,
  PACKET_ICMP_TYPE,
  PACKET_SECONDS,
  VERDICT_BACKEND_ID,
  VERDICT_CT_STATE,
  VERDICT_DADDR,
  VERDICT_DPORT,
  VERDICT_DROP_REASON,
  VERDICT_DST_ENDPOINT,
  VERDICT_DST_IDENTITY,
  VERDICT_FLAGS,
  VERDICT_OBS_POINT,
  VERDICT_RECORD_SIZE,
  VERDICT_REV_NAT_ID,
  VERDICT_SADDR,
  VERDICT_SERVICE_CT_STATE,
  VERDICT_SPORT,
  VERDICT_SRC_IDENTITY,
  VERDICT_TUNNEL_ENDPOINT,
  VERDICT_VERDICT,
  VFLAG_DNAT,
  VFLAG_LOOPBACK,
  VFLAG_NODEPORT,
  VFLAG_REV_NAT,
  VFLAG_REV_SNAT,
  VFLAG_SERVICE,
  VFLAG_SNAT,
  VFLAG_UNTRACKED,
} from "./records";
import {
  ctCreate,
  ctEntryDsr,
  ctEntryNodePort,
  ctLookup,
  ctProbe,
  CtState,
  selectTupleType,
  tupleFromPacket,
  tupleReverse,
} from "./conntrack";
import { NatResult, natCreateDsr, natRevSnat, natSnat, natXlateDsr } from "./nat";
import { LbResult, lbLocal, lookupService, sourceRangeOk } from "./lb";
import { gcIfDue } from "./gc";

// The packet being processed (its fields change as it is translated) and its verdict.
let now: u32 = 0;
let saddr: u32 = 0;
let daddr: u32 = 0;
let sport: u32 = 0;
let dport: u32 = 0;
let proto: u8 = 0;
let tcpFlags: u8 = 0;
let icmpType: u32 = 0;

let verdict: u8 = 0;
let dropReason: u8 = 0;
let obsPoint: u8 = 0;
let ctState: u8 = 0;
let ctDone: bool = false;
let vflags: u16 = 0;
let revNatId: u32 = 0;
let backendId: u32 = 0;
let srcIdentity: u32 = 0;
let dstIdentity: u32 = 0;
let tunnelEndpoint: u32 = 0;
let serviceCt: u8 = 0;
let dstEndpoint: u32 = 0;
/** DSR info the packet arrived with (service address and port; 0 = none). */
let dsrAddr: u32 = 0;
let dsrPort: u32 = 0;
/** Encapsulation the packet leaves with (ENCAP_*), its outer addresses and bytes added. */
let encap: u8 = 0;
let outerSaddr: u32 = 0;
let outerDaddr: u32 = 0;
let encapOverhead: u32 = 0;
/** DSR info attached to the packet on its way out. */
let encapDsr: bool = false;
let encapDsrAddr: u32 = 0;
let encapDsrPort: u32 = 0;

// The lookups' out-parameters (Cilium's struct ct_state and friends): static scratch records at
// fixed addresses, so passing them costs nothing and nothing is allocated per packet.
const state = changetype<CtState>(memory.data(offsetof<CtState>()));
const res = changetype<LbResult>(memory.data(offsetof<LbResult>()));
const out = changetype<NatResult>(memory.data(offsetof<NatResult>()));

function isL4(p: u8): bool {
  return p == IPPROTO_TCP || p == IPPROTO_UDP;
}

function drop(reason: u8, entry: u8): void {
  verdict = VERDICT_DROPPED;
  dropReason = reason;
  obsPoint = entry;
}

function forward(point: u8): void {
  verdict = VERDICT_FORWARDED;
  obsPoint = point;
}

function noteCt(state: u8): void {
  if (!ctDone) {
    ctState = state;
    ctDone = true;
  }
}

/** ipcache identity of `addr` (WORLD on a miss); ipcacheEntry keeps the value pointer. */
let ipcacheEntry: usize = 0;
/** ipcache identity of `addr` (ID_WORLD on a miss); the entry is kept for tunnelFor. */
function identityOf(node: Node, addr: u32): u32 {
  ipcacheEntry = node.ipcache.lookup(addr);
  return ipcacheEntry == 0 ? ID_WORLD : load<u32>(ipcacheEntry, IPCACHE_IDENTITY);
}

/** Tunnel endpoint of the last identityOf() entry if the packet should be encapsulated, else 0. */
function tunnelFor(node: Node): u32 {
  if (!node.tunnelMode || ipcacheEntry == 0) return 0;
  const f = load<u8>(ipcacheEntry, IPCACHE_FLAGS);
  if ((f & IPCACHE_F_SKIP_TUNNEL) != 0 || (f & IPCACHE_F_HAS_TUNNEL) == 0) return 0;
  return load<u32>(ipcacheEntry, IPCACHE_TUNNEL);
}

function endpointOf(node: Node, addr: u32): usize {
  return node.endpoints.lookupU32(addr);
}

function isRemoteNode(identity: u32): bool {
  return (
    identity == ID_REMOTE_NODE ||
    identity == ID_KUBE_APISERVER ||
    identity >>> IDENTITY_SCOPE_SHIFT == IDENTITY_SCOPE_REMOTE_NODE
  );
}

/** __lb4_rev_nat: applies cilium_lb4_reverse_nat[id] to the source (replies of a service flow). */
function reverseNat(node: Node, id: u32): void {
  const rev = node.revNat.lookupU32(id);
  revNatId = id;
  if (rev == 0) return;
  saddr = load<u32>(rev, REVNAT_ADDR);
  const port = <u32>load<u16>(rev, REVNAT_PORT);
  if (port != 0 && isL4(proto)) sport = port;
  vflags |= VFLAG_REV_NAT;
}

/** ipv4_policy: the destination endpoint's ingress conntrack, then to-endpoint. */
function deliverToEndpoint(node: Node, ep: usize, entry: u8): void {
  dstEndpoint = load<u32>(ep, EP_ID);
  dstIdentity = load<u32>(ep, EP_IDENTITY);
  const t = node.tuple;
  if (
    !tupleFromPacket(
      t,
      saddr,
      daddr,
      sport,
      dport,
      proto,
      icmpType,
      selectTupleType(DIR_INGRESS, SCOPE_BIDIR),
    )
  ) {
    drop(DROP_CT_UNKNOWN_PROTO, entry);
    return;
  }
  const st = ctLookup(node, t, DIR_INGRESS, SCOPE_BIDIR, 0, tcpFlags, now, state);
  noteCt(st);
  if (st == CT_REPLY) {
    if (state.revNat != 0 && !state.loopback) reverseNat(node, state.revNat);
  } else if (st == CT_NEW) {
    // The flow's node_port / dsr_internal egress entry marks the ingress entry too, so the
    // endpoint's replies find their way back (rev_nodeport_lb4, xlate_dsr_v4).
    const out = ctProbe(node, t, TUPLE_F_OUT);
    const flags: u16 = out != 0 ? load<u16>(out, CT_FLAGS) & (CTF_NODE_PORT | CTF_DSR_INTERNAL) : 0;
    ctCreate(node, t, DIR_INGRESS, true, 0, srcIdentity, 0, flags, now);
  }
  forward(OBS_TO_ENDPOINT);
}

/** snat_v4_needs_masquerade for a packet leaving through a native device. */
function needsMasquerade(node: Node): bool {
  if (!node.masquerade || saddr == node.masqueradeAddress) return false;
  const local = endpointOf(node, saddr);
  if (local != 0) {
    const t = node.tuple2;
    if (tupleFromPacket(t, saddr, daddr, sport, dport, proto, icmpType, TUPLE_F_IN)) {
      if (ctProbe(node, t, TUPLE_F_IN) != 0) return false;
    }
  }
  if (node.hasNativeCidr && (daddr & node.nativeCidrMask) == node.nativeCidrPrefix) return false;
  if (local != 0 && load<u32>(local, EP_IS_HOST) != 0) return false;
  if (node.ipMasqAgent && node.ipMasq.lookup(daddr) != 0) return false;
  const remote = node.ipcache.lookup(daddr);
  if (remote != 0 && isRemoteNode(load<u32>(remote, IPCACHE_IDENTITY))) {
    if (!node.tunnelMode) return false;
    if ((load<u8>(remote, IPCACHE_FLAGS) & IPCACHE_F_SKIP_TUNNEL) != 0) return false;
  }
  return local != 0;
}

/** Out through a native device: masquerade if needed, then to-network (to-stack with legacy routing). */
function leaveThroughDevice(node: Node, entry: u8): void {
  if (needsMasquerade(node)) {
    const r = natSnat(node, saddr, daddr, sport, dport, proto, icmpType, node.masqueradeAddress, now, out);
    if (r == NAT_APPLIED) {
      saddr = out.addr;
      sport = out.port;
      vflags |= VFLAG_SNAT;
    } else if (r != NAT_PUNT) {
      drop(<u8>r, entry);
      return;
    }
  }
  forward(node.bpfHostRouting ? OBS_TO_NETWORK : OBS_TO_STACK);
}

/** __encap_with_nodeid: out through the tunnel device to `tunnel`, from this node's address. */
function toOverlay(node: Node, tunnel: u32): void {
  tunnelEndpoint = tunnel;
  encapsulate(node, node.tunnelProtocol, tunnel, TUNNEL_OVERHEAD);
  forward(OBS_TO_OVERLAY);
}

/** Records the encapsulation (ENCAP_*) towards `outerDaddr`; the outer source is this node's address. */
function encapsulate(node: Node, type: u8, outer: u32, overhead: u32): void {
  encap = type;
  outerSaddr = node.directRoutingAddress;
  outerDaddr = outer;
  encapOverhead = overhead;
}

/** Attaches DSR info (the service address and port) to the packet. */
function attachDsr(addr: u32, port: u32): void {
  encapDsr = true;
  encapDsrAddr = addr;
  encapDsrPort = port;
}

/** nodeport_uses_dsr: DSR mode for every protocol, hybrid mode for TCP only. */
function usesDsr(node: Node): bool {
  const mode = node.nodePortMode;
  return mode == NODEPORT_MODE_DSR || (mode == NODEPORT_MODE_HYBRID && proto == IPPROTO_TCP);
}

/** ipv4_forward_to_destination after the egress conntrack step of bpf_lxc. */
function forwardFromEndpoint(node: Node): void {
  dstIdentity = identityOf(node, daddr);
  const tunnel = tunnelFor(node);
  const ep = endpointOf(node, daddr);
  if (ep != 0) {
    if (load<u32>(ep, EP_IS_HOST) != 0) {
      forward(OBS_TO_STACK);
      return;
    }
    deliverToEndpoint(node, ep, OBS_FROM_ENDPOINT);
    return;
  }
  if (tunnel != 0) {
    toOverlay(node, tunnel);
    return;
  }
  leaveThroughDevice(node, OBS_FROM_ENDPOINT);
}

/**
 * rev_nodeport_lb4: the reply of a NodePort flow gets its source back to the frontend and leaves
 * towards the client.
 */
function reverseNodePort(node: Node): bool {
  if (!isL4(proto)) return false;
  const t = node.tuple;
  tupleFromPacket(t, saddr, daddr, sport, dport, proto, icmpType, TUPLE_F_OUT);
  const out = ctProbe(node, t, TUPLE_F_OUT);
  if (out == 0 || !ctEntryNodePort(out)) return false;
  const st = ctLookup(node, t, DIR_INGRESS, SCOPE_REVERSE, 0, tcpFlags, now, state);
  noteCt(st);
  if (st == CT_REPLY && state.nodePort && state.revNat != 0) {
    vflags |= VFLAG_NODEPORT;
    reverseNat(node, state.revNat);
  }
  dstIdentity = identityOf(node, daddr);
  const tunnel = tunnelFor(node);
  if (tunnel != 0) toOverlay(node, tunnel);
  else forward(OBS_TO_NETWORK);
  return true;
}

/**
 * nodeport_rev_dnat_fwd_ipv4 for the reply of a DSR flow on the backend's node: xlate_dsr_v4 gives
 * it the service address and port as its source, and it leaves straight towards the client.
 */
function dsrReply(node: Node): bool {
  const t = node.tuple;
  tupleFromPacket(t, saddr, daddr, sport, dport, proto, icmpType, TUPLE_F_OUT);
  const entry = ctProbe(node, t, TUPLE_F_OUT);
  if (entry == 0 || !ctEntryDsr(entry)) return false;
  const st = ctLookup(node, t, DIR_INGRESS, SCOPE_REVERSE, 0, tcpFlags, now, state);
  noteCt(st);
  if (st == CT_REPLY && state.dsr && natXlateDsr(node, saddr, daddr, sport, dport, proto, out)) {
    saddr = out.addr;
    sport = out.port;
    vflags |= VFLAG_REV_NAT | VFLAG_DSR;
  }
  dstIdentity = identityOf(node, daddr);
  forward(OBS_TO_NETWORK);
  return true;
}

/**
 * handle_ipv4_from_lxc (cil_from_container, bpf_lxc egress): source check, per-packet service
 * translation (lb4_lookup_service, lb4_local), egress conntrack, forwarding.
 */
function fromEndpoint(node: Node): void {
  const src = endpointOf(node, saddr);
  if (src == 0) {
    drop(DROP_INVALID_SIP, OBS_FROM_ENDPOINT);
    return;
  }
  srcIdentity = load<u32>(src, EP_IDENTITY);
  let serviceRevNat: u32 = 0;
  if (isL4(proto)) {
    const svc = lookupService(node, daddr, dport, node.serviceProtocols ? proto : 0, true, res);
    if (svc != 0) {
      serviceRevNat = <u32>load<u16>(svc, SVC_REV_NAT);
      if (!lbFromEndpoint(node, svc)) return;
    }
  }
  egressCt(node, serviceRevNat);
}

/** lb4_local for a pod's service packet: backend selection and DNAT (false: dropped). */
function lbFromEndpoint(node: Node, svc: usize): bool {
  vflags |= VFLAG_SERVICE;
  revNatId = <u32>load<u16>(svc, SVC_REV_NAT);
  const r = lbLocal(node, svc, true, saddr, daddr, sport, dport, proto, tcpFlags, now, res);
  vflags |= res.flags;
  serviceCt = res.serviceCt;
  if (r != 0) {
    drop(r, OBS_FROM_ENDPOINT);
    return false;
  }
  backendId = res.backendId;
  const backendAddr = load<u32>(res.backend, BACKEND_ADDR);
  const backendPort = <u32>load<u16>(res.backend, BACKEND_PORT);
  if (backendAddr == saddr) {
    saddr = node.loopbackAddress;
    vflags |= VFLAG_LOOPBACK;
  }
  daddr = backendAddr;
  if (backendPort != 0) dport = backendPort;
  vflags |= VFLAG_DNAT;
  return true;
}

/** bpf_lxc's egress conntrack (entries of a service flow carry its rev-NAT ID), then forwarding. */
function egressCt(node: Node, serviceRevNat: u32): void {
  const scope = serviceRevNat != 0 ? SCOPE_FORWARD : SCOPE_BIDIR;
  const t = node.tuple;
  if (
    !tupleFromPacket(t, saddr, daddr, sport, dport, proto, icmpType, selectTupleType(DIR_EGRESS, SCOPE_BIDIR))
  ) {
    drop(DROP_CT_UNKNOWN_PROTO, OBS_FROM_ENDPOINT);
    return;
  }
  const st = ctLookup(node, t, DIR_EGRESS, scope, 0, tcpFlags, now, state);
  noteCt(st);
  const entryFlags: u16 = (vflags & VFLAG_LOOPBACK) != 0 ? CTF_LB_LOOPBACK : 0;
  if (st == CT_NEW || (st == CT_ESTABLISHED && state.revNat != serviceRevNat)) {
    ctCreate(node, t, DIR_EGRESS, true, serviceRevNat, srcIdentity, 0, entryFlags, now);
  } else if (st != CT_ESTABLISHED) {
    if (revNatId == 0) revNatId = state.revNat;
    if (state.nodePort && isL4(proto) && reverseNodePort(node)) return;
    if (state.dsr && isL4(proto) && dsrReply(node)) return;
  }
  forwardFromEndpoint(node);
}

/** nodeport_snat_fwd_ipv4: NodePort traffic to a remote backend leaves SNATed to this node. */
function nodePortToRemote(node: Node, entry: u8): void {
  dstIdentity = identityOf(node, daddr);
  const tunnel = tunnelFor(node);
  const target = tunnel != 0 ? node.routerAddress : node.directRoutingAddress;
  const r = natSnat(node, saddr, daddr, sport, dport, proto, icmpType, target, now, out);
  if (r == NAT_APPLIED) {
    saddr = out.addr;
    sport = out.port;
    vflags |= VFLAG_SNAT;
  } else if (r != NAT_PUNT) {
    drop(<u8>r, entry);
    return;
  }
  if (tunnel != 0) toOverlay(node, tunnel);
  else forward(OBS_TO_NETWORK);
}

/**
 * tail_nodeport_ipv4_dsr: the request leaves for the remote backend with the service address and
 * port attached (encap_geneve_dsr_opt4, dsr_set_ipip4 or dsr_set_opt4); TCP carries the Geneve or
 * IPv4 option on its SYN only, later packets find the backend node's DSR state.
 */
function dsrDispatch(node: Node, entry: u8, svcAddr: u32, svcPort: u32): void {
  const dispatch = node.dsrDispatch;
  const backend = daddr;
  const attach = proto != IPPROTO_TCP || (tcpFlags & TCP_SYN) != 0;
  vflags |= VFLAG_DSR;
  dstIdentity = identityOf(node, backend);
  if (dispatch == DSR_DISPATCH_GENEVE) {
    const tunnel = ipcacheEntry == 0 ? 0 : load<u32>(ipcacheEntry, IPCACHE_TUNNEL);
    if (tunnel == 0) {
      drop(DROP_NO_TUNNEL_ENDPOINT, entry);
      return;
    }
    tunnelEndpoint = tunnel;
    encapsulate(node, ENCAP_GENEVE, tunnel, TUNNEL_OVERHEAD + (attach ? GENEVE_DSR_OPT_LEN : 0));
    if (attach) attachDsr(svcAddr, svcPort);
    forward(OBS_TO_OVERLAY);
    return;
  }
  if (dispatch == DSR_DISPATCH_IPIP) {
    // lb4_local's skip_l3_xlate: the inner header keeps the service address, the outer one
    // carries the packet to the backend.
    daddr = svcAddr;
    encapsulate(node, ENCAP_IPIP, backend, IPIP_OVERHEAD);
    attachDsr(svcAddr, svcPort);
  } else if (attach) {
    encapOverhead = DSR_IPV4_OPT_LEN;
    attachDsr(svcAddr, svcPort);
  }
  forward(OBS_TO_NETWORK);
}

/**
 * nodeport_extract_dsr_v4 and tail_nodeport_dsr_ingress_ipv4 on the backend's node: a request with
 * DSR info (or a later TCP packet of a DSR flow) gets a CT entry flagged dsr_internal and the SNAT
 * entry that gives its replies the service address (snat_v4_create_dsr), then goes on to the local
 * backend. False when the packet is not DSR traffic.
 */
function dsrIngress(node: Node, entry: u8): bool {
  if ((entry == OBS_FROM_OVERLAY) != (node.dsrDispatch == DSR_DISPATCH_GENEVE)) return false;
  const t = node.tuple;
  tupleFromPacket(t, saddr, daddr, sport, dport, proto, icmpType, selectTupleType(DIR_EGRESS, SCOPE_BIDIR));
  let port = dsrPort;
  if (proto == IPPROTO_TCP && (tcpFlags & TCP_SYN) == 0) {
    // Only the SYN carries the option: later packets belong to DSR if the flow's entry says so.
    tupleReverse(t);
    const e = ctProbe(node, t, TUPLE_F_OUT);
    tupleReverse(t);
    if (e == 0 || !ctEntryDsr(e)) return false;
    port = 0;
  } else if (dsrAddr == 0) {
    return false;
  }
  const st = ctLookup(node, t, DIR_EGRESS, SCOPE_BIDIR, 0, tcpFlags, now, state);
  noteCt(st);
  if (st == CT_REPLY) tupleReverse(t);
  if (st != CT_ESTABLISHED || (proto == IPPROTO_TCP && port != 0) || !state.dsr) {
    if (port == 0) {
      drop(DROP_INVALID, entry);
      return true;
    }
    ctCreate(node, t, DIR_EGRESS, false, 0, ID_WORLD, 0, CTF_DSR_INTERNAL, now);
    natCreateDsr(node, daddr, saddr, dport, sport, proto, dsrAddr, port, now);
  }
  vflags |= VFLAG_DSR;
  deliverFromOutside(node, entry);
  return true;
}

/** Delivery of a packet that entered from outside and is not (or no longer) a service request. */
function deliverFromOutside(node: Node, entry: u8): void {
  const ep = endpointOf(node, daddr);
  if (ep != 0 && load<u32>(ep, EP_IS_HOST) == 0) {
    deliverToEndpoint(node, ep, entry);
    return;
  }
  dstIdentity = identityOf(node, daddr);
  if (ep == 0 && entry != OBS_FROM_OVERLAY) {
    const tunnel = tunnelFor(node);
    if (tunnel != 0) {
      toOverlay(node, tunnel);
      return;
    }
  }
  forward(OBS_TO_STACK);
}

/**
 * nodeport_lb4 (cil_from_netdev in bpf_host; cil_from_overlay skips the service step): service
 * translation, else DSR ingress of a request for a local backend, else reverse SNAT
 * (snat_v4_rev_nat) and reverse NodePort, then delivery.
 */
function fromOutside(node: Node, entry: u8): void {
  srcIdentity = identityOf(node, saddr);
  if (isL4(proto)) {
    if (entry != OBS_FROM_OVERLAY && nodePortLb(node, entry)) return;
    if (usesDsr(node) && dsrIngress(node, entry)) return;
  }
  if (natRevSnat(node, saddr, daddr, sport, dport, proto, icmpType, out)) {
    daddr = out.addr;
    dport = out.port;
    vflags |= VFLAG_REV_SNAT;
    if (reverseNodePort(node)) return;
  }
  deliverFromOutside(node, entry);
}

/**
 * nodeport_lb4's service step: source-range and ClusterIP checks, lb4_local, then a local backend
 * (delivered), a remote one by DSR, or a remote one by SNAT. False when no service matched.
 */
function nodePortLb(node: Node, entry: u8): bool {
  const svc = lookupService(node, daddr, dport, node.serviceProtocols ? proto : 0, false, res);
  if (svc == 0) return false;
  vflags |= VFLAG_SERVICE | res.flags;
  const revNat = <u32>load<u16>(svc, SVC_REV_NAT);
  revNatId = revNat;
  if (!sourceRangeOk(node, svc, saddr)) {
    drop(DROP_NOT_IN_SRC_RANGE, entry);
    return true;
  }
  const r = lbLocal(node, svc, false, saddr, daddr, sport, dport, proto, tcpFlags, now, res);
  vflags |= res.flags;
  serviceCt = res.serviceCt;
  if (r != 0) {
    drop(r, entry);
    return true;
  }
  if ((load<u8>(svc, SVC_FLAGS) & SVC_F_ROUTABLE) == 0) {
    drop(DROP_IS_CLUSTER_IP, entry);
    return true;
  }
  backendId = res.backendId;
  const svcAddr = daddr;
  const svcPort = dport;
  daddr = load<u32>(res.backend, BACKEND_ADDR);
  const backendPort = <u32>load<u16>(res.backend, BACKEND_PORT);
  if (backendPort != 0) dport = backendPort;
  vflags |= VFLAG_DNAT | VFLAG_NODEPORT;
  toBackend(node, entry, revNat, svcAddr, svcPort);
  return true;
}

/**
 * nodeport_lb4 after the translation: a local backend gets the flow's node_port CT entry and the
 * packet; a remote one gets it by DSR (no CT entry here: replies never come back) or by SNAT.
 */
function toBackend(node: Node, entry: u8, revNat: u32, svcAddr: u32, svcPort: u32): void {
  const ep = endpointOf(node, daddr);
  if (ep == 0 && usesDsr(node)) {
    dsrDispatch(node, entry, svcAddr, svcPort);
    return;
  }
  const t = node.tuple;
  tupleFromPacket(t, saddr, daddr, sport, dport, proto, 0, selectTupleType(DIR_EGRESS, SCOPE_BIDIR));
  const st = ctLookup(node, t, DIR_EGRESS, SCOPE_BIDIR, 0, tcpFlags, now, state);
  noteCt(st);
  if (st == CT_REPLY) tupleReverse(t);
  if (st == CT_NEW || st == CT_REPLY || state.revNat != revNat)
    ctCreate(node, t, DIR_EGRESS, false, revNat, ID_WORLD, 0, CTF_NODE_PORT, now);
  if (ep == 0) {
    nodePortToRemote(node, entry);
  } else if (load<u32>(ep, EP_IS_HOST) != 0) {
    dstIdentity = load<u32>(ep, EP_IDENTITY);
    forward(OBS_TO_STACK);
  } else {
    deliverToEndpoint(node, ep, entry);
  }
}

function processOne(node: Node, pkt: usize, verdictAt: usize): void {
  now = load<u32>(pkt, PACKET_SECONDS);
  gcIfDue(node, now);
  saddr = load<u32>(pkt, PACKET_SADDR);
  daddr = load<u32>(pkt, PACKET_DADDR);
  sport = <u32>load<u16>(pkt, PACKET_SPORT);
  dport = <u32>load<u16>(pkt, PACKET_DPORT);
  proto = load<u8>(pkt, PACKET_PROTO);
  tcpFlags = proto == IPPROTO_TCP ? load<u8>(pkt, PACKET_TCP_FLAGS) : 0;
  icmpType = proto == IPPROTO_ICMP ? <u32>load<u8>(pkt, PACKET_ICMP_TYPE) : 0;
  verdict = VERDICT_FORWARDED;
  dropReason = 0;
  obsPoint = 0;
  ctState = CT_NEW;
  ctDone = false;
  vflags = 0;
  revNatId = 0;
  backendId = 0;
  srcIdentity = 0;
  dstIdentity = 0;
  tunnelEndpoint = 0;
  serviceCt = SERVICE_CT_NONE;
  dstEndpoint = 0;
  dsrAddr = load<u32>(pkt, PACKET_DSR_ADDR);
  dsrPort = <u32>load<u16>(pkt, PACKET_DSR_PORT);
  encap = ENCAP_NONE;
  outerSaddr = 0;
  outerDaddr = 0;
  encapOverhead = 0;
  encapDsr = false;
  encapDsrAddr = 0;
  encapDsrPort = 0;

  let entry = load<u8>(pkt, PACKET_ENTRY);
  if (entry == ENTRY_UNKNOWN) {
    const ep = endpointOf(node, saddr);
    entry = ep != 0 && load<u32>(ep, EP_IS_HOST) == 0 ? ENTRY_FROM_ENDPOINT : ENTRY_FROM_NETWORK;
  }
  if (entry == ENTRY_FROM_ENDPOINT) fromEndpoint(node);
  else fromOutside(node, entry == ENTRY_FROM_OVERLAY ? OBS_FROM_OVERLAY : OBS_FROM_NETWORK);

  if (!ctDone) vflags |= VFLAG_UNTRACKED;
  node.packets++;
  if (verdict == VERDICT_DROPPED) node.dropped++;
  else node.forwarded++;

  store<u8>(verdictAt, verdict, VERDICT_VERDICT);
  store<u8>(verdictAt, dropReason, VERDICT_DROP_REASON);
  store<u8>(verdictAt, obsPoint, VERDICT_OBS_POINT);
  store<u8>(verdictAt, ctState, VERDICT_CT_STATE);
  store<u16>(verdictAt, vflags, VERDICT_FLAGS);
  store<u16>(verdictAt, <u16>revNatId, VERDICT_REV_NAT_ID);
  store<u32>(verdictAt, backendId, VERDICT_BACKEND_ID);
  store<u32>(verdictAt, saddr, VERDICT_SADDR);
  store<u32>(verdictAt, daddr, VERDICT_DADDR);
  store<u16>(verdictAt, <u16>sport, VERDICT_SPORT);
  store<u16>(verdictAt, <u16>dport, VERDICT_DPORT);
  store<u32>(verdictAt, srcIdentity, VERDICT_SRC_IDENTITY);
  store<u32>(verdictAt, dstIdentity, VERDICT_DST_IDENTITY);
  store<u32>(verdictAt, tunnelEndpoint, VERDICT_TUNNEL_ENDPOINT);
  store<u8>(verdictAt, serviceCt, VERDICT_SERVICE_CT_STATE);
  store<u8>(verdictAt, encap, VERDICT_ENCAP);
  store<u8>(verdictAt, encapDsr ? 1 : 0, VERDICT_ENCAP_DSR);
  store<u8>(verdictAt, 0, VERDICT_ENCAP_DSR + 1);
  store<u32>(verdictAt, dstEndpoint, VERDICT_DST_ENDPOINT);
  store<u16>(verdictAt, <u16>encapOverhead, VERDICT_ENCAP_OVERHEAD);
  store<u16>(verdictAt, <u16>encapDsrPort, VERDICT_DSR_PORT);
  store<u32>(verdictAt, encapDsrAddr, VERDICT_DSR_ADDR);
  store<u32>(verdictAt, outerSaddr, VERDICT_OUTER_SADDR);
  store<u32>(verdictAt, outerDaddr, VERDICT_OUTER_DADDR);
  store<u32>(verdictAt, 0, VERDICT_OUTER_DADDR + 4);
}

/** Where the prefetching loads below go (their values are never used; see HashCore.touchSlot). */
let prefetchSink: u64 = 0;

/** Processes `n` packet records at `packets`, writing `n` verdict records at `verdicts`. */
export function processBatch(node: Node, packets: usize, n: u32, verdicts: usize): void {
  for (let i: u32 = 0; i < n; i++) {
    const pkt = packets + <usize>i * PACKET_RECORD_SIZE;
    if (node.randomPerFlow) seedForPacket(node.prng, node.baseSeed, pkt);
    // A new flow evicts up to two TCP and one other CT entry when the maps are full: start those
    // cache misses now, alongside the packet's first lookups, rather than one after another later.
    prefetchSink ^= node.ctTcp.touchVictim(0) ^ node.ctTcp.touchVictim(1) ^ node.ctAny.touchVictim(0);
    processOne(node, pkt, verdicts + <usize>i * VERDICT_RECORD_SIZE);
  }
}
