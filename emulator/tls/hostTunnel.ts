// A forward proxy (for HTTPS_PROXY) that tunnels CONNECTs for public Azure host names, such as
// login.microsoftonline.com, to the local emulator's ports: clients keep the real names and end-to-end TLS,
// trusting the emulator's CA (whose leaf must carry those names), and nothing else leaves the machine.
import { createServer } from "node:http";
import { connect } from "node:net";
import type { AddressInfo, Socket } from "node:net";

export interface HostTunnelOptions {
  /** "host" (port 443) or "host:port" → local target, e.g. { "login.microsoftonline.com": { port: 8443 } }. */
  routes: Record<string, { host?: string; port: number }>;
  port?: number;
}

export interface HostTunnel {
  /** For HTTPS_PROXY (with NO_PROXY=127.0.0.1,localhost so local endpoints stay direct). */
  proxyUrl: string;
  close(): Promise<void>;
}

export async function startHostTunnel(options: HostTunnelOptions): Promise<HostTunnel> {
  const routes = new Map<string, { host: string; port: number }>();
  for (const [name, target] of Object.entries(options.routes)) {
    const key = name.includes(":") ? name.toLowerCase() : `${name.toLowerCase()}:443`;
    routes.set(key, { host: target.host ?? "127.0.0.1", port: target.port });
  }
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    // Plain-HTTP forwarding would let traffic bypass TLS; the local Azure only speaks HTTPS through tunnels.
    res.writeHead(502, { "Content-Type": "text/plain" }).end("The local Azure tunnel only accepts CONNECT.\n");
  });
  server.on("connect", (req, client: Socket, head: Buffer) => {
    const target = routes.get((req.url ?? "").toLowerCase());
    if (!target) {
      client.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\n\r\n${req.url ?? ""} is not part of the local Azure.\n`);
      return;
    }
    const upstream = connect(target.port, target.host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    }
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const s of sockets) s.destroy();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
