// The router-side parsers on the real router-lab outputs, and their one-line errors on bad input.
import { describe, expect, it } from "vitest";
import { wholeFile } from "../../src/snapshot/dump-source.js";
import { ipRouteFormat } from "../../src/cluster/router/ip-route.js";
import { multipathNexthops, vtyshShowIpBgpFormat } from "../../src/cluster/router/bgp-route.js";
import { kubectlGetLeaseFormat, sameService } from "../../src/cluster/router/l2-lease.js";
import { bgpRoutePoliciesFormat } from "../../src/cluster/router/route-policies.js";
import {
  l2Holder,
  readRouterFiles,
  recogniseRouterFile,
  routerNexthops,
} from "../../src/cluster/router/router-inputs.js";
import { formatIPv4, parseIPv4 } from "../../src/model/ipv4.js";
import type { ParseOptions } from "../../src/snapshot/errors.js";
import { fixtureText } from "../helpers/fixtures.js";

const read = (name: string) => fixtureText(`router-lab/${name}`);
const STRICT: ParseOptions = { lenient: false, warn: () => undefined };
const LB_IP = parseIPv4("172.16.1.1")!;

describe("router-side formats", () => {
  it("reads the router's ECMP route for the LoadBalancer IP, nexthop by nexthop", () => {
    const table = ipRouteFormat.parse(wholeFile("ecmp.txt", read("router-ip-route.ecmp.txt")), STRICT);
    const lb = table.routes.find((r) => r.destination.address === LB_IP)!;
    expect(lb).toMatchObject({ nhid: 70, proto: "bgp", metric: 20, destination: { length: 32 } });
    expect(lb.nexthops.map((n) => [formatIPv4(n.via!), n.dev, n.weight])).toEqual([
      ["192.168.20.100", "eth2", 1],
      ["192.168.10.100", "eth1", 1],
      ["192.168.10.101", "eth1", 1],
    ]);
    expect(table.routes[0]).toMatchObject({ destination: { address: 0, length: 0 }, metric: 100 });
    // Printing and reading again gives the same routes.
    const again = ipRouteFormat.parse(wholeFile("printed", ipRouteFormat.print(table)), STRICT);
    expect(again).toEqual(table);
  });

  it("reads single-path pod CIDR routes", () => {
    const table = ipRouteFormat.parse(wholeFile("p.txt", read("router-ip-route.podcidr.txt")), STRICT);
    expect(
      table.routes.map(
        (r) =>
          `${formatIPv4(r.destination.address)}/${r.destination.length} ${formatIPv4(r.nexthops[0]!.via!)}`,
      ),
    ).toEqual([
      "172.20.0.0/24 192.168.10.100",
      "172.20.1.0/24 192.168.10.101",
      "172.20.2.0/24 192.168.20.100",
    ]);
  });

  it("reads vtysh's three multipath paths", () => {
    const route = vtyshShowIpBgpFormat.parse(
      wholeFile("b.txt", read("router-vtysh-show-ip-bgp-lbip.txt")),
      STRICT,
    );
    expect(route.prefix).toEqual({ address: LB_IP, length: 32 });
    expect(route.paths.map((p) => [formatIPv4(p.nexthop), p.best, p.multipath])).toEqual([
      ["192.168.10.100", true, true],
      ["192.168.20.100", false, true],
      ["192.168.10.101", false, true],
    ]);
    expect(multipathNexthops(route)).toHaveLength(3);
  });

  it("reads the L2-announcement leases and ties one to its LoadBalancer IP through the route policies", () => {
    const leases = kubectlGetLeaseFormat.parse(wholeFile("l.txt", read("kubectl-get-lease.txt")), STRICT);
    expect(leases.leases).toEqual([{ service: "default-webpod", holder: "k8s-ctr" }]);
    const two = kubectlGetLeaseFormat.parse(
      wholeFile("l2.txt", read("kubectl-get-lease.two-services.txt")),
      STRICT,
    );
    expect(two.leases.map((l) => l.holder)).toEqual(["k8s-w1", "k8s-ctr"]);
    const policies = bgpRoutePoliciesFormat.parse(wholeFile("p.txt", read("bgp-route-policies.txt")), STRICT);
    expect(policies.services).toEqual([
      {
        service: "webpod-default",
        addressType: "LoadBalancerIP",
        prefixes: [{ address: LB_IP, length: 32 }],
      },
    ]);
    expect(sameService("default-webpod", "webpod-default")).toBe(true);
    expect(sameService("default-netshoot-web", "webpod-default")).toBe(false);
    const { inputs } = readRouterFiles(
      [
        { name: "lease", text: read("kubectl-get-lease.two-services.txt") },
        { name: "policies", text: read("bgp-route-policies.txt") },
      ],
      STRICT,
    );
    // Two leases: the route policy says which one holds 172.16.1.1.
    expect(l2Holder(inputs, LB_IP)).toBe("k8s-ctr");
  });

  it("recognises each output by content and prefers the FIB over BGP for next hops", () => {
    const names = [
      "router-ip-route.ecmp.txt",
      "router-vtysh-show-ip-bgp-lbip.txt",
      "kubectl-get-lease.txt",
      "bgp-route-policies.txt",
    ];
    expect(names.map((n) => recogniseRouterFile(read(n))?.kind)).toEqual([
      "ip-route",
      "vtysh-show-ip-bgp-prefix",
      "kubectl-get-lease",
      "cilium-bgp-route-policies",
    ]);
    expect(recogniseRouterFile(read("service-list.lb-ip.txt"))).toBeUndefined();
    const { inputs } = readRouterFiles(
      names.map((n) => ({ name: n, text: read(n) })),
      STRICT,
    );
    expect(routerNexthops(inputs, LB_IP)?.source).toBe("ip route 172.16.1.1/32");
    const bgpOnly = readRouterFiles(
      [{ name: "b", text: read("router-vtysh-show-ip-bgp-lbip.txt") }],
      STRICT,
    ).inputs;
    expect(routerNexthops(bgpOnly, LB_IP)?.nexthops.map((n) => formatIPv4(n.via))).toEqual([
      "192.168.10.100",
      "192.168.20.100",
      "192.168.10.101",
    ]);
    expect(routerNexthops(bgpOnly, parseIPv4("8.8.8.8")!)).toBeUndefined();
  });

  it("rejects bad lines with file:line and escapes what it quotes", () => {
    const bad = (
      format: { parse: (s: ReturnType<typeof wholeFile>, o: ParseOptions) => unknown },
      text: string,
    ) => {
      try {
        format.parse(wholeFile("in\x1b[31m.txt", text), STRICT);
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(
      bad(ipRouteFormat, "172.16.1.1 nhid 70 proto bgp metric 20\nnexthop via 300.1.1.1 dev eth2 weight 1\n"),
    ).toMatch(/^in\\x1b\[31m\.txt:2: expected a route .*nexthop via ADDR/);
    expect(bad(ipRouteFormat, "nexthop via 1.1.1.1 dev eth2 weight 1\n")).toMatch(
      /:1: expected a route line before its `nexthop` lines/,
    );
    expect(bad(ipRouteFormat, "10.0.0.0/8 via 1.2.3.4 dev eth0 bogus\x07 x\n")).toMatch(
      /:1: .*bogus\\u0007 x/,
    );
    expect(
      bad(vtyshShowIpBgpFormat, "BGP routing table entry for 172.16.1.1/32, version 7\nwhat is this\n"),
    ).toMatch(/:2: expected a path/);
    expect(bad(kubectlGetLeaseFormat, "NAME HOLDER AGE\ncilium-l2announce-a-b holder 1m extra\n")).toMatch(
      /:2: expected a lease row/,
    );
    expect(bad(bgpRoutePoliciesFormat, "VRouter Policy Name Type Match Peers\nnot a policy\n")).toMatch(
      /:2: expected a policy row/,
    );
  });
});
