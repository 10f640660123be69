/**
 * A session moves between members of a real ensemble (three Apache ZooKeeper 3.8 peers):
 * kill the member the client is on, and the client reconnects to another member with the
 * same session id and password, re-registers its watches, and its ephemerals survive.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { Code } from "../../src/jute/KeeperException.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { apacheZooKeeperAvailable } from "../support/apacheZooKeeper.js";
import { startEnsemble, type Ensemble } from "./support/apacheEnsemble.js";
import { connected, record } from "./support/connected.js";
import { fourLetterWord } from "../support/net.js";

describe.skipIf(!apacheZooKeeperAvailable())("session moves within an Apache ZooKeeper ensemble", () => {
  let ensemble: Ensemble;
  beforeAll(async () => {
    ensemble = await startEnsemble();
  }, 120_000);
  afterAll(() => ensemble?.stop());

  it("killing the member the client is on moves the session; watches and ephemerals survive", async () => {
    const a = await connected(ensemble.connectString, 15000);
    const sid = a.zk.getSessionId();
    const onPort = a.zk.getRemoteSocketAddress()!.port;
    const victim = ensemble.members.find((m) => m.port === onPort)!;
    const survivors = ensemble.members.filter((m) => m !== victim);
    await a.zk.create("/ens", "0");
    await a.zk.create("/ens/eph", null, OPEN_ACL_UNSAFE, CreateMode.EPHEMERAL);
    await a.zk.getData("/ens", true);
    await a.zk.getChildren("/ens", true);

    await victim.kill();
    await a.waitFor((e) => e.state === KeeperState.Disconnected);
    await a.waitFor((e) => e.state === KeeperState.SyncConnected, 30000, 2);
    expect(a.zk.getSessionId()).toBe(sid);
    expect(survivors.map((m) => m.port)).toContain(a.zk.getRemoteSocketAddress()!.port);

    const b = await connected(survivors.map((m) => m.connectString).join(","), 15000);
    expect(await b.zk.exists("/ens/eph")).not.toBeNull();
    await b.zk.setData("/ens", "1");
    await b.zk.create("/ens/kid", null);
    await a.waitFor((e) => e.type === EventType.NodeDataChanged && e.path === "/ens");
    await a.waitFor((e) => e.type === EventType.NodeChildrenChanged && e.path === "/ens");
    await a.zk.sync("/ens");
    expect((await a.zk.getData("/ens")).data?.toString()).toBe("1");
  });
});

describe.skipIf(!apacheZooKeeperAvailable())("read-only mode in an Apache ZooKeeper ensemble", () => {
  let ensemble: Ensemble;
  beforeAll(async () => {
    // A read-only server can only hand out local sessions (creating a global one is a write).
    ensemble = await startEnsemble({ systemProperties: { "readonlymode.enabled": "true" }, extraConfig: { localSessionsEnabled: "true", localSessionsUpgradingEnabled: "true" } });
  }, 120_000);
  afterAll(() => ensemble?.stop());

  it("a canBeReadOnly client gets a read-only session from a server without quorum, then moves to a read-write one", async () => {
    const [mine, ...others] = ensemble.members as [(typeof ensemble.members)[0], ...typeof ensemble.members];
    const setup = await connected(mine.connectString, 15000);
    await setup.zk.create("/ro-mode", "before");
    await setup.zk.close();
    await Promise.all(others.map((m) => m.kill()));
    // The survivor serves read-only once it has given up finding a quorum.
    while ((await fourLetterWord(mine.port, "isro").catch(() => "")) !== "ro") await new Promise((r) => setTimeout(r, 200));

    const b = record(mine.connectString, 15000, { canBeReadOnly: true });
    await b.waitFor((e) => e.state === KeeperState.ConnectedReadOnly, 30000);
    expect(b.zk.getState()).toBe("CONNECTEDREADONLY");
    const roSession = b.zk.getSessionId();
    expect((await b.zk.getData("/ro-mode")).data?.toString()).toBe("before");
    await expect(b.zk.setData("/ro-mode", "during")).rejects.toMatchObject({ code: Code.NOTREADONLY });

    await ensemble.restart(1, 2);
    // pingRwServer asks "isro" (backing off from 100 ms) until a server says "rw", then moves there.
    await b.waitFor((e) => e.state === KeeperState.SyncConnected, 60000);
    expect(b.zk.getState()).toBe("CONNECTED");
    // It never had a read-write session, so it asked for a new one.
    expect(b.zk.getSessionId()).not.toBe(roSession);
    await b.zk.setData("/ro-mode", "after");
    expect((await b.zk.getData("/ro-mode")).data?.toString()).toBe("after");
  }, 180_000);
});
