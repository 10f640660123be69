/**
 * What Apache's Java client (zkCli.sh) actually puts on the wire, captured by a proxy,
 * next to what ours sends in the same situation: the first ConnectRequest is byte for
 * byte the same, and after a reconnect both re-register watches with setWatches under
 * an ordinary, counted xid. Java's primeConnection queues SetWatches with xid -8
 * (SET_WATCHES_XID), but ClientCnxnSocketNIO.doIO renumbers every packet except pings
 * and auth when it writes it, so -8 never reaches the server.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { BinaryInputArchive } from "../../src/jute/BinaryInputArchive.js";
import { RequestHeader } from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { servers, type RunningServer } from "./support/servers.js";
import { connected } from "./support/connected.js";
import { ZKCLI_SH, zkCliShAvailable } from "./support/cli.js";
import { startTcpProxy, type TcpProxy } from "./support/tcpProxy.js";

interface Frame {
  bytes: Buffer;
  xid?: number;
  type?: number;
}

/** Splits one connection's client→server bytes into frames; the first is the ConnectRequest. */
function frames(stream: Buffer): Frame[] {
  const out: Frame[] = [];
  for (let off = 0; off + 4 <= stream.length; ) {
    const len = stream.readInt32BE(off);
    const bytes = stream.subarray(off, off + 4 + len);
    off += 4 + len;
    if (out.length === 0) out.push({ bytes });
    else out.push({ bytes, ...RequestHeader.read(new BinaryInputArchive(bytes, {}, 4)) });
  }
  return out;
}

async function until(cond: () => boolean, what: string, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const setWatchesOf = (p: TcpProxy, conn: number) => frames(p.sent()[conn] ?? Buffer.alloc(0)).filter((f) => f.type === OpCode.setWatches);

for (const factory of servers) {
  describe.skipIf(!factory.available() || !zkCliShAvailable())(`on the wire, Java's client and ours (${factory.name})`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await factory.start();
    });
    afterAll(() => server?.stop());

    it("same first ConnectRequest; setWatches after a reconnect carries a counted xid, not -8", async () => {
      const javaProxy = await startTcpProxy(server.port);
      onTestFinished(() => javaProxy.close());
      const java = spawn(ZKCLI_SH, ["-server", javaProxy.connectString, "-timeout", "30000"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, TZ: "UTC" } });
      onTestFinished(() => void java.kill("SIGKILL"));
      let javaOut = "";
      java.stdout.on("data", (c) => (javaOut += c));
      java.stdin.write("create /wire x\nget -w /wire\n");
      await until(() => /\nx\n/.test(javaOut), "zkCli's get");
      javaProxy.dropConnections();
      await until(() => setWatchesOf(javaProxy, 1).length > 0, "zkCli's setWatches");
      java.stdin.end("quit\n");

      const oursProxy = await startTcpProxy(server.port);
      onTestFinished(() => oursProxy.close());
      const ours = await connected(oursProxy.connectString, 30000);
      await ours.zk.getData("/wire", true);
      oursProxy.dropConnections();
      await until(() => setWatchesOf(oursProxy, 1).length > 0, "our setWatches");

      const javaFirst = frames(javaProxy.sent()[0]!)[0]!.bytes;
      const oursFirst = frames(oursProxy.sent()[0]!)[0]!.bytes;
      // int len, protocolVersion 0, lastZxidSeen 0, timeOut 30000, sessionId 0, 16 zero bytes, readOnly false.
      expect(oursFirst.length).toBe(4 + 45);
      expect(oursFirst).toEqual(javaFirst);

      for (const p of [javaProxy, oursProxy]) {
        const [sw] = setWatchesOf(p, 1);
        expect(sw!.xid).toBeGreaterThan(0);
        // Everything on the second connection after the handshake is numbered in write order.
        const counted = frames(p.sent()[1]!).filter((f) => f.xid !== undefined && f.xid > 0);
        expect(counted[0]).toEqual(sw);
      }
    }, 60_000);
  });
}
