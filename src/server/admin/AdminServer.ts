/**
 * AdminServer — the HTTP endpoint that answers `GET /commands/<name>` with JSON.
 *
 * Reimplements `org.apache.zookeeper.server.admin.JettyAdminServer` (with its
 * CommandServlet) and the choice `AdminServerFactory` makes. Chapter 03 (operations):
 * startup creates it before the client port opens, so an operator can ask a server
 * that is still loading its database what it is doing.
 *
 * Configuration (zoo.cfg keys, which become `zookeeper.admin.*` properties):
 * `admin.enableServer` (only the exact string "true" enables it, as in Java; default
 * "true"), `admin.serverAddress` (0.0.0.0), `admin.serverPort` (8080),
 * `admin.commandURL` (/commands), `admin.idleTimeout` (30000 ms).
 *
 * Requests: `GET <commandURL>` or `<commandURL>/` lists the commands as links;
 * `GET <commandURL>/<name>?key=value` runs a command with the query as its arguments;
 * HEAD is GET without a body, OPTIONS lists the methods, other methods get 405 and
 * other paths 404, as Jetty answers them.
 *
 * Differs from Java: Node's http module instead of Jetty; no TLS or port unification
 * (`admin.portUnification`, `admin.forceHttps`), so there is no https.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { getLogger } from "../../util/Logger.js";
import type { ZooKeeperServer } from "../ZooKeeperServer.js";
import type { CommandContext } from "../command/CommandContext.js";
import { boundPort, closeHttp, listenHttp } from "../metrics/HttpEndpoint.js";
import { getPrimaryNames, runCommand } from "./Commands.js";
import { CONTENT_TYPE, toJson } from "./JsonOutputter.js";

const LOG = getLogger("JettyAdminServer");

export const DEFAULT_PORT = 8080;
export const DEFAULT_IDLE_TIMEOUT = 30000;
export const DEFAULT_COMMAND_URL = "/commands";
export const DEFAULT_ADDRESS = "0.0.0.0";

export class AdminServerException extends Error {
  override name = "AdminServerException";
}

export interface AdminServerOptions {
  address?: string;
  port?: number;
  commandUrl?: string;
  idleTimeoutMs?: number;
}

export class AdminServer {
  readonly address: string;
  readonly commandUrl: string;
  private readonly requestedPort: number;
  private readonly idleTimeoutMs: number;
  private server: Server | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(
    private ctx: CommandContext,
    opts: AdminServerOptions = {},
  ) {
    this.address = opts.address ?? DEFAULT_ADDRESS;
    this.requestedPort = opts.port ?? DEFAULT_PORT;
    this.commandUrl = opts.commandUrl ?? DEFAULT_COMMAND_URL;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT;
  }

  /** The bound port (the requested one, or what the OS picked for port 0). */
  get port(): number {
    return boundPort(this.server, this.requestedPort);
  }

  /** As Java's setZooKeeperServer: a quorum peer hands over each role's server in turn. */
  setZooKeeperServer(zks: ZooKeeperServer): void {
    this.ctx = { ...this.ctx, zks };
  }

  /** Binds the port; idempotent. A server that was shut down stays down. */
  start(): Promise<void> {
    if (this.stopping !== null) return Promise.reject(new AdminServerException("AdminServer has been shut down"));
    this.starting ??= this.listen();
    return this.starting;
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        LOG.warn(`Exception running command ${req.url}:`, e);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    server.keepAliveTimeout = this.idleTimeoutMs;
    try {
      await listenHttp(server, this.requestedPort, this.address);
    } catch (e) {
      const msg = `Problem starting AdminServer on address ${this.address}, port ${this.requestedPort} and command URL ${this.commandUrl}`;
      throw new AdminServerException(`${msg}: ${(e as Error).message}`, { cause: e });
    }
    this.server = server;
    LOG.info(`Started AdminServer on address ${this.address}, port ${this.port} and command URL ${this.commandUrl}`);
  }

  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => {});
      const server = this.server;
      if (server !== null) await closeHttp(server);
    })();
    return this.stopping;
  }

  // #region command-servlet
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://admin");
    const path = url.pathname;
    const underServlet = path === this.commandUrl || path.startsWith(this.commandUrl + "/");
    if (!underServlet) return sendError(res, 404, "Not Found", path);
    if (req.method === "OPTIONS") {
      res.writeHead(200, { Allow: "GET, HEAD, TRACE, OPTIONS", "Content-Length": 0 }).end();
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { "Content-Length": 0 }).end();
      return;
    }
    const pathInfo = path.substring(this.commandUrl.length);
    let body: string;
    const headers: Record<string, string> = {};
    if (pathInfo === "" || pathInfo === "/") {
      // No command: links to every command, sorted (Jetty sends no content type here).
      body = getPrimaryNames()
        .sort()
        .map((c) => `<a href="${this.commandUrl}/${c}">${c}</a>\n<br/>\n`)
        .join("");
    } else {
      const kwargs = new Map<string, string>();
      for (const [k, v] of url.searchParams) if (!kwargs.has(k)) kwargs.set(k, v);
      const response = await runCommand(decodeURIComponent(pathInfo.substring(1)), this.ctx, kwargs);
      body = toJson(response.toMap());
      headers["Content-Type"] = CONTENT_TYPE;
    }
    headers["Content-Length"] = String(Buffer.byteLength(body));
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  }
  // #endregion command-servlet
}

/** Jetty's error page, which is what a client of Java's admin server sees for a bad path. */
function sendError(res: ServerResponse, status: number, message: string, uri: string): void {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const body =
    `<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n` +
    `<title>Error ${status} ${message}</title>\n</head>\n<body><h2>HTTP ERROR ${status} ${message}</h2>\n` +
    `<table>\n<tr><th>URI:</th><td>${esc(uri)}</td></tr>\n<tr><th>STATUS:</th><td>${status}</td></tr>\n` +
    `<tr><th>MESSAGE:</th><td>${message}</td></tr>\n</table>\n\n</body>\n</html>\n`;
  res.writeHead(status, { "Content-Type": "text/html;charset=iso-8859-1", "Cache-Control": "must-revalidate,no-cache,no-store", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
