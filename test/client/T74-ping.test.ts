/**
 * T74 — ping scheduling and session timeout [001 L9302–9459], on a ManualClock.
 * readTimeout is 2/3 of the negotiated timeout; a ping is due at readTimeout/2 after the
 * last write, a second early once a second has passed, and at least every 10 s when the
 * loop is awake; a read timeout drops the connection (Disconnected) and a reconnect that
 * is not the first waits a random < 1000 ms.
 */
import { describe, expect, it } from "vitest";
import { EventType, KeeperState } from "../../src/jute/Watcher.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import { notification, type FakeClient } from "./support/FakeSocket.js";

let client: FakeClient;

const pings = (c: FakeClient) => c.sock.requests().filter((r) => r.type === OpCode.ping);

/** Lets `ms` pass in silence, then wakes the send loop with a notification (the loop only looks at the clock when woken). */
async function wakeAfter(c: FakeClient, ms: number): Promise<void> {
  await c.clock.advance(ms);
  c.sock.receive(notification(EventType.NodeCreated, KeeperState.SyncConnected, "/x"));
  await c.clock.advance(0);
}

describe("T74 ping scheduling", () => {
  it("T74 an idle session pings at readTimeout/2 with xid -2", async () => {
    client = fakeClient("h:1", 30000);
    await handshake(client, 30000);
    expect(client.cnxn.readTimeout).toBe(20000);
    await client.clock.advance(9999);
    expect(pings(client)).toHaveLength(0);
    await client.clock.advance(1);
    expect(pings(client)).toEqual([expect.objectContaining({ xid: -2, type: OpCode.ping })]);
  });

  it("T74 readTimeout 20000, idleSend 9500, idleRecv 0: 10000 - 9500 - 1000 < 0, so a ping goes now", async () => {
    client = fakeClient("h:1", 30000);
    await handshake(client, 30000);
    await client.clock.advance(9500);
    expect(pings(client)).toHaveLength(0);
    // Something arrives: the loop wakes with idleRecv 0 and idleSend 9500.
    client.sock.receive(notification(EventType.NodeCreated, KeeperState.SyncConnected, "/x"));
    await client.clock.advance(0);
    expect(pings(client)).toHaveLength(1);
    expect(client.clock.now()).toBe(9500);
  });

  it("T74 within the first second of idleness there is no early ping", async () => {
    client = fakeClient("h:1", 30000);
    await handshake(client, 30000);
    await wakeAfter(client, 800);
    expect(pings(client)).toHaveLength(0);
  });

  it("T74 an awake loop pings once more than 10 s have passed since the last write, whatever the timeout", async () => {
    client = fakeClient("h:1", 60000);
    await handshake(client, 60000);
    expect(client.cnxn.readTimeout).toBe(40000);
    await wakeAfter(client, 10000);
    expect(pings(client)).toHaveLength(0); // exactly 10 s is not more than 10 s
    await wakeAfter(client, 1);
    expect(pings(client)).toHaveLength(1);
  });

  it("T74 idleRecv reaching readTimeout times the connection out: Disconnected, then a reconnect after a random pause < 1000 ms", async () => {
    client = fakeClient("h1:1,h2:2", 30000);
    await handshake(client, 30000);
    const { sock, clock, events } = client;
    // The server stays silent, pings included.
    await clock.advance(19999);
    expect(sock.connects).toHaveLength(1);
    expect(events.map((e) => e.state)).toEqual([KeeperState.SyncConnected]);
    await clock.advance(1);
    expect(events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
    // 100 ms cleanup pause, no spin delay (the other host is next), then random() * 1000 = 500 ms.
    await clock.advance(599);
    expect(sock.connects).toHaveLength(1);
    await clock.advance(1);
    expect(sock.connects).toHaveLength(2);
    // A second connection, primed: the ConnectRequest carries the session to re-attach to.
    sock.accept();
    await clock.advance(0);
    const connects = sock.written.filter((w) => w.kind === "connect");
    expect(connects).toHaveLength(2);
    expect(connects[1]!.kind === "connect" && connects[1]!.req.sessionId).toBe(0x1234n);
  });

  it("T74 closing after a timeout delivers Closed last", async () => {
    client = fakeClient("h1:1", 30000);
    await handshake(client, 30000);
    await client.clock.advance(20000);
    const closed = client.zk.close();
    await client.clock.advance(5000);
    await closed;
    expect(client.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected, KeeperState.Closed]);
  });
});
