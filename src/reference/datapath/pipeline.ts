// Reference twin of assembly/datapath/pipeline.ts: the same steps in the same order, on the
// reference maps, producing the same verdict for every packet.
import { EntryPoint, type PacketRecord } from "../../model/packet.js";
import type { DatapathVerdict } from "../../engine/verdict.js";
import { CT_STATE_NAMES, ENCAP_NAMES } from "../../engine/verdict.js";
import type { RecordLayout } from "../../wasm/codec.js";
import {
  CTF_DSR_INTERNAL,
  CTF_LB_LOOPBACK,
  CTF_NODE_PORT,
  ID_KUBE_APISERVER,
  ID_REMOTE_NODE,
  ID_WORLD,
  IPCACHE_F_HAS_TUNNEL,
  IPCACHE_F_SKIP_TUNNEL,
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  SVC_F_ROUTABLE,
  TCP_SYN,
  TUPLE_F_IN,
  TUPLE_F_OUT,
  decodeEndpoint,
  decodeIpcache,
  u16At,
  u32At,
  u32Key,
  type EndpointValue,
  type IpcacheValue,
  type RefNode,
  type Tuple,
} from "./node.js";
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
  IDENTITY_SCOPE_REMOTE_NODE,
  IDENTITY_SCOPE_SHIFT,
  NAT_APPLIED,
  NAT_PUNT,
  SCOPE_BIDIR,
  SCOPE_FORWARD,
  SCOPE_REVERSE,
  IPIP_OVERHEAD,
  TUNNEL_OVERHEAD,
} from "./constants.js";
import {
  ctCreate,
  ctEntryDsr,
  ctEntryNodePort,
  ctLookup,
  ctProbe,
  emptyCtState,
  selectTupleType,
  tupleFromPacket,
  tupleReverse,
} from "./conntrack.js";
import { natCreateDsr, natRevSnat, natSnat, natXlateDsr, type NatResult } from "./nat.js";
import { lbLocal, lookupService, sourceRangeOk, type LbResult, type ServiceHit } from "./lb.js";
import { gcIfDue } from "./gc.js";

const isL4 = (p: number): boolean => p === IPPROTO_TCP || p === IPPROTO_UDP;
const isRemoteNode = (id: number): boolean =>
  id === ID_REMOTE_NODE ||
  id === ID_KUBE_APISERVER ||
  id >>> IDENTITY_SCOPE_SHIFT === IDENTITY_SCOPE_REMOTE_NODE;

/** One packet on its way through the node. */
class Walk {
  now = 0;
  saddr = 0;
  daddr = 0;
  sport = 0;
  dport = 0;
  proto = 0;
  tcpFlags = 0;
  icmpType = 0;
  verdict = 0;
  dropReason = 0;
  obsPoint = 0;
  ctState = 0;
  ctDone = false;
  vflags = 0;
  revNatId = 0;
  backendId = 0;
  srcIdentity = 0;
  dstIdentity = 0;
  tunnelEndpoint = 0;
  serviceCt = 0;
  dstEndpoint = 0;
  ipcacheEntry: IpcacheValue | null = null;
  /** DSR info the packet arrived with (service address and port; 0 = none). */
  dsrAddr = 0;
  dsrPort = 0;
  /** Encapsulation the packet leaves with (ENCAP_*), its outer addresses and bytes added. */
  encap = 0;
  outerSaddr = 0;
  outerDaddr = 0;
  encapOverhead = 0;
  /** DSR info attached to the packet on its way out. */
  encapDsr = false;
  encapDsrAddr = 0;
  encapDsrPort = 0;

  constructor(
    readonly node: RefNode,
    readonly L: RecordLayout,
  ) {}

  drop(reason: number, entry: number): void {
    this.verdict = this.L.VERDICT_DROPPED;
    this.dropReason = reason;
    this.obsPoint = entry;
  }

  forward(point: number): void {
    this.verdict = this.L.VERDICT_FORWARDED;
    this.obsPoint = point;
  }

  noteCt(state: number): void {
    if (!this.ctDone) {
      this.ctState = state;
      this.ctDone = true;
    }
  }

  /** ipcache identity of `addr` (ID_WORLD on a miss); the entry is kept for tunnelFor. */
  identityOf(addr: number): number {
    const hit = this.node.ipcache.lookup(addr);
    this.ipcacheEntry = hit === undefined ? null : decodeIpcache(hit.value);
    return this.ipcacheEntry === null ? ID_WORLD : this.ipcacheEntry.identity;
  }

  /** Tunnel endpoint of the last identityOf() entry if the packet should be encapsulated, else 0. */
  tunnelFor(): number {
    const e = this.ipcacheEntry;
    if (!this.node.config.tunnelMode || e === null) return 0;
    if ((e.flags & IPCACHE_F_SKIP_TUNNEL) !== 0 || (e.flags & IPCACHE_F_HAS_TUNNEL) === 0) return 0;
    return e.tunnel;
  }

  endpointOf(addr: number): EndpointValue | null {
    const raw = this.node.endpoints.lookup(u32Key(addr));
    return raw === undefined ? null : decodeEndpoint(raw);
  }

  /** __lb4_rev_nat: applies cilium_lb4_reverse_nat[id] to the source (replies of a service flow). */
  reverseNat(id: number): void {
    const rev = this.node.revNat.lookup(u32Key(id));
    this.revNatId = id;
    if (rev === undefined) return;
    this.saddr = u32At(rev, 0);
    const port = u16At(rev, 4);
    if (port !== 0 && isL4(this.proto)) this.sport = port;
    this.vflags |= this.L.VFLAG_REV_NAT;
  }

  /** The conntrack tuple of the packet as it is now, of the given tuple type (tupleFromPacket). */
  packetTuple(type: number): Tuple | null {
    return tupleFromPacket(this.saddr, this.daddr, this.sport, this.dport, this.proto, this.icmpType, type);
  }

  /** ipv4_policy: the destination endpoint's ingress conntrack, then to-endpoint. */
  deliverToEndpoint(ep: EndpointValue, entry: number): void {
    this.dstEndpoint = ep.id;
    this.dstIdentity = ep.identity;
    const t = this.packetTuple(selectTupleType(DIR_INGRESS, SCOPE_BIDIR));
    if (t === null) {
      this.drop(DROP_CT_UNKNOWN_PROTO, entry);
      return;
    }
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_INGRESS, SCOPE_BIDIR, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    if (st === CT_REPLY) {
      if (state.revNat !== 0 && !state.loopback) this.reverseNat(state.revNat);
    } else if (st === CT_NEW) {
      // The flow's node_port / dsr_internal egress entry marks the ingress entry too, so the
      // endpoint's replies find their way back (rev_nodeport_lb4, xlate_dsr_v4).
      const out = ctProbe(this.node, t, TUPLE_F_OUT);
      const flags = out === undefined ? 0 : out.flags & (CTF_NODE_PORT | CTF_DSR_INTERNAL);
      ctCreate(this.node, t, DIR_INGRESS, true, 0, this.srcIdentity, 0, flags, this.now);
    }
    this.forward(this.L.OBS_TO_ENDPOINT);
  }

  /** snat_v4_needs_masquerade for a packet leaving through a native device. */
  needsMasquerade(): boolean {
    const node = this.node;
    const c = node.config;
    if (!c.masquerade || this.saddr === c.masqueradeAddress) return false;
    const local = this.endpointOf(this.saddr);
    if (local !== null) {
      const t = this.packetTuple(TUPLE_F_IN);
      if (t !== null && ctProbe(node, t, TUPLE_F_IN) !== undefined) return false;
    }
    if (c.nativeCidr !== null && (this.daddr & node.nativeCidrMask) >>> 0 === node.nativeCidrPrefix)
      return false;
    if (local !== null && local.isHost) return false;
    if (c.ipMasqAgent && node.ipMasq.lookup(this.daddr) !== undefined) return false;
    const remoteHit = node.ipcache.lookup(this.daddr);
    if (remoteHit !== undefined) {
      const remote = decodeIpcache(remoteHit.value);
      if (isRemoteNode(remote.identity)) {
        if (!c.tunnelMode) return false;
        if ((remote.flags & IPCACHE_F_SKIP_TUNNEL) !== 0) return false;
      }
    }
    return local !== null;
  }

  /** Out through a native device: masquerade if needed, then to-network (to-stack with legacy routing). */
  leaveThroughDevice(entry: number): void {
    if (this.needsMasquerade()) {
      const out: NatResult = { addr: 0, port: 0 };
      const r = natSnat(
        this.node,
        this.saddr,
        this.daddr,
        this.sport,
        this.dport,
        this.proto,
        this.icmpType,
        this.node.config.masqueradeAddress,
        this.now,
        out,
      );
      if (r === NAT_APPLIED) {
        this.saddr = out.addr;
        this.sport = out.port;
        this.vflags |= this.L.VFLAG_SNAT;
      } else if (r !== NAT_PUNT) {
        this.drop(r, entry);
        return;
      }
    }
    this.forward(this.node.config.bpfHostRouting ? this.L.OBS_TO_NETWORK : this.L.OBS_TO_STACK);
  }

  /** __encap_with_nodeid: out through the tunnel device to `tunnel`, from this node's address. */
  toOverlay(tunnel: number): void {
    this.tunnelEndpoint = tunnel;
    this.encapsulate(this.node.config.tunnelProtocol, tunnel, TUNNEL_OVERHEAD);
    this.forward(this.L.OBS_TO_OVERLAY);
  }

  /** Records the encapsulation (ENCAP_*) towards `outerDaddr`; the outer source is this node's address. */
  encapsulate(type: number, outerDaddr: number, overhead: number): void {
    this.encap = type;
    this.outerSaddr = this.node.config.directRoutingAddress;
    this.outerDaddr = outerDaddr;
    this.encapOverhead = overhead;
  }

  /** Attaches DSR info (the service address and port) to the packet. */
  attachDsr(addr: number, port: number): void {
    this.encapDsr = true;
    this.encapDsrAddr = addr;
    this.encapDsrPort = port;
  }

  /** nodeport_uses_dsr: DSR mode for every protocol, hybrid mode for TCP only. */
  usesDsr(): boolean {
    const mode = this.node.config.nodePortMode;
    return (
      mode === this.L.NODEPORT_MODE_DSR ||
      (mode === this.L.NODEPORT_MODE_HYBRID && this.proto === IPPROTO_TCP)
    );
  }

  /** ipv4_forward_to_destination after the egress conntrack step of bpf_lxc. */
  forwardFromEndpoint(): void {
    this.dstIdentity = this.identityOf(this.daddr);
    const tunnel = this.tunnelFor();
    const ep = this.endpointOf(this.daddr);
    if (ep !== null) {
      if (ep.isHost) {
        this.forward(this.L.OBS_TO_STACK);
        return;
      }
      this.deliverToEndpoint(ep, this.L.OBS_FROM_ENDPOINT);
      return;
    }
    if (tunnel !== 0) {
      this.toOverlay(tunnel);
      return;
    }
    this.leaveThroughDevice(this.L.OBS_FROM_ENDPOINT);
  }

  /**
   * rev_nodeport_lb4: the reply of a NodePort flow gets its source back to the frontend and leaves
   * towards the client.
   */
  reverseNodePort(): boolean {
    if (!isL4(this.proto)) return false;
    const t = this.packetTuple(TUPLE_F_OUT)!;
    const out = ctProbe(this.node, t, TUPLE_F_OUT);
    if (out === undefined || !ctEntryNodePort(out)) return false;
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_INGRESS, SCOPE_REVERSE, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    if (st === CT_REPLY && state.nodePort && state.revNat !== 0) {
      this.vflags |= this.L.VFLAG_NODEPORT;
      this.reverseNat(state.revNat);
    }
    this.dstIdentity = this.identityOf(this.daddr);
    const tunnel = this.tunnelFor();
    if (tunnel !== 0) this.toOverlay(tunnel);
    else this.forward(this.L.OBS_TO_NETWORK);
    return true;
  }

  /**
   * nodeport_rev_dnat_fwd_ipv4 for the reply of a DSR flow on the backend's node: xlate_dsr_v4 gives
   * it the service address and port as its source, and it leaves straight towards the client.
   */
  dsrReply(): boolean {
    const t = this.packetTuple(TUPLE_F_OUT)!;
    const entry = ctProbe(this.node, t, TUPLE_F_OUT);
    if (entry === undefined || !ctEntryDsr(entry)) return false;
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_INGRESS, SCOPE_REVERSE, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    const out: NatResult = { addr: 0, port: 0 };
    if (
      st === CT_REPLY &&
      state.dsr &&
      natXlateDsr(this.node, this.saddr, this.daddr, this.sport, this.dport, this.proto, out)
    ) {
      this.saddr = out.addr;
      this.sport = out.port;
      this.vflags |= this.L.VFLAG_REV_NAT | this.L.VFLAG_DSR;
    }
    this.dstIdentity = this.identityOf(this.daddr);
    this.forward(this.L.OBS_TO_NETWORK);
    return true;
  }

  /**
   * handle_ipv4_from_lxc (cil_from_container, bpf_lxc egress): source check, per-packet service
   * translation (lb4_lookup_service, lb4_local), egress conntrack, forwarding.
   */
  fromEndpoint(): void {
    const L = this.L;
    const src = this.endpointOf(this.saddr);
    if (src === null) {
      this.drop(DROP_INVALID_SIP, L.OBS_FROM_ENDPOINT);
      return;
    }
    this.srcIdentity = src.identity;
    let serviceRevNat = 0;
    if (isL4(this.proto)) {
      const hit = lookupService(
        this.node,
        this.daddr,
        this.dport,
        this.node.config.serviceProtocols ? this.proto : 0,
        true,
      );
      if (hit !== null) {
        serviceRevNat = hit.svc.revNat;
        if (!this.lbFromEndpoint(hit)) return;
      }
    }
    this.egressCt(serviceRevNat);
  }

  /** lb4_local for a pod's service packet: backend selection and DNAT (false: dropped). */
  lbFromEndpoint(hit: ServiceHit): boolean {
    const L = this.L;
    this.vflags |= L.VFLAG_SERVICE;
    this.revNatId = hit.svc.revNat;
    const res: LbResult = {
      flags: hit.wildcard ? L.VFLAG_WILDCARD : 0,
      serviceCt: 0,
      backendId: 0,
      backend: null,
    };
    const r = lbLocal(
      this.node,
      L,
      hit,
      true,
      this.saddr,
      this.daddr,
      this.sport,
      this.dport,
      this.proto,
      this.tcpFlags,
      this.now,
      res,
    );
    this.vflags |= res.flags;
    this.serviceCt = res.serviceCt;
    if (r !== 0) {
      this.drop(r, L.OBS_FROM_ENDPOINT);
      return false;
    }
    this.backendId = res.backendId;
    const backend = res.backend!;
    if (backend.address === this.saddr) {
      this.saddr = this.node.config.loopbackAddress;
      this.vflags |= L.VFLAG_LOOPBACK;
    }
    this.daddr = backend.address;
    if (backend.port !== 0) this.dport = backend.port;
    this.vflags |= L.VFLAG_DNAT;
    return true;
  }

  /** bpf_lxc's egress conntrack (entries of a service flow carry its rev-NAT ID), then forwarding. */
  egressCt(serviceRevNat: number): void {
    const scope = serviceRevNat !== 0 ? SCOPE_FORWARD : SCOPE_BIDIR;
    const t = this.packetTuple(selectTupleType(DIR_EGRESS, SCOPE_BIDIR));
    if (t === null) {
      this.drop(DROP_CT_UNKNOWN_PROTO, this.L.OBS_FROM_ENDPOINT);
      return;
    }
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_EGRESS, scope, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    const entryFlags = (this.vflags & this.L.VFLAG_LOOPBACK) !== 0 ? CTF_LB_LOOPBACK : 0;
    if (st === CT_NEW || (st === CT_ESTABLISHED && state.revNat !== serviceRevNat)) {
      ctCreate(this.node, t, DIR_EGRESS, true, serviceRevNat, this.srcIdentity, 0, entryFlags, this.now);
    } else if (st !== CT_ESTABLISHED) {
      if (this.revNatId === 0) this.revNatId = state.revNat;
      if (state.nodePort && isL4(this.proto) && this.reverseNodePort()) return;
      if (state.dsr && isL4(this.proto) && this.dsrReply()) return;
    }
    this.forwardFromEndpoint();
  }

  /** nodeport_snat_fwd_ipv4: NodePort traffic to a remote backend leaves SNATed to this node. */
  nodePortToRemote(entry: number): void {
    this.dstIdentity = this.identityOf(this.daddr);
    const tunnel = this.tunnelFor();
    const c = this.node.config;
    const target = tunnel !== 0 ? c.routerAddress : c.directRoutingAddress;
    const out: NatResult = { addr: 0, port: 0 };
    const r = natSnat(
      this.node,
      this.saddr,
      this.daddr,
      this.sport,
      this.dport,
      this.proto,
      this.icmpType,
      target,
      this.now,
      out,
    );
    if (r === NAT_APPLIED) {
      this.saddr = out.addr;
      this.sport = out.port;
      this.vflags |= this.L.VFLAG_SNAT;
    } else if (r !== NAT_PUNT) {
      this.drop(r, entry);
      return;
    }
    if (tunnel !== 0) this.toOverlay(tunnel);
    else this.forward(this.L.OBS_TO_NETWORK);
  }

  /**
   * tail_nodeport_ipv4_dsr: the request leaves for the remote backend with the service address and
   * port attached (encap_geneve_dsr_opt4, dsr_set_ipip4 or dsr_set_opt4); TCP carries the Geneve or
   * IPv4 option on its SYN only, later packets find the backend node's DSR state.
   */
  dsrDispatch(entry: number, svcAddr: number, svcPort: number): void {
    const L = this.L;
    const dispatch = this.node.config.dsrDispatch;
    const backend = this.daddr;
    const attach = this.proto !== IPPROTO_TCP || (this.tcpFlags & TCP_SYN) !== 0;
    this.vflags |= L.VFLAG_DSR;
    this.dstIdentity = this.identityOf(backend);
    if (dispatch === L.DSR_DISPATCH_GENEVE) {
      const tunnel = this.ipcacheEntry === null ? 0 : this.ipcacheEntry.tunnel;
      if (tunnel === 0) {
        this.drop(DROP_NO_TUNNEL_ENDPOINT, entry);
        return;
      }
      this.tunnelEndpoint = tunnel;
      this.encapsulate(L.ENCAP_GENEVE, tunnel, TUNNEL_OVERHEAD + (attach ? GENEVE_DSR_OPT_LEN : 0));
      if (attach) this.attachDsr(svcAddr, svcPort);
      this.forward(L.OBS_TO_OVERLAY);
      return;
    }
    if (dispatch === L.DSR_DISPATCH_IPIP) {
      // lb4_local's skip_l3_xlate: the inner header keeps the service address, the outer one
      // carries the packet to the backend.
      this.daddr = svcAddr;
      this.encapsulate(L.ENCAP_IPIP, backend, IPIP_OVERHEAD);
      this.attachDsr(svcAddr, svcPort);
    } else if (attach) {
      this.encapOverhead = DSR_IPV4_OPT_LEN;
      this.attachDsr(svcAddr, svcPort);
    }
    this.forward(L.OBS_TO_NETWORK);
  }

  /**
   * nodeport_extract_dsr_v4 and tail_nodeport_dsr_ingress_ipv4 on the backend's node: a request with
   * DSR info (or a later TCP packet of a DSR flow) gets a CT entry flagged dsr_internal and the SNAT
   * entry that gives its replies the service address (snat_v4_create_dsr), then goes on to the local
   * backend. False when the packet is not DSR traffic.
   */
  dsrIngress(entry: number): boolean {
    const L = this.L;
    if ((entry === L.OBS_FROM_OVERLAY) !== (this.node.config.dsrDispatch === L.DSR_DISPATCH_GENEVE))
      return false;
    const t = this.packetTuple(selectTupleType(DIR_EGRESS, SCOPE_BIDIR))!;
    let port = this.dsrPort;
    if (this.proto === IPPROTO_TCP && (this.tcpFlags & TCP_SYN) === 0) {
      // Only the SYN carries the option: later packets belong to DSR if the flow's entry says so.
      tupleReverse(t);
      const e = ctProbe(this.node, t, TUPLE_F_OUT);
      tupleReverse(t);
      if (e === undefined || !ctEntryDsr(e)) return false;
      port = 0;
    } else if (this.dsrAddr === 0) {
      return false;
    }
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_EGRESS, SCOPE_BIDIR, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    if (st === CT_REPLY) tupleReverse(t);
    if (st !== CT_ESTABLISHED || (this.proto === IPPROTO_TCP && port !== 0) || !state.dsr) {
      if (port === 0) {
        this.drop(DROP_INVALID, entry);
        return true;
      }
      ctCreate(this.node, t, DIR_EGRESS, false, 0, ID_WORLD, 0, CTF_DSR_INTERNAL, this.now);
      natCreateDsr(
        this.node,
        this.daddr,
        this.saddr,
        this.dport,
        this.sport,
        this.proto,
        this.dsrAddr,
        port,
        this.now,
      );
    }
    this.vflags |= L.VFLAG_DSR;
    this.deliverFromOutside(entry);
    return true;
  }

  /** Delivery of a packet that entered from outside and is not (or no longer) a service request. */
  deliverFromOutside(entry: number): void {
    const ep = this.endpointOf(this.daddr);
    if (ep !== null && !ep.isHost) {
      this.deliverToEndpoint(ep, entry);
      return;
    }
    this.dstIdentity = this.identityOf(this.daddr);
    if (ep === null && entry !== this.L.OBS_FROM_OVERLAY) {
      const tunnel = this.tunnelFor();
      if (tunnel !== 0) {
        this.toOverlay(tunnel);
        return;
      }
    }
    this.forward(this.L.OBS_TO_STACK);
  }

  /**
   * nodeport_lb4 (cil_from_netdev in bpf_host; cil_from_overlay skips the service step): service
   * translation, else DSR ingress of a request for a local backend, else reverse SNAT
   * (snat_v4_rev_nat) and reverse NodePort, then delivery.
   */
  fromOutside(entry: number): void {
    const L = this.L;
    this.srcIdentity = this.identityOf(this.saddr);
    if (isL4(this.proto)) {
      if (entry !== L.OBS_FROM_OVERLAY && this.nodePortLb(entry)) return;
      if (this.usesDsr() && this.dsrIngress(entry)) return;
    }
    const out: NatResult = { addr: 0, port: 0 };
    if (
      natRevSnat(this.node, this.saddr, this.daddr, this.sport, this.dport, this.proto, this.icmpType, out)
    ) {
      this.daddr = out.addr;
      this.dport = out.port;
      this.vflags |= L.VFLAG_REV_SNAT;
      if (this.reverseNodePort()) return;
    }
    this.deliverFromOutside(entry);
  }

  /**
   * nodeport_lb4's service step: source-range and ClusterIP checks, lb4_local, then a local backend
   * (delivered), a remote one by DSR, or a remote one by SNAT. False when no service matched.
   */
  nodePortLb(entry: number): boolean {
    const L = this.L;
    const hit = lookupService(
      this.node,
      this.daddr,
      this.dport,
      this.node.config.serviceProtocols ? this.proto : 0,
      false,
    );
    if (hit === null) return false;
    const res: LbResult = {
      flags: hit.wildcard ? L.VFLAG_WILDCARD : 0,
      serviceCt: 0,
      backendId: 0,
      backend: null,
    };
    this.vflags |= L.VFLAG_SERVICE | res.flags;
    const revNat = hit.svc.revNat;
    this.revNatId = revNat;
    if (!sourceRangeOk(this.node, hit.svc, this.saddr)) {
      this.drop(DROP_NOT_IN_SRC_RANGE, entry);
      return true;
    }
    const r = lbLocal(
      this.node,
      L,
      hit,
      false,
      this.saddr,
      this.daddr,
      this.sport,
      this.dport,
      this.proto,
      this.tcpFlags,
      this.now,
      res,
    );
    this.vflags |= res.flags;
    this.serviceCt = res.serviceCt;
    if (r !== 0) {
      this.drop(r, entry);
      return true;
    }
    if ((hit.svc.flags & SVC_F_ROUTABLE) === 0) {
      this.drop(DROP_IS_CLUSTER_IP, entry);
      return true;
    }
    this.backendId = res.backendId;
    const backend = res.backend!;
    const svcAddr = this.daddr;
    const svcPort = this.dport;
    this.daddr = backend.address;
    if (backend.port !== 0) this.dport = backend.port;
    this.vflags |= L.VFLAG_DNAT | L.VFLAG_NODEPORT;
    this.toBackend(entry, revNat, svcAddr, svcPort);
    return true;
  }

  /**
   * nodeport_lb4 after the translation: a local backend gets the flow's node_port CT entry and the
   * packet; a remote one gets it by DSR (no CT entry here: replies never come back) or by SNAT.
   */
  toBackend(entry: number, revNat: number, svcAddr: number, svcPort: number): void {
    const ep = this.endpointOf(this.daddr);
    if (ep === null && this.usesDsr()) {
      this.dsrDispatch(entry, svcAddr, svcPort);
      return;
    }
    const t = this.packetTuple(selectTupleType(DIR_EGRESS, SCOPE_BIDIR))!;
    const state = emptyCtState();
    const st = ctLookup(this.node, t, DIR_EGRESS, SCOPE_BIDIR, 0, this.tcpFlags, this.now, state);
    this.noteCt(st);
    if (st === CT_REPLY) tupleReverse(t);
    if (st === CT_NEW || st === CT_REPLY || state.revNat !== revNat) {
      ctCreate(this.node, t, DIR_EGRESS, false, revNat, ID_WORLD, 0, CTF_NODE_PORT, this.now);
    }
    if (ep === null) {
      this.nodePortToRemote(entry);
    } else if (ep.isHost) {
      this.dstIdentity = ep.identity;
      this.forward(this.L.OBS_TO_STACK);
    } else {
      this.deliverToEndpoint(ep, entry);
    }
  }
}

/** Processes one packet and returns its verdict. */
export function processPacket(node: RefNode, L: RecordLayout, p: PacketRecord): DatapathVerdict {
  const w = new Walk(node, L);
  w.now = p.seconds >>> 0;
  gcIfDue(node, w.now);
  w.saddr = p.saddr >>> 0;
  w.daddr = p.daddr >>> 0;
  w.sport = p.sport & 0xffff;
  w.dport = p.dport & 0xffff;
  w.proto = p.proto & 0xff;
  w.tcpFlags = w.proto === IPPROTO_TCP ? p.tcpFlags & 0xff : 0;
  w.icmpType = w.proto === IPPROTO_ICMP ? p.icmpType & 0xff : 0;
  w.verdict = L.VERDICT_FORWARDED;
  w.ctState = L.CT_NEW;
  w.serviceCt = L.SERVICE_CT_NONE;
  w.dsrAddr = p.dsrAddr >>> 0;
  w.dsrPort = p.dsrPort & 0xffff;
  let entry: number = p.entry;
  if (entry === EntryPoint.Unknown) {
    const ep = w.endpointOf(w.saddr);
    entry = ep !== null && !ep.isHost ? EntryPoint.FromEndpoint : EntryPoint.FromNetwork;
  }
  if (entry === EntryPoint.FromEndpoint) w.fromEndpoint();
  else w.fromOutside(entry === EntryPoint.FromOverlay ? L.OBS_FROM_OVERLAY : L.OBS_FROM_NETWORK);
  if (!w.ctDone) w.vflags |= L.VFLAG_UNTRACKED;
  node.packets++;
  if (w.verdict === L.VERDICT_DROPPED) node.dropped++;
  else node.forwarded++;
  return {
    verdict: w.verdict === L.VERDICT_DROPPED ? "DROPPED" : "FORWARDED",
    dropReason: w.dropReason & 0xff,
    observationPoint: w.obsPoint & 0xff,
    ctState: CT_STATE_NAMES[w.ctState] ?? "new",
    flags: w.vflags & 0xffff,
    revNatId: w.revNatId & 0xffff,
    backendId: w.backendId >>> 0,
    saddr: w.saddr >>> 0,
    daddr: w.daddr >>> 0,
    sport: w.sport & 0xffff,
    dport: w.dport & 0xffff,
    srcIdentity: w.srcIdentity >>> 0,
    dstIdentity: w.dstIdentity >>> 0,
    tunnelEndpoint: w.tunnelEndpoint >>> 0,
    serviceCt: w.serviceCt === L.SERVICE_CT_NONE ? null : w.serviceCt === L.CT_NEW ? "new" : "existing",
    dstEndpointId: w.dstEndpoint >>> 0,
    encap: ENCAP_NAMES[w.encap] ?? "none",
    outerSaddr: w.outerSaddr >>> 0,
    outerDaddr: w.outerDaddr >>> 0,
    encapOverhead: w.encapOverhead & 0xffff,
    dsr: w.encapDsr,
    dsrAddr: w.encapDsrAddr >>> 0,
    dsrPort: w.encapDsrPort & 0xffff,
  };
}
