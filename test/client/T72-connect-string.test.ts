/**
 * T72 — connect strings [001 L8898–8961]: host lists, default port, the last-colon rule,
 * chroot; and StaticHostProvider's shuffle and back-off.
 */
import { describe, expect, it } from "vitest";
import { ConnectStringParser, DEFAULT_PORT } from "../../src/client/ConnectStringParser.js";
import { IllegalArgumentException } from "../../src/client/PathUtils.js";
import { StaticHostProvider } from "../../src/client/StaticHostProvider.js";

/** A seeded [0,1) generator (mulberry32), so shuffles are reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("T72 ConnectStringParser", () => {
  it("T72 h1:2181,h2:2182/app gives chroot /app and two addresses", () => {
    const p = new ConnectStringParser("h1:2181,h2:2182/app");
    expect(p.chrootPath).toBe("/app");
    expect(p.serverAddresses).toEqual([
      { host: "h1", port: 2181 },
      { host: "h2", port: 2182 },
    ]);
  });

  it("T72 h1,h2:/ gives no chroot and the default port for both (a trailing ':' is ignored)", () => {
    const p = new ConnectStringParser("h1,h2:/");
    expect(p.chrootPath).toBeNull();
    expect(p.serverAddresses).toEqual([
      { host: "h1", port: DEFAULT_PORT },
      { host: "h2", port: DEFAULT_PORT },
    ]);
  });

  it("T72 empty entries and blanks are dropped; the port follows the last colon", () => {
    const p = new ConnectStringParser(" a:1 ,, b:2:3 ,");
    expect(p.serverAddresses).toEqual([
      { host: "a", port: 1 },
      { host: "b:2", port: 3 },
    ]);
  });

  it("T72 bracketed IPv6 literals", () => {
    const p = new ConnectStringParser("[::1]:2182,[fe80::1]/x/y");
    expect(p.serverAddresses).toEqual([
      { host: "::1", port: 2182 },
      { host: "fe80::1", port: DEFAULT_PORT },
    ]);
    expect(p.chrootPath).toBe("/x/y");
    expect(() => new ConnectStringParser("[::1")).toThrow("has no matching ']'");
    expect(() => new ConnectStringParser("[::1]x")).toThrow("does not have : after ]");
    expect(() => new ConnectStringParser("[::1]:")).toThrow("doesn't have a port after colon");
  });

  it("T72 an invalid chroot or port is refused", () => {
    expect(() => new ConnectStringParser("h:1/app/")).toThrow(IllegalArgumentException);
    expect(() => new ConnectStringParser("h:1/a//b")).toThrow("empty node name specified @3");
    expect(() => new ConnectStringParser("h:port")).toThrow('For input string: "port"');
  });
});

describe("T72 StaticHostProvider", () => {
  const addrs = [1, 2, 3, 4, 5].map((i) => ({ host: `h${i}`, port: 2180 + i }));

  it("T72 shuffles once, then walks the list round-robin", () => {
    const hp = new StaticHostProvider(addrs, seeded(42));
    const order = hp.addresses();
    expect([...order].sort((a, b) => a.port - b.port)).toEqual(addrs);
    expect(order).not.toEqual(addrs); // this seed moves something
    const seen = Array.from({ length: 10 }, () => hp.next(0).address);
    expect(seen).toEqual([...order, ...order]);
  });

  it("T72 asks for the spin delay only after a full round without a session", () => {
    const hp = new StaticHostProvider(addrs.slice(0, 3), seeded(1));
    expect([0, 1, 2, 3].map(() => hp.next(1000).spinDelayMs)).toEqual([0, 0, 0, 1000]);
    // Connected to the 4th pick (index 0 again): the next round counts from it.
    hp.onConnected();
    expect([0, 1, 2].map(() => hp.next(1000).spinDelayMs)).toEqual([0, 0, 1000]);
    expect(hp.next(0).spinDelayMs).toBe(0);
  });

  it("T72 refuses an empty list", () => {
    expect(() => new StaticHostProvider([])).toThrow("A HostProvider may not be empty!");
  });
});
