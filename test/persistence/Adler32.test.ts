/**
 * Adler-32: known vectors (RFC 1950 examples and zlib's), the 5552-byte reduction
 * boundary, continuation, and random inputs against zlib (a zlib stream ends with the
 * Adler-32 of the uncompressed data, so deflate is an independent oracle).
 */
import { randomBytes } from "node:crypto";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Adler32, adler32 } from "../../src/persistence/Adler32.js";

function zlibAdler(bytes: Buffer): number {
  const z = deflateSync(bytes, { level: 0 });
  return z.readUInt32BE(z.length - 4);
}

describe("Adler32", () => {
  it("matches known vectors", () => {
    expect(adler32(Buffer.alloc(0))).toBe(1);
    expect(adler32(Buffer.from("a"))).toBe(0x00620062);
    expect(adler32(Buffer.from("abc"))).toBe(0x024d0127);
    expect(adler32(Buffer.from("Wikipedia"))).toBe(0x11e60398);
    expect(adler32(Buffer.from("message digest"))).toBe(0x29750586);
    expect(adler32(Buffer.from("abcdefghijklmnopqrstuvwxyz"))).toBe(0x90860b20);
  });

  it("reduces correctly around the 5552-byte boundary with the largest bytes", () => {
    for (const n of [5551, 5552, 5553, 5552 * 3 + 1, 1 << 20]) {
      const ff = Buffer.alloc(n, 0xff);
      expect(adler32(ff), `n=${n}`).toBe(zlibAdler(ff));
    }
  });

  it("agrees with zlib on random inputs, in one piece and continued in pieces", () => {
    for (let i = 0; i < 50; i++) {
      const data = randomBytes(1 + Math.floor(Math.random() * 20000));
      const expected = zlibAdler(data);
      expect(adler32(data)).toBe(expected);
      const cut = Math.floor(Math.random() * data.length);
      const running = new Adler32();
      running.update(data.subarray(0, cut));
      running.update(data.subarray(cut));
      expect(running.getValue()).toBe(expected);
    }
  });

  it("is always an unsigned 32-bit value", () => {
    const v = adler32(Buffer.alloc(100000, 0xfe));
    expect(v).toBeGreaterThan(0x7fffffff);
    expect(v).toBe(zlibAdler(Buffer.alloc(100000, 0xfe)));
  });
});
