/**
 * T75 — framing [001 L9675–9780]: the first frame after connect is the connect result and
 * later frames are replies, however the bytes are split; ping and auth packets carry
 * their special xids and never wait in the pending queue; a frame length is checked
 * before anything waits for it, and a lying or unexpected frame drops the connection.
 */
import { describe, expect, it } from "vitest";
import { GetDataResponse } from "../../src/jute/proto.js";
import { KeeperState } from "../../src/jute/Watcher.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { Code } from "../../src/jute/KeeperException.js";
import { ZKClientConfig } from "../../src/client/ZKClientConfig.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import { connectResponse, reply, type FakeClient } from "./support/FakeSocket.js";
import { turns } from "./support/ManualClock.js";

let client: FakeClient;

const stat = { czxid: 5n, mzxid: 6n, ctime: 1n, mtime: 2n, version: 1, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 2, numChildren: 0, pzxid: 5n };

describe("T75 framing", () => {
  it("T75 the connect result and the first reply are decoded however the bytes are split", async () => {
    client = fakeClient();
    const got = client.zk.getData("/a");
    await turns();
    client.sock.accept();
    await turns();
    for (const b of connectResponse(30000, 0x42n)) client.sock.receive(Buffer.from([b]));
    await turns();
    expect(client.sock.requests().map((r) => r.xid)).toEqual([1]);
    // The reply in two uneven pieces, the first one ending inside the length prefix.
    const rep = reply(1, 6n, 0, GetDataResponse, { data: Buffer.from("hi"), stat });
    client.sock.receive(rep.subarray(0, 3));
    await turns();
    client.sock.receive(rep.subarray(3));
    const r = await got;
    expect(r.data?.toString()).toBe("hi");
    expect(r.stat).toEqual(stat);
    expect(client.zk.getSessionId()).toBe(0x42n);
    expect(client.cnxn.lastZxid).toBe(6n);
  });

  it("T75 ping (-2) and auth (-4) keep their xids and never enter the pending queue", async () => {
    client = fakeClient();
    await handshake(client);
    client.zk.addAuthInfo("digest", "u:p");
    const got = client.zk.getData("/a");
    await client.clock.advance(10000); // the ping falls due
    const wire = client.sock.requests().map((r) => [r.xid, r.type]);
    expect(wire).toEqual([
      [-4, OpCode.auth],
      [1, OpCode.getData],
      [-2, OpCode.ping],
    ]);
    expect(client.cnxn.pendingQueue.map((p) => p.requestHeader!.xid)).toEqual([1]);
    // Their answers come first and must not be taken for getData's.
    client.sock.receive(Buffer.concat([reply(-4, 0n), reply(-2, 0n), reply(1, 9n, 0, GetDataResponse, { data: null, stat })]));
    expect((await got).data).toBeNull();
  });

  for (const len of [-1, 0xfffff + 1, 0x7fffffff]) {
    it(`T75 a frame length of ${len} drops the connection at once (jute.maxbuffer is 0xfffff)`, async () => {
      client = fakeClient();
      await handshake(client);
      const got = client.zk.getData("/a").catch((e: { code: number }) => e.code);
      await turns();
      const hdr = Buffer.alloc(4);
      hdr.writeInt32BE(len);
      client.sock.receive(hdr);
      expect(await got).toBe(Code.CONNECTIONLOSS);
      await turns();
      expect(client.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
    });
  }

  it("T75 jute.maxbuffer in the client config raises the frame limit", async () => {
    client = fakeClient("h:1", 30000, {}, { [ZKClientConfig.JUTE_MAXBUFFER]: String(4 << 20) });
    await handshake(client);
    const got = client.zk.getData("/a");
    await turns();
    const big = Buffer.alloc(2 << 20, 1);
    client.sock.receive(reply(1, 7n, 0, GetDataResponse, { data: big, stat }));
    const data = (await got).data!;
    expect(data.length).toBe(big.length);
    expect(data.equals(big)).toBe(true);
  });

  it("T75 a reply for another xid than the oldest request drops the connection", async () => {
    client = fakeClient();
    await handshake(client);
    const a = client.zk.getData("/a").catch((e: { code: number }) => e.code);
    const b = client.zk.getData("/b").catch((e: { code: number }) => e.code);
    await turns();
    client.sock.receive(reply(2, 7n, 0, GetDataResponse, { data: null, stat }));
    expect([await a, await b]).toEqual([Code.CONNECTIONLOSS, Code.CONNECTIONLOSS]);
  });

  it("T75 a reply when nothing is pending drops the connection", async () => {
    client = fakeClient();
    await handshake(client);
    client.sock.receive(reply(5, 7n));
    await turns();
    await turns();
    expect(client.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
  });

  it("T75 a response record whose inner length lies fails the request with MARSHALLINGERROR and drops the connection", async () => {
    client = fakeClient();
    await handshake(client);
    const got = client.zk.getData("/a").catch((e: { code: number }) => e.code);
    await turns();
    const good = reply(1, 7n, 0, GetDataResponse, { data: Buffer.from("xy"), stat });
    // Claim 1000 bytes of data inside a frame that holds 2.
    const lie = Buffer.from(good);
    lie.writeInt32BE(1000, 4 + 16);
    client.sock.receive(lie);
    expect(await got).toBe(Code.MARSHALLINGERROR);
    await turns();
    expect(client.events.at(-1)!.state).toBe(KeeperState.Disconnected);
  });
});
