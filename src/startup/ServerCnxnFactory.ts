/**
 * ServerCnxnFactory — the client port: accepts connections, enforces the per-address
 * connection limit, and knows which connection carries which session.
 *
 * Reimplements `org.apache.zookeeper.server.ServerCnxnFactory` and
 * `NIOServerCnxnFactory`. Chapter 03 (startup creates it before the server: chapter-map
 * T28/T29 discuss how Java picks NIO or Netty and sizes its threads [001 L1834–1957]).
 * G4: it is the client-facing listener, not a server-to-server channel.
 *
 * Differs from Java: there is one implementation (Node's net.Server drives every socket
 * from the event loop), so there is nothing to choose between and no selector or worker
 * threads to size; `zookeeper.serverCnxnFactory` is accepted for compatibility and
 * rejected only if it names something other than the NIO or Netty factory.
 */
import { createServer, type Server, type Socket } from "node:net";
import { trace } from "../trace/index.js";
import { getLogger, hex } from "../util/Logger.js";
import type { ACL, Id } from "../jute/data.js";
import type { ConnectRequest, RequestHeader } from "../jute/proto.js";
import { Perms } from "../jute/ZooDefs.js";
import { ServerCnxn, type DisconnectReason, type ServerCnxnHandler } from "../server/ServerCnxn.js";
import type { CnxnRegistry, ZooKeeperServer } from "../server/ZooKeeperServer.js";
import { FourLetterCommands, type CnxnFactoryView, type CommandEnvironment } from "../server/command/FourLetterCommands.js";

const LOG = getLogger("NIOServerCnxnFactory");

export const NIO_FACTORY = "org.apache.zookeeper.server.NIOServerCnxnFactory";
export const NETTY_FACTORY = "org.apache.zookeeper.server.NettyServerCnxnFactory";

// #region factory-selection
/**
 * Java's createFactory: the class named by zookeeper.serverCnxnFactory, NIO by default,
 * any other name an IOException (T28). Both Java factories map to our one listener.
 */
export function checkFactoryName(name: string | undefined): "NIO" | "Netty" {
  if (name === undefined || name === NIO_FACTORY) return "NIO";
  if (name === NETTY_FACTORY) return "Netty";
  throw new Error(`Couldn't instantiate ${name}`);
}

/**
 * How NIOServerCnxnFactory.configure sizes its threads (T29): √(cores/2) selector
 * threads (at least 1; 4 for 32 cores) and 2×cores workers, unless the
 * zookeeper.nio.* properties say otherwise; and no TLS on NIO. Node serves every socket
 * from one event loop, so these numbers are reported, not used.
 */
export function nioThreadSizing(cores: number, props: { numSelectorThreads?: number; numWorkerThreads?: number; secure?: boolean } = {}): { selectorThreads: number; workerThreads: number } {
  if (props.secure) throw new Error("SSL isn't supported in NIOServerCnxn");
  const selectorThreads = props.numSelectorThreads ?? Math.max(Math.floor(Math.sqrt(Math.fround(cores / 2))), 1);
  if (selectorThreads < 1) throw new Error("numSelectorThreads must be at least 1");
  return { selectorThreads, workerThreads: props.numWorkerThreads ?? 2 * cores };
}
// #endregion factory-selection

export interface FactoryOptions {
  host: string;
  port: number;
  /** Connections allowed from one IP address; 0 = unlimited (maxClientCnxns). */
  maxClientCnxns: number;
  /** zoo.cfg `clientPortListenBacklog`: the listen queue's length; -1 leaves the default. */
  listenBacklog?: number;
  /** Connections allowed in all, from everywhere (`zookeeper.maxCnxns`); 0 = unlimited. */
  maxCnxns?: number;
  /**
   * How long a connection may stay without a session, in ms
   * (`zookeeper.nio.sessionlessCnxnTimeout`, 10000 by default).
   */
  sessionlessCnxnTimeoutMs?: number;
  /** The 4lw.commands.whitelist value ("" = just srvr, "*" = all). */
  fourLetterWordWhitelist: string;
  /** What `conf`, `envi` and `initial_configuration` report (zoo.cfg, its text). */
  operations?: CommandEnvironment;
}

export class ServerCnxnFactory implements ServerCnxnHandler, CnxnRegistry, CnxnFactoryView {
  private server: Server | null = null;
  private zks: ZooKeeperServer | null = null;
  readonly cnxns = new Set<ServerCnxn>();
  private readonly bySession = new Map<bigint, ServerCnxn>();
  private readonly perIp = new Map<string, number>();
  private fourLetter: FourLetterCommands | null = null;
  private expirer: NodeJS.Timeout | null = null;
  localPort = 0;

  constructor(private readonly opts: FactoryOptions) {}

  get maxBuffer(): number {
    return this.zks?.config.maxBuffer ?? 0xfffff;
  }

  // #region startup
  /**
   * Binds the client port, then starts `zks` (ServerCnxnFactory.startup), in Java's
   * order: a port that is taken fails the start before any snapshot is read or written,
   * and while the database loads a client is accepted and closed, and `ruok` answers.
   */
  async startup(zks: ZooKeeperServer, startServer = true): Promise<void> {
    this.zks = zks;
    zks.cnxns = this;
    const env = { maxClientCnxns: this.opts.maxClientCnxns, ...this.opts.operations };
    this.fourLetter = new FourLetterCommands(zks, this, this.opts.fourLetterWordWhitelist, env);
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      const backlog = (this.opts.listenBacklog ?? -1) > 0 ? this.opts.listenBacklog : undefined;
      server.listen({ port: this.opts.port, host: this.opts.host, backlog }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address();
    this.localPort = typeof addr === "object" && addr !== null ? addr.port : this.opts.port;
    LOG.info(`binding to port ${this.opts.host}:${this.localPort}`);
    trace.state("ServerCnxnFactory", "listening", { maxClientCnxns: this.opts.maxClientCnxns });
    this.startExpirer();
    if (startServer) {
      trace.message("ServerCnxnFactory", "ZooKeeperServer", "startup");
      await zks.startup();
    }
  }
  // #endregion startup

  // #region accept
  private accept(socket: Socket): void {
    const ip = (socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const count = this.perIp.get(ip) ?? 0;
    const maxCnxns = this.opts.maxCnxns ?? 0;
    if (maxCnxns > 0 && this.cnxns.size >= maxCnxns) {
      LOG.error(`Too many connections ${this.cnxns.size} - max is ${maxCnxns}`);
      this.reject(socket, `Too many connections max allowed is ${maxCnxns}`);
      return;
    }
    if (this.opts.maxClientCnxns > 0 && count >= this.opts.maxClientCnxns) {
      this.reject(socket, `Too many connections from /${ip} - max is ${this.opts.maxClientCnxns}`);
      return;
    }
    this.perIp.set(ip, count + 1);
    const cnxn = new ServerCnxn(socket, this);
    this.cnxns.add(cnxn);
    LOG.debug(`Accepted socket connection from ${cnxn.remoteSocketAddress}`);
  }

  private reject(socket: Socket, why: string): void {
    LOG.warn(`Error accepting new connection: ${why}`);
    this.zks?.serverStats.metrics.CONNECTION_REJECTED.add(1);
    socket.destroy();
  }
  // #endregion accept

  // #region expirer
  /**
   * Java's ConnectionExpirerThread, for connections without a session: one that has
   * read nothing for sessionlessCnxnTimeout is closed. Without this, a client that
   * connects and never sends its ConnectRequest would hold a connection, and a place
   * under maxClientCnxns, for as long as it likes. Java files connections in buckets
   * of that length and empties a bucket when its time comes, so a connection goes
   * between one and two timeouts after its last read; a sweep every timeout does the
   * same. Connections with a session are left to the session tracker, which closes
   * them when the session expires.
   */
  private startExpirer(): void {
    const timeout = this.opts.sessionlessCnxnTimeoutMs ?? 10_000;
    if (timeout <= 0) return;
    this.expirer = setInterval(() => {
      const now = this.now();
      for (const cnxn of [...this.cnxns]) {
        if (cnxn.sessionId !== 0n || now - cnxn.lastRead < timeout) continue;
        LOG.info(`Closing connection from ${cnxn.remoteSocketAddress}: no session after ${timeout} ms`);
        this.zks?.serverStats.metrics.SESSIONLESS_CONNECTIONS_EXPIRED.add(1);
        cnxn.close("CONNECTION_EXPIRED");
      }
    }, timeout);
    this.expirer.unref();
  }
  // #endregion expirer

  // ---------------------------------------------------------------- ServerCnxnHandler

  isRunning(): boolean {
    return this.zks?.isRunning() ?? false;
  }

  processConnectRequest(cnxn: ServerCnxn, req: ConnectRequest, readOnly: boolean | null): void {
    this.zks!.serverStats.metrics.CONNECTION_REQUEST_COUNT.add(1);
    this.zks!.processConnectRequest(cnxn, req, readOnly);
  }

  processPacket(cnxn: ServerCnxn, hdr: RequestHeader, body: Buffer): void {
    this.zks!.processPacket(cnxn, hdr, body);
  }

  shouldThrottle(outstanding: number): boolean {
    return this.zks?.shouldThrottle(outstanding) ?? false;
  }

  isFourLetterWord(word: string): boolean {
    return FourLetterCommands.isKnown(word);
  }

  fourLetterWord(cnxn: ServerCnxn, word: string): Promise<string | null> | string | null {
    LOG.info(`Processing ${word} command from ${cnxn.remoteSocketAddress}`);
    return this.fourLetter!.run(word, cnxn);
  }

  mayRead(acl: ACL[], authInfo: Id[], path: string): boolean {
    try {
      this.zks!.checkACL(acl, Perms.READ, authInfo, path, null);
      return true;
    } catch {
      return false;
    }
  }

  packetReceived(bytes: number): void {
    this.zks?.serverStats.incrementPacketsReceived();
    this.zks?.serverStats.metrics.BYTES_RECEIVED_COUNT.add(bytes);
  }

  packetSent(): void {
    this.zks?.serverStats.incrementPacketsSent();
  }

  responseSent(size: number, notification: boolean): void {
    const stats = this.zks?.serverStats;
    stats?.updateClientResponseSize(size);
    (notification ? stats?.metrics.WATCH_BYTES : stats?.metrics.RESPONSE_BYTES)?.add(size);
  }

  now(): number {
    return this.zks?.clock.now() ?? performance.now();
  }

  connectionClosed(cnxn: ServerCnxn, reason: DisconnectReason): void {
    if (!this.cnxns.delete(cnxn)) return;
    const ip = cnxn.remoteAddress;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
    if (cnxn.sessionId !== 0n && this.bySession.get(cnxn.sessionId) === cnxn) this.bySession.delete(cnxn.sessionId);
    this.zks?.zkDb.dataTree.removeCnxn(cnxn);
    if (reason !== "FOUR_LETTER_WORD") {
      LOG.info(`Closed socket connection for client ${cnxn.remoteSocketAddress} ${cnxn.sessionId === 0n ? "(no session established for client)" : `which had sessionid ${hex(cnxn.sessionId)}`}: ${reason}`);
    }
  }

  // ---------------------------------------------------------------- CnxnRegistry

  registerSession(cnxn: ServerCnxn): void {
    this.bySession.set(cnxn.sessionId, cnxn);
  }

  closeSession(sessionId: bigint, reason: "CLIENT_RECONNECT" | "SESSION_EXPIRED" | "CLIENT_CLOSED_SESSION"): boolean {
    const cnxn = this.bySession.get(sessionId);
    if (cnxn === undefined) return false;
    this.bySession.delete(sessionId);
    cnxn.close(reason);
    return true;
  }

  // ---------------------------------------------------------------- CnxnFactoryView

  getConnections(): Iterable<ServerCnxn> {
    return this.cnxns;
  }

  resetAllConnectionStats(): void {
    for (const c of this.cnxns) c.resetStats();
  }

  get numAliveConnections(): number {
    return this.cnxns.size;
  }

  /** Stops accepting, closes every connection (ServerCnxnFactory.shutdown). */
  async shutdown(): Promise<void> {
    if (this.expirer !== null) clearInterval(this.expirer);
    this.expirer = null;
    const server = this.server;
    this.server = null;
    for (const c of [...this.cnxns]) c.close("SERVER_SHUTDOWN");
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.zks?.shutdown();
  }
}
