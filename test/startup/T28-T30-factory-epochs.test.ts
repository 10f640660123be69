/**
 * T28 factory selection, T29 NIO sizing [001 L1834–1957; 002 L609–619] and T30 the
 * epoch files [001 L2282–2353].
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkFactoryName, NETTY_FACTORY, NIO_FACTORY, nioThreadSizing } from "../../src/startup/ServerCnxnFactory.js";
import { ACCEPTED_EPOCH_FILENAME, CURRENT_EPOCH_FILENAME, loadEpochs } from "../../src/startup/QuorumPeerEpochs.js";
import { makeZxid } from "../../src/util/ZxidUtils.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkepoch-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("T28 factory selection", () => {
  it("T28 unset → NIO, the Netty class → Netty, a bogus class → error", () => {
    expect(checkFactoryName(undefined)).toBe("NIO");
    expect(checkFactoryName(NIO_FACTORY)).toBe("NIO");
    expect(checkFactoryName(NETTY_FACTORY)).toBe("Netty");
    expect(() => checkFactoryName("com.example.Bogus")).toThrow("Couldn't instantiate com.example.Bogus");
  });
});

describe("T29 NIO sizing", () => {
  it("T29 32 cores → 4 selector threads and 64 workers; 1 core → 1 selector thread", () => {
    expect(nioThreadSizing(32)).toEqual({ selectorThreads: 4, workerThreads: 64 });
    expect(nioThreadSizing(1)).toEqual({ selectorThreads: 1, workerThreads: 2 });
    expect(nioThreadSizing(8, { numSelectorThreads: 3 })).toEqual({ selectorThreads: 3, workerThreads: 16 });
  });
  it("T29 secure (TLS) is refused by the NIO factory", () => {
    expect(() => nioThreadSizing(4, { secure: true })).toThrow("SSL isn't supported in NIOServerCnxn");
  });
});

describe("T30 epoch files", () => {
  it("T30 a missing currentEpoch is written with the epoch of the last zxid (3:7 → 3)", () => {
    const d = tempDir();
    const epochs = loadEpochs(d, makeZxid(3n, 7n));
    expect(epochs).toEqual({ currentEpoch: 3n, acceptedEpoch: 3n });
    expect(readFileSync(join(d, CURRENT_EPOCH_FILENAME), "utf8")).toBe("3\n");
    expect(readFileSync(join(d, ACCEPTED_EPOCH_FILENAME), "utf8")).toBe("3\n");
  });

  it("T30 currentEpoch 2 behind a zxid of epoch 3 is an error, unless currentEpoch.tmp holds the newer one", () => {
    const d = tempDir();
    writeFileSync(join(d, CURRENT_EPOCH_FILENAME), "2\n");
    expect(() => loadEpochs(d, makeZxid(3n, 7n))).toThrow("The current epoch, 2, is older than the last zxid");
    writeFileSync(join(d, `${CURRENT_EPOCH_FILENAME}.tmp`), "3\n");
    expect(loadEpochs(d, makeZxid(3n, 7n)).currentEpoch).toBe(3n);
    expect(readFileSync(join(d, CURRENT_EPOCH_FILENAME), "utf8")).toBe("3\n");
  });

  it("T30 acceptedEpoch below currentEpoch is an error", () => {
    const d = tempDir();
    writeFileSync(join(d, CURRENT_EPOCH_FILENAME), "5\n");
    writeFileSync(join(d, ACCEPTED_EPOCH_FILENAME), "4\n");
    expect(() => loadEpochs(d, makeZxid(5n, 1n))).toThrow("The accepted epoch, 4 is less than the current epoch, 5");
  });
});
