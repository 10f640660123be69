/**
 * Crashes and damaged files, end to end on a zk-server process:
 * - kill -9 under write load loses no acknowledged write, with lone and with batched
 *   commits (a reply is only sent after the txn's write, so everything acknowledged is
 *   in the file);
 * - a torn or zero-filled log tail is cut back to the last whole record on restart, and
 *   the server then appends after it;
 * - a corrupt newest snapshot falls back to the one before, and the log replays the rest.
 */
import { openSync, readdirSync, statSync, truncateSync, writeSync, closeSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import * as proto from "../../src/jute/proto.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { freePort } from "../support/net.js";
import { startOurServerProcess, type OurServerProcess } from "../support/ourServerProcess.js";
import { RawClient } from "../support/RawClient.js";

const OPEN = [{ perms: 31, id: { scheme: "world", id: "anyone" } }];
const cleanup: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkcrash-"));
  cleanup.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

async function start(dataDir: string, port: number, extra: Record<string, string | number> = {}): Promise<OurServerProcess> {
  const s = await startOurServerProcess({ dataDir, port, extraConfig: { snapCount: 100, preAllocSize: 64, ...extra } });
  cleanup.push(() => s.stop());
  return s;
}

async function create(c: RawClient, path: string, data = "x"): Promise<number> {
  return (await c.request(OpCode.create, proto.CreateRequest, { path, data: Buffer.from(data), acl: OPEN, flags: 0 })).err;
}

async function get(c: RawClient, path: string): Promise<{ err: number; data?: string }> {
  const r = await c.request(OpCode.getData, proto.GetDataRequest, { path, watch: false });
  return r.err !== 0 ? { err: r.err } : { err: 0, data: proto.GetDataResponse.decode(r.body).data?.toString() };
}

function files(dataDir: string, prefix: string): string[] {
  const dir = join(dataDir, "version-2");
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix))
    .sort((a, b) => Number(BigInt("0x" + a.split(".")[1]) - BigInt("0x" + b.split(".")[1])))
    .map((f) => join(dir, f));
}

describe("crash recovery", () => {
  // One writer: every commit is a lone txn, written inline on the event loop once the
  // disk has been quick (FileTxnLog); four: batches of several, through the thread pool.
  it.each([4, 1])("kill -9 under write load loses no acknowledged write (%i writers, one request each in flight)", async (writerCount) => {
    const dataDir = tempDir();
    const port = await freePort();
    const s = await start(dataDir, port);
    const acked: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      const c = await RawClient.connect(s.port);
      for (let n = 0; !stop; n++) {
        const path = `/w${w}-${n}`;
        const err = await create(c, path, `${w}:${n}`);
        if (err === 0) acked.push(path);
        else if (err === -4) break; // the connection died with the server
      }
      c.destroy();
    };
    const writers = Array.from({ length: writerCount }, (_, w) => writer(w));
    // Kill once the load is real: 1.5 s and at least 300 acknowledged creates (a count,
    // not a time, so a slow machine waits longer rather than failing the bar below).
    const started = Date.now();
    while (Date.now() - started < 1500 || (acked.length < 300 && Date.now() - started < 30_000)) await new Promise((r) => setTimeout(r, 50));
    await s.kill();
    stop = true;
    await Promise.all(writers);
    expect(acked.length).toBeGreaterThan(100);

    const again = await start(dataDir, port);
    const c = await RawClient.connect(again.port);
    cleanup.push(() => c.destroy());
    const missing: string[] = [];
    for (const p of acked) {
      const r = await get(c, p);
      if (r.err !== 0) missing.push(p);
    }
    expect(missing).toEqual([]);
    // And the server takes new writes on top of the recovered log.
    expect(await create(c, "/after-crash")).toBe(0);
  }, 120_000);

  it("a torn or zero-filled log tail is cut back to the last whole record", async () => {
    for (const damage of ["torn", "zeros"] as const) {
      const dataDir = tempDir();
      const port = await freePort();
      let s = await start(dataDir, port, { snapCount: 100000 });
      let c = await RawClient.connect(s.port);
      for (let i = 0; i < 20; i++) expect(await create(c, `/t${i}`, "d".repeat(50))).toBe(0);
      c.destroy();
      await s.stop();

      // The last whole record is /t19's create; damage it in the middle.
      const log = files(dataDir, "log.").at(-1)!;
      const size = statSync(log).size;
      const data = Buffer.alloc(size);
      const fd = openSync(log, "r+");
      const { readSync } = await import("node:fs");
      readSync(fd, data, 0, size, 0);
      let end = size;
      while (end > 0 && data[end - 1] === 0) end--; // skip preallocated zeros: end = after the last 0x42
      expect(data[end - 1]).toBe(0x42);
      if (damage === "torn") {
        closeSync(fd);
        truncateSync(log, end - 20);
      } else {
        writeSync(fd, Buffer.alloc(20), 0, 20, end - 20);
        closeSync(fd);
      }

      s = await start(dataDir, port, { snapCount: 100000 });
      c = await RawClient.connect(s.port);
      expect((await get(c, "/t18")).data).toBe("d".repeat(50));
      expect((await get(c, "/t19")).err).toBe(-101);
      expect(await create(c, "/t19", "again")).toBe(0);
      c.destroy();
      await s.stop();
      // The new write landed after the cut: a third start replays it.
      s = await start(dataDir, port, { snapCount: 100000 });
      c = await RawClient.connect(s.port);
      expect((await get(c, "/t19")).data).toBe("again");
      c.destroy();
      expect(s.output()).not.toMatch(/CRC check failed/);
    }
  }, 120_000);

  it("a corrupt newest snapshot falls back to the one before it", async () => {
    const dataDir = tempDir();
    const port = await freePort();
    let s = await start(dataDir, port, { snapCount: 40 });
    let c = await RawClient.connect(s.port);
    for (let i = 0; i < 200; i++) expect(await create(c, `/s${i}`, `v${i}`)).toBe(0);
    c.destroy();
    await s.stop();
    const snaps = files(dataDir, "snapshot.");
    expect(snaps.length).toBeGreaterThan(2);
    const newest = snaps.at(-1)!;
    const fd = openSync(newest, "r+");
    writeSync(fd, Buffer.from("garbage garbage garbage"), 0, 23, Math.floor(statSync(newest).size / 2));
    closeSync(fd);

    s = await start(dataDir, port, { snapCount: 40 });
    c = await RawClient.connect(s.port);
    cleanup.push(() => c.destroy());
    for (const i of [0, 99, 199]) expect((await get(c, `/s${i}`)).data).toBe(`v${i}`);
  }, 120_000);
});
