// Generates a little real traffic on the loopback interface only (127.0.0.1 and ::1) while
// make-captures.sh runs tcpdump: a TCP exchange, a UDP exchange, a UDP datagram to a closed port (the
// kernel answers with ICMP port unreachable) and, when IPv6 is up, a TCP exchange over ::1.
//   npx tsx test/captures/loopback-traffic.ts
import { createSocket } from "node:dgram";
import { connect, createServer } from "node:net";

export const PORTS = { tcp: 47001, udp: 47002, closedUdp: 47003, tcp6: 47004 } as const;

function tcpExchange(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.on("data", () => socket.end("pong\n")));
    server.on("error", reject);
    server.listen(port, host, () => {
      const client = connect(port, host, () => client.write("ping\n"));
      client.on("error", reject);
      client.on("data", () => client.end());
      client.on("close", () => server.close(() => resolve()));
    });
  });
}

function udpExchange(): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createSocket("udp4");
    const client = createSocket("udp4");
    server.on("message", (message, from) => server.send(message, from.port, from.address));
    client.on("message", () => {
      // A datagram to a closed port: the kernel answers with ICMP port unreachable.
      client.send("nobody", PORTS.closedUdp, "127.0.0.1", () => {
        setTimeout(() => {
          client.close();
          server.close();
          resolve();
        }, 100);
      });
    });
    client.on("error", () => undefined);
    server.on("error", reject);
    server.bind(PORTS.udp, "127.0.0.1", () => client.send("query", PORTS.udp, "127.0.0.1"));
  });
}

await tcpExchange("127.0.0.1", PORTS.tcp);
await udpExchange();
await tcpExchange("::1", PORTS.tcp6).catch((err: Error) => console.error(`no IPv6 loopback: ${err.message}`));
