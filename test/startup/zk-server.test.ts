/**
 * `npx zk-server zoo.cfg` as an operator runs it: it serves quickly, says what is wrong
 * with a bad config (key and line) and exits with zkServer.sh's codes, refuses an
 * ensemble config it cannot run, and keeps its data across a restart.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OpCode } from "../../src/jute/ZooDefs.js";
import * as proto from "../../src/jute/proto.js";
import { fourLetterWord, freePort, waitForServing } from "../support/net.js";
import { startOurServerProcess, type OurServerProcess } from "../support/ourServerProcess.js";
import { RawClient } from "../support/RawClient.js";

const ROOT = resolve(import.meta.dirname, "../..");
const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function runZkServer(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, "bin/zk-server.js"), ...args], { encoding: "utf8", env: { ...process.env, ZK_LOG_LEVEL: "ERROR" }, timeout: 30_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkserver-"));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

describe("zk-server", () => {
  it("answers ruok and srvr soon after it starts", async () => {
    // Warm the bundle first so the timing below is the server's start, not a build.
    const warm = await startOurServerProcess();
    await warm.stop();
    const t0 = performance.now();
    const s = await startOurServerProcess();
    cleanup.push(() => s.stop());
    const elapsed = performance.now() - t0;
    expect(await fourLetterWord(s.port, "ruok")).toBe("imok");
    expect(await fourLetterWord(s.port, "srvr")).toMatch(/Mode: standalone/);
    // bench/ measures this precisely; here only a guard against a regression to seconds.
    expect(elapsed).toBeLessThan(3000);
  });

  it("exits 2 with the file, line and key of a bad setting", () => {
    const d = tempDir();
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ndataDir=${d}\nclientPort=notaport\n`);
    const r = runZkServer([cfg]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`${cfg}:3: clientPort: "notaport" is not an integer`);
  });

  it("exits 2 with a usage line when the config argument is missing", () => {
    const r = runZkServer([]);
    expect(r.code).toBe(2);
    expect(r.out).toContain("Usage: zk-server zoo.cfg");
  });

  it("refuses an ensemble config with an explicit message (quorum mode is not in this build)", () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "1\n");
    const cfg = join(d, "zoo.cfg");
    writeFileSync(cfg, `tickTime=2000\ninitLimit=5\nsyncLimit=2\ndataDir=${d}\nclientPort=2181\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n`);
    const r = runZkServer([cfg]);
    expect(r.code).toBe(78);
    expect(r.out).toContain("quorum mode (election, sync, broadcast) is not part of this build yet");
  });

  it("keeps znodes and sessions across a clean restart on the same data dir", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    let s: OurServerProcess = await startOurServerProcess({ dataDir, port });
    const c = await RawClient.connect(s.port);
    for (let i = 0; i < 50; i++) {
      const r = await c.request(OpCode.create, proto.CreateRequest, { path: `/n${i}`, data: Buffer.from(`v${i}`), acl: OPEN, flags: 0 });
      expect(r.err).toBe(0);
    }
    const eph = await c.request(OpCode.create, proto.CreateRequest, { path: "/eph", data: null, acl: OPEN, flags: 1 });
    expect(eph.err).toBe(0);
    const session = c.session!;
    c.destroy();
    expect(await s.stop()).toBe(0);

    s = await startOurServerProcess({ dataDir, port });
    cleanup.push(() => s.stop());
    await waitForServing(s.port);
    // The session survives the restart (its timeout has not run out): re-attach with it.
    const again = await RawClient.open(s.port);
    cleanup.push(() => again.destroy());
    const rsp = await again.handshake({ session, timeOut: session.timeOut });
    expect(rsp.sessionId).toBe(session.sessionId);
    for (const i of [0, 17, 49]) {
      const r = await again.request(OpCode.getData, proto.GetDataRequest, { path: `/n${i}`, watch: false });
      expect(r.err).toBe(0);
      expect(proto.GetDataResponse.decode(r.body).data?.toString()).toBe(`v${i}`);
    }
    const e = await again.request(OpCode.exists, proto.ExistsRequest, { path: "/eph", watch: false });
    expect(proto.ExistsResponse.decode(e.body).stat.ephemeralOwner).toBe(session.sessionId);
  });
});
