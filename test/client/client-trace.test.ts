/**
 * What the client reports to the tracer (src/client/ClientTrace.ts), on an in-memory
 * socket: the frames it writes, described from their bytes (the xid the socket assigned,
 * the server path with the chroot), the frames it reads, its state changes and the
 * events it delivers, in the order they happen. Chapter 09's diagrams rest on these.
 */
import { describe, expect, it } from "vitest";
import { GetDataResponse } from "../../src/jute/proto.js";
import type { RecordCodec } from "../../src/jute/Record.js";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { describeEvent, recordTrace, TraceRecorder } from "../../src/trace/index.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import { connectResponse, notification, reply } from "./support/FakeSocket.js";
import { turns } from "./support/ManualClock.js";

const stat = { czxid: 5n, mzxid: 5n, ctime: 0n, mtime: 0n, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 1, numChildren: 0, pzxid: 5n };

describe("client trace events", () => {
  it("handshake, a request with a watch, its notification, a reconnect with setWatches", async () => {
    const c = fakeClient("h1:2181/app", 30000, { traceName: "A" });
    const { events } = await recordTrace(async () => {
      await handshake(c, 20000, 0x1234n);
      const got = c.zk.getData("/cfg", () => undefined);
      await turns();
      c.sock.receive(reply(1, 5n, 0, GetDataResponse as RecordCodec<unknown>, { data: Buffer.from("x"), stat }));
      await got;
      c.sock.receive(notification(EventType.NodeDataChanged, KeeperState.SyncConnected, "/app/cfg"));
      await turns();
      // The watch is set again, and a third getData is in flight when the connection drops.
      const again = c.zk.getData("/cfg", () => undefined);
      await turns();
      c.sock.receive(reply(2, 6n, 0, GetDataResponse as RecordCodec<unknown>, { data: Buffer.from("y"), stat }));
      await again;
      const lost = c.zk.getData("/cfg", () => undefined).catch((e: Error) => e.message);
      await turns();
      // The client reconnects, with the session and the watch.
      c.sock.serverClose();
      expect(await lost).toBe("KeeperErrorCode = ConnectionLoss for /cfg");
      await c.clock.advance(2000);
      c.sock.accept();
      await turns();
      c.sock.receive(connectResponse(20000, 0x1234n));
      await turns();
    });
    expect(events.map(describeEvent)).toEqual([
      "A: CONNECTING server=h1:2181",
      "A -> h1:2181  ConnectRequest protocolVersion=0 lastZxidSeen=0:0 timeOut=30000 sessionId=0x0 passwd=16 zero bytes readOnly=false",
      "h1:2181 -> A  ConnectResponse timeOut=20000 sessionId=0x1234 passwd=16 bytes from the server readOnly=false",
      "A: CONNECTED",
      "A: WatchedEvent state=SyncConnected type=None path=null watchers=1",
      "A -> h1:2181  getData xid=1 path=/app/cfg",
      "h1:2181 -> A  reply op=getData xid=1 zxid=0:5 err=OK",
      "h1:2181 -> A  notification type=NodeDataChanged state=SyncConnected path=/app/cfg",
      "A: WatchedEvent state=SyncConnected type=NodeDataChanged path=/cfg watchers=1",
      "A -> h1:2181  getData xid=2 path=/app/cfg",
      "h1:2181 -> A  reply op=getData xid=2 zxid=0:6 err=OK",
      "A -> h1:2181  getData xid=3 path=/app/cfg",
      "A: connection lost reason=EndOfStreamException",
      "A: WatchedEvent state=Disconnected type=None path=null watchers=2",
      "A: CONNECTING server=h1:2181",
      "A -> h1:2181  ConnectRequest protocolVersion=0 lastZxidSeen=0:6 timeOut=30000 sessionId=0x1234 passwd=16 bytes from the server readOnly=false",
      "h1:2181 -> A  ConnectResponse timeOut=20000 sessionId=0x1234 passwd=16 bytes from the server readOnly=false",
      "A: CONNECTED",
      "A -> h1:2181  setWatches xid=4 relativeZxid=0:6 dataWatches=/app/cfg",
      "A: WatchedEvent state=SyncConnected type=None path=null watchers=2",
    ]);
  });

  it("costs nothing when nobody listens: no event is built", async () => {
    const recorder = new TraceRecorder();
    const c = fakeClient();
    await handshake(c);
    expect(recorder.stop()).toEqual([]);
  });
});
