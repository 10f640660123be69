/**
 * The servers the client's interop suites run against, behind one small factory, so the
 * same tests can later run against our own server: add an entry to `servers`.
 */
import { apacheZooKeeperAvailable, startApacheZooKeeper } from "../../support/apacheZooKeeper.js";
import { startOurServerProcess } from "../../support/ourServerProcess.js";

export interface RunningServer {
  /** host:port on 127.0.0.1 */
  readonly connectString: string;
  readonly port: number;
  /** Stops the server and waits until it has exited (idempotent). */
  stop(): Promise<void>;
}

export interface ServerFactory {
  readonly name: string;
  /** False when this machine cannot run it (tests are then skipped, with this reason). */
  available(): boolean;
  /** `port` reuses a port (to restart on the same address); `dataDir` reuses state. */
  start(opts?: { port?: number; dataDir?: string; tickTime?: number }): Promise<RunningServer & { dataDir: string }>;
}

/** The part of a started server the suites use (its stop resolves to nothing). */
function running(zk: { connectString: string; port: number; dataDir: string; stop(): Promise<unknown> }): RunningServer & { dataDir: string } {
  return {
    connectString: zk.connectString,
    port: zk.port,
    dataDir: zk.dataDir,
    stop: async () => {
      await zk.stop();
    },
  };
}

export const servers: ServerFactory[] = [
  {
    name: "apache",
    available: apacheZooKeeperAvailable,
    async start(opts = {}) {
      const zk = await startApacheZooKeeper({
        port: opts.port,
        dataDir: opts.dataDir,
        // TTL nodes need extended types; both settings are server-side only.
        extraConfig: { extendedTypesEnabled: "true", tickTime: opts.tickTime ?? 2000 },
        systemProperties: { "zookeeper.extendedTypesEnabled": "true" },
      });
      return running(zk);
    },
  },
  {
    name: "ours",
    available: () => true,
    async start(opts = {}) {
      const zk = await startOurServerProcess({
        port: opts.port,
        dataDir: opts.dataDir,
        extraConfig: { extendedTypesEnabled: "true", tickTime: opts.tickTime ?? 2000 },
      });
      return running(zk);
    },
  },
];
