/**
 * T73 — timeouts [001 L9171–9173]: before a session exists, a connection attempt gets
 * sessionTimeout / hostCount and a silent connection readTimeout = 2/3 of the session
 * timeout; both are recomputed from the timeout the server negotiates.
 */
import { describe, expect, it } from "vitest";
import { KeeperState } from "../../src/jute/Watcher.js";
import { ZKClientConfig } from "../../src/client/ZKClientConfig.js";
import { fakeClient, handshake } from "./support/fakeClient.js";
import type { FakeClient } from "./support/FakeSocket.js";
import { turns } from "./support/ManualClock.js";

let client: FakeClient;

describe("T73 timeouts", () => {
  it("T73 sessionTimeout 30000 with 3 hosts: connectTimeout 10000, readTimeout 20000", () => {
    client = fakeClient("a:1,b:2,c:3", 30000);
    expect(client.cnxn.connectTimeout).toBe(10000);
    expect(client.cnxn.readTimeout).toBe(20000);
  });

  it("T73 integer arithmetic as in Java: 10000 ms over 3 hosts is 3333, two thirds is 6666", () => {
    client = fakeClient("a:1,b:2,c:3", 10000);
    expect(client.cnxn.connectTimeout).toBe(3333);
    expect(client.cnxn.readTimeout).toBe(6666);
  });

  it("T73 the negotiated timeout replaces the requested one", async () => {
    client = fakeClient("a:1,b:2,c:3", 30000);
    await handshake(client, 12000);
    expect(client.zk.getSessionTimeout()).toBe(12000);
    expect(client.cnxn.readTimeout).toBe(8000);
    expect(client.cnxn.connectTimeout).toBe(4000);
  });

  it("T73 a connect that never completes is abandoned after connectTimeout, and the next host tried", async () => {
    client = fakeClient("a:1,b:2,c:3", 30000);
    await turns();
    const { sock, clock } = client;
    expect(sock.connects).toHaveLength(1);
    await clock.advance(9999);
    expect(sock.connects).toHaveLength(1);
    // At 10000 the attempt times out and the loop pauses 100 ms. No connection was ever
    // primed, so this still counts as the first connect: no random reconnect pause.
    await clock.advance(1);
    await clock.advance(100);
    expect(sock.connects).toHaveLength(2);
    expect(sock.connects[1]).not.toEqual(sock.connects[0]);
  });

  it("T73 a request times out with REQUESTTIMEOUT after zookeeper.request.timeout and the connection is dropped", async () => {
    client = fakeClient("a:1", 30000, {}, { [ZKClientConfig.ZOOKEEPER_REQUEST_TIMEOUT]: "5000" });
    await handshake(client);
    const pending = client.zk.getData("/x").catch((e: unknown) => e);
    await client.clock.advance(5000);
    const err = (await pending) as { code: number };
    expect(err.code).toBe(-122);
    expect(client.events.map((e) => e.state)).toEqual([KeeperState.SyncConnected, KeeperState.Disconnected]);
  });
});
