/**
 * T76 — write gating [001 L9800–9822]: once the ConnectRequest is written, nothing else is
 * written until the ConnectResponse has been read (an expired session's answer must not
 * be lost to a TCP reset caused by our own writes). Also: back-pressure stops writing
 * until 'drain', and the handshake's packets come first, in Java's order.
 */
import { describe, expect, it } from "vitest";
import { KeeperState } from "../../src/jute/Watcher.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { Code } from "../../src/jute/KeeperException.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import { connectResponse, type FakeClient } from "./support/FakeSocket.js";
import { turns } from "./support/ManualClock.js";

let client: FakeClient;

describe("T76 write gating", () => {
  it("T76 until the connect response arrives, only the ConnectRequest is written", async () => {
    client = fakeClient();
    client.zk.addAuthInfo("digest", "u:p");
    const early = [client.zk.exists("/a"), client.zk.exists("/b")].map((p) => p.catch(() => null));
    await turns();
    client.sock.accept();
    await turns();
    // More work arrives and time passes (less than the connect timeout): still gated.
    const later = client.zk.exists("/c").catch(() => null);
    await client.clock.advance(5000);
    expect(client.sock.written.map((w) => w.kind)).toEqual(["connect"]);
    // Behind the written ConnectRequest: the replayed auth, the auth queued by addAuthInfo
    // (Java sends an auth added before the first connect twice, too), and three exists.
    expect(client.cnxn.outgoingQueue).toHaveLength(5);

    client.sock.receive(connectResponse(30000, 0x77n));
    await turns();
    const wire = client.sock.requests().map((r) => [r.xid, r.type]);
    expect(wire).toEqual([
      [-4, OpCode.auth],
      [-4, OpCode.auth],
      [1, OpCode.exists],
      [2, OpCode.exists],
      [3, OpCode.exists],
    ]);
    void Promise.all([...early, later]);
  });

  it("T76 a full socket buffer stops writing until drain", async () => {
    client = fakeClient();
    await handshake(client);
    client.sock.acceptWrites = false;
    void client.zk.exists("/a").catch(() => null);
    void client.zk.exists("/b").catch(() => null);
    await turns();
    expect(client.sock.requests().map((r) => r.xid)).toEqual([1]);
    client.sock.drain();
    await turns();
    expect(client.sock.requests().map((r) => r.xid)).toEqual([1, 2]);
  });

  it("T76 an expired session's answer is read: Expired once, then Closed; queued requests fail with SESSIONEXPIRED", async () => {
    client = fakeClient("h1:1,h2:2", 30000, { sessionId: 0xdeadn, sessionPasswd: Buffer.alloc(16, 1) });
    const pending = client.zk.exists("/a").catch((e: { code: number }) => e.code);
    await turns();
    client.sock.accept();
    await turns();
    const connect = client.sock.written[0]!;
    expect(connect.kind === "connect" && connect.req.sessionId).toBe(0xdeadn);
    client.sock.receive(connectResponse(0, 0n));
    expect(await pending).toBe(Code.SESSIONEXPIRED);
    await client.clock.advance(60_000);
    expect(client.events.map((e) => e.state)).toEqual([KeeperState.Expired, KeeperState.Closed]);
    // No reconnect to the other host, and the handle is dead for good.
    expect(client.sock.connects).toHaveLength(1);
    expect(client.zk.getState()).toBe("CLOSED");
    await expect(client.zk.getData("/a")).rejects.toMatchObject({ code: Code.SESSIONEXPIRED });
    await client.zk.close();
    expect(client.events.filter((e) => e.state === KeeperState.Expired)).toHaveLength(1);
  });
});
