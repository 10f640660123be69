/**
 * A session moves between members of a real ensemble (three Apache ZooKeeper 3.8 peers):
 * kill the member the client is on, and the client reconnects to another member with the
 * same session id and password, re-registers its watches, and its ephemerals survive.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateMode } from "../../src/jute/CreateMode.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OPEN_ACL_UNSAFE } from "../../src/jute/ZooDefs.js";
import { apacheZooKeeperAvailable } from "../support/apacheZooKeeper.js";
import { startEnsemble, type Ensemble } from "./support/apacheEnsemble.js";
import { connected } from "./support/connected.js";

describe.skipIf(!apacheZooKeeperAvailable())("session moves within an Apache ZooKeeper ensemble", () => {
  let ensemble: Ensemble;
  beforeAll(async () => {
    ensemble = await startEnsemble(3);
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
