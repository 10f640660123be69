/**
 * The reconnect path on an in-memory socket [001 L9560–9578, completed from the 3.8
 * source]: a dropped connection is re-established on the next host with the same session
 * id, password and lastZxidSeen, and every watch is re-registered through setWatches
 * (setWatches2 when persistent watches exist), chroot applied, split into ~128 KiB batches.
 */
import { describe, expect, it } from "vitest";
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { Code } from "../../src/jute/KeeperException.js";
import { ExistsResponse, GetChildrenResponse, GetDataResponse, SetWatches, SetWatches2 } from "../../src/jute/proto.js";
import type { RecordCodec } from "../../src/jute/Record.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { SET_WATCHES_MAX_LENGTH } from "../../src/client/SendThread.js";
import type { WatchedEvent } from "../../src/client/WatchedEvent.js";
import { AddWatchMode } from "../../src/client/ZooKeeper.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import { connectResponse, notification, reply, type FakeClient } from "./support/FakeSocket.js";
import { turns } from "./support/ManualClock.js";

let client: FakeClient;

const stat = { czxid: 1n, mzxid: 1n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1n };
let zxid = 100n;

/** Plays the server for every request not answered yet. */
async function answer(c: FakeClient, from: number, how: (type: number) => { err?: number; codec?: RecordCodec<unknown>; value?: unknown }): Promise<number> {
  const reqs = c.sock.requests().slice(from);
  for (const r of reqs) {
    if (r.xid < 0) continue;
    const a = how(r.type);
    c.sock.receive(reply(r.xid, ++zxid, a.err ?? 0, a.codec, a.value));
  }
  await turns();
  return from + reqs.length;
}

function decode<T>(codec: RecordCodec<T>, body: Buffer): T {
  return codec.read(new BinaryInputArchive(body));
}

describe("reconnect and setWatches", () => {
  it("re-attaches the session on the next host and re-registers every kind of watch, chroot applied", async () => {
    client = fakeClient("h1:1,h2:2/app", 30000);
    await handshake(client, 30000, 0x1234n);
    const fired: string[] = [];
    const w = (e: WatchedEvent) => fired.push(`${e.type}:${e.state}:${e.path}`);
    const ops = [client.zk.exists("/x", w), client.zk.getData("/y", w), client.zk.getChildren("/", w), client.zk.addWatch("/p", AddWatchMode.PERSISTENT_RECURSIVE, w)];
    await turns();
    await answer(client, 0, (type) =>
      type === OpCode.exists ? { err: Code.NONODE } : type === OpCode.getData ? { codec: GetDataResponse as RecordCodec<unknown>, value: { data: null, stat } } : type === OpCode.getChildren ? { codec: GetChildrenResponse as RecordCodec<unknown>, value: { children: [] } } : {},
    );
    await Promise.all(ops);
    const lastZxid = client.cnxn.lastZxid;
    expect(lastZxid).toBe(zxid);
    expect(client.zk.getWatches()).toEqual({ data: ["/y"], exist: ["/x"], child: ["/"], persistent: [], persistentRecursive: ["/p"] });

    // The server goes away.
    client.sock.serverClose();
    await turns();
    expect(client.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
    // Watchers hear about the disconnect too (one watcher, so once).
    expect(fired).toEqual([`${EventType.None}:${KeeperState.Disconnected}:null`]);

    await client.clock.advance(600);
    expect(client.sock.connects.map((a) => a.host)).toEqual(["h1", "h2"]);
    client.sock.accept();
    await turns();
    const conReq = client.sock.written.filter((x) => x.kind === "connect")[1]!;
    expect(conReq.kind === "connect" && conReq.req).toMatchObject({ sessionId: 0x1234n, lastZxidSeen: lastZxid, timeOut: 30000, passwd: Buffer.alloc(16, 7) });
    // Gated until the session is confirmed.
    expect(client.sock.requests().filter((r) => r.conn === 2)).toEqual([]);
    client.sock.receive(connectResponse(30000, 0x1234n));
    await turns();
    const sent = client.sock.requests().filter((r) => r.conn === 2);
    expect(sent.map((r) => r.type)).toEqual([OpCode.setWatches2]);
    // Java queues it with xid -8, but the socket numbers it like any request.
    expect(sent[0]!.xid).toBe(5);
    expect(decode(SetWatches2, sent[0]!.body)).toEqual({
      relativeZxid: lastZxid,
      dataWatches: ["/app/y"],
      existWatches: ["/app/x"],
      childWatches: ["/app"],
      persistentWatches: [],
      persistentRecursiveWatches: ["/app/p"],
    });
    client.sock.receive(reply(5, lastZxid, 0));
    // The re-registered exists watch fires on creation, the chroot taken off the path.
    client.sock.receive(notification(EventType.NodeCreated, KeeperState.SyncConnected, "/app/x"));
    await turns();
    expect(fired.slice(1)).toEqual([`${EventType.None}:${KeeperState.SyncConnected}:null`, `${EventType.NodeCreated}:${KeeperState.SyncConnected}:/x`]);
    expect(client.zk.getWatches().exist).toEqual([]);
  });

  it("splits many watches into SetWatches batches of about 128 KiB of paths", async () => {
    client = fakeClient("h1:1", 30000);
    await handshake(client);
    const long = "n".repeat(999);
    const paths = Array.from({ length: 300 }, (_, i) => `/${long}${String(i).padStart(3, "0")}`);
    const gets = paths.map((p) => client!.zk.getData(p, true));
    await turns();
    await answer(client, 0, () => ({ codec: GetDataResponse as RecordCodec<unknown>, value: { data: null, stat } }));
    await Promise.all(gets);
    client.sock.serverClose();
    await client.clock.advance(2000); // 100 ms pause, 1000 ms spin delay (one host), 500 ms jitter
    client.sock.accept();
    await turns();
    client.sock.receive(connectResponse(30000, 0x1234n));
    await turns();
    const batches = client.sock.requests().filter((r) => r.conn === 2);
    expect(batches.every((b) => b.type === OpCode.setWatches)).toBe(true);
    const lists = batches.map((b) => decode(SetWatches, b.body).dataWatches);
    // Each path is 1003 characters: a batch closes on the path that reaches 131072.
    const perBatch = Math.ceil(SET_WATCHES_MAX_LENGTH / 1003);
    expect(lists.map((l) => l.length).sort((a, b) => b - a)).toEqual([perBatch, perBatch, 300 - 2 * perBatch]);
    // Java pushes each batch to the front of the queue, so they go out last batch first.
    expect(lists.flat().sort()).toEqual([...paths].sort());
    expect(lists[0]!.length).toBe(300 - 2 * perBatch);
  });

  it("zookeeper.disableAutoWatchReset drops one-shot watches on disconnect instead", async () => {
    client = fakeClient("h1:1", 30000, {}, { "zookeeper.disableAutoWatchReset": "true" });
    await handshake(client);
    const got = client.zk.getData("/y", true);
    await turns();
    await answer(client, 0, () => ({ codec: GetDataResponse as RecordCodec<unknown>, value: { data: null, stat } }));
    await got;
    client.sock.serverClose();
    await client.clock.advance(2000);
    client.sock.accept();
    await turns();
    client.sock.receive(connectResponse(30000, 0x1234n));
    await turns();
    expect(client.sock.requests().filter((r) => r.conn === 2)).toEqual([]);
    expect(client.zk.getWatches().data).toEqual([]);
  });

  it("exists on a missing node waits in existWatches; on an existing one it becomes a data watch", async () => {
    client = fakeClient();
    await handshake(client);
    const a = client.zk.exists("/missing", true);
    const b = client.zk.exists("/present", true);
    await turns();
    const [ra, rb] = client.sock.requests();
    client.sock.receive(reply(ra!.xid, 5n, Code.NONODE));
    client.sock.receive(reply(rb!.xid, 6n, 0, ExistsResponse, { stat }));
    expect(await a).toBeNull();
    expect(await b).toEqual(stat);
    expect(client.zk.getWatches()).toMatchObject({ exist: ["/missing"], data: ["/present"] });
  });
});
