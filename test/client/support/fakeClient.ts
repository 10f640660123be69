/**
 * Builds a ZooKeeper handle whose socket is a FakeSocket and whose clock is a
 * ManualClock (closed when the test ends), and walks it through the handshake on request.
 */
import { onTestFinished } from "vitest";
import type { ClientCnxn } from "../../../src/client/ClientCnxn.js";
import { WatchedEvent } from "../../../src/client/WatchedEvent.js";
import { ZooKeeper, type ZooKeeperOptions } from "../../../src/client/ZooKeeper.js";
import { connectResponse, fakeConfig, FakeSocket, type FakeClient } from "./FakeSocket.js";
import { ManualClock, turns } from "./ManualClock.js";

export function fakeClient(connectString = "h1:2181", sessionTimeout = 30000, options: ZooKeeperOptions = {}, config: Record<string, string> = {}): FakeClient {
  const clock = new ManualClock();
  const events: WatchedEvent[] = [];
  const zk = new ZooKeeper(connectString, sessionTimeout, (e) => events.push(e), {
    clientConfig: fakeConfig(config),
    clock,
    random: () => 0.5,
    ...options,
  });
  const cnxn = (zk as unknown as { cnxn: ClientCnxn }).cnxn;
  // Closing waits for closeSession's answer, which never comes: let the clock run it out.
  onTestFinished(async () => {
    const closed = zk.close();
    await clock.advance(120_000);
    await closed;
  });
  return { zk, cnxn, sock: FakeSocket.last!, clock, events };
}

/** TCP connect accepted, ConnectRequest written, ConnectResponse received. */
export async function handshake(c: FakeClient, negotiatedTimeout = 30000, sessionId = 0x1234n): Promise<void> {
  await turns();
  c.sock.accept();
  await turns();
  c.sock.receive(connectResponse(negotiatedTimeout, sessionId));
  await turns();
}
