/**
 * Starts our server in this process for tests: a ServerCnxnFactory on 127.0.0.1 with
 * a port the OS picks, backed by in-memory storage unless a data dir is given.
 */
import { MemoryTxnSnapLog, type TxnSnapLog } from "../../src/data/ZKDatabase.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { ZooKeeperServer, type ServerConfig } from "../../src/server/ZooKeeperServer.js";

export interface OurZooKeeper {
  port: number;
  connectString: string;
  zks: ZooKeeperServer;
  factory: ServerCnxnFactory;
  stop(): Promise<void>;
}

export async function startOurZooKeeper(opts: { config?: Partial<ServerConfig>; snapLog?: TxnSnapLog; whitelist?: string; maxClientCnxns?: number } = {}): Promise<OurZooKeeper> {
  const zks = new ZooKeeperServer(opts.snapLog ?? new MemoryTxnSnapLog(), opts.config);
  const factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: opts.maxClientCnxns ?? 0, fourLetterWordWhitelist: opts.whitelist ?? "*" });
  await factory.startup(zks);
  return {
    port: factory.localPort,
    connectString: `127.0.0.1:${factory.localPort}`,
    zks,
    factory,
    stop: () => factory.shutdown(),
  };
}
