/**
 * Bad bytes meet every decoder that faces the network or the disk: each jute record's
 * `decode` (src/jute: proto, data, txn, quorum), `decodeMultiRequest` (a multi request's
 * body) and `deserializeTxn` / `readTxnBody` (a logged or proposed transaction and the
 * members of a MultiTxn). Starting from valid encodings, seeded mutations truncate, flip
 * bits, lie about lengths and counts, insert, delete and append bytes. Every input must
 * decode or throw JuteError — never a TypeError or RangeError from Buffer internals —
 * quickly, and without allocating more than the input's size (a length of 0x7fffffff
 * fails before any allocation).
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx vitest run test/fuzz;
 * FUZZ_CASES scales the number of cases.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BinaryInputArchive, JuteError } from "../../src/jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../../src/jute/BinaryOutputArchive.js";
import * as data from "../../src/jute/data.js";
import * as proto from "../../src/jute/proto.js";
import * as quorum from "../../src/jute/quorum.js";
import type { RecordCodec } from "../../src/jute/Record.js";
import * as txn from "../../src/jute/txn.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { readTxnBody, deserializeTxn, serializeTxn, type TxnBody } from "../../src/persistence/TxnLogEntry.js";
import { decodeMultiRequest } from "../../src/server/MultiRecords.js";
import { SeededRandom } from "../support/random.js";
import { MUTATIONS, LYING_LENGTHS, randomValue } from "./support/generate.js";

const BASE_SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2026);
const SCALE = Number(process.env.FUZZ_CASES ?? 1);
/** A decode slower than this is a hang in the making (inputs are at most a few KB). */
const SLOW_MS = 200;

function isRecord(v: unknown): v is RecordCodec<unknown> {
  return typeof v === "object" && v !== null && "decode" in v && "fieldNames" in v && "name" in v;
}

/** Every record codec the modules export, once each. */
const RECORDS: Array<{ module: string; name: string; codec: RecordCodec<unknown> }> = Object.entries({ proto, data, txn, quorum }).flatMap(([module, exports]) =>
  Object.entries(exports)
    .filter(([, v]) => isRecord(v))
    .map(([name, codec]) => ({ module, name, codec: codec as RecordCodec<unknown> })),
);

// ---------------------------------------------------------------- allocation probe

/** Largest Buffer allocation requested while `track` is on. */
let allocPeak = 0;
let tracking = false;
const originals = { alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow };

beforeAll(() => {
  for (const key of Object.keys(originals) as Array<keyof typeof originals>) {
    const original = originals[key] as (size: number, ...rest: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[key] = (size: number, ...rest: unknown[]) => {
      if (tracking && size > allocPeak) allocPeak = size;
      return original.call(Buffer, size, ...rest);
    };
  }
});
afterAll(() => Object.assign(Buffer, originals));

interface Failure {
  seed: number;
  what: string;
  input: string;
  problem: string;
}

/**
 * Runs one decode and says what was wrong with how it failed, if anything: an error
 * other than JuteError, a slow decode, or an allocation larger than the input.
 */
function check(decode: () => unknown, input: Buffer): string | null {
  allocPeak = 0;
  tracking = true;
  const started = performance.now();
  let problem: string | null = null;
  try {
    decode();
  } catch (e) {
    if (!(e instanceof JuteError)) problem = `threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
  } finally {
    tracking = false;
  }
  let ms = performance.now() - started;
  // A pause of the machine (GC, a busy CI core) is not the decoder's: a slow decode
  // counts only if it is slow every time.
  for (let again = 0; again < 3 && ms > SLOW_MS; again++) {
    const t = performance.now();
    try {
      decode();
    } catch {
      // already classified above
    }
    ms = Math.min(ms, performance.now() - t);
  }
  if (problem === null && ms > SLOW_MS) problem = `took ${ms.toFixed(0)} ms`;
  // Decoding copies strings and buffers out of the input, never more than it holds.
  if (problem === null && allocPeak > input.length + 64) problem = `allocated ${allocPeak} bytes for a ${input.length}-byte input`;
  return problem;
}

function report(failures: Failure[]): string {
  return failures
    .slice(0, 10)
    .map((f) => `FUZZ_SEED=${f.seed} ${f.what}: ${f.problem}\n  input ${f.input}`)
    .join("\n");
}

/** Applies one to three mutations, named for the failure message. */
function damage(valid: Buffer, r: SeededRandom): { bytes: Buffer; how: string } {
  let bytes = valid;
  const names: string[] = [];
  for (let k = 1 + (r.chance(0.3) ? r.int(3) : 0); k > 0; k--) {
    const name = r.pick(Object.keys(MUTATIONS));
    names.push(name);
    bytes = MUTATIONS[name]!(bytes, r);
  }
  return { bytes, how: names.join("+") };
}

interface Case {
  valid: Buffer;
  decode: (bytes: Buffer) => unknown;
  what: string;
  /** The valid input must decode (not so when a case pairs bytes with another type). */
  mustDecode: boolean;
}

/**
 * Runs `count` cases, each from its own seed (`seedBase + i`, which the failure names):
 * `make` draws a valid input and its decoder, a damaged copy must decode or throw
 * JuteError within the limits `check` sets.
 */
function fuzz(count: number, seedBase: number, make: (r: SeededRandom) => Case): Failure[] {
  const failures: Failure[] = [];
  for (let i = 0; i < count; i++) {
    const seed = seedBase + i;
    const r = new SeededRandom(seed);
    const c = make(r);
    if (c.mustDecode && i < 50) c.decode(c.valid);
    const { bytes, how } = damage(c.valid, r);
    const problem = check(() => c.decode(bytes), bytes);
    if (problem) failures.push({ seed, what: `${c.what} ${how}`, input: bytes.toString("hex"), problem });
  }
  return failures;
}

// ---------------------------------------------------------------- valid inputs

/** An op code with the record it carries. */
const op = <T>(type: number, codec: RecordCodec<T>): [number, RecordCodec<unknown>] => [type, codec as RecordCodec<unknown>];

/** A random MultiOperationRecord body: transaction ops, or read ops, never both. */
function randomMulti(r: SeededRandom): Buffer {
  const oa = new BinaryOutputArchive();
  const reads = r.chance(0.3);
  const writes: Array<[number, RecordCodec<unknown>]> = [
    op(OpCode.create, proto.CreateRequest),
    op(OpCode.create2, proto.CreateRequest),
    op(OpCode.createContainer, proto.CreateRequest),
    op(OpCode.createTTL, proto.CreateTTLRequest),
    op(OpCode.delete, proto.DeleteRequest),
    op(OpCode.setData, proto.SetDataRequest),
    op(OpCode.check, proto.CheckVersionRequest),
  ];
  const readOps: Array<[number, RecordCodec<unknown>]> = [
    op(OpCode.getChildren, proto.GetChildrenRequest),
    op(OpCode.getData, proto.GetDataRequest),
  ];
  for (let i = r.int(5); i > 0; i--) {
    const [type, codec] = r.pick(reads ? readOps : writes);
    proto.MultiHeader.write(oa, { type, done: false, err: -1 });
    codec.write(oa, randomValue(codec, r));
  }
  proto.MultiHeader.write(oa, { type: -1, done: true, err: -1 });
  return oa.toBuffer();
}

const TXN_TYPES: Array<[number, RecordCodec<unknown>]> = [
  op(OpCode.create, txn.CreateTxn),
  op(OpCode.create2, txn.CreateTxn),
  op(OpCode.createTTL, txn.CreateTTLTxn),
  op(OpCode.createContainer, txn.CreateContainerTxn),
  op(OpCode.delete, txn.DeleteTxn),
  op(OpCode.deleteContainer, txn.DeleteTxn),
  op(OpCode.setData, txn.SetDataTxn),
  op(OpCode.reconfig, txn.SetDataTxn),
  op(OpCode.setACL, txn.SetACLTxn),
  op(OpCode.check, txn.CheckVersionTxn),
  op(OpCode.createSession, txn.CreateSessionTxn),
  op(OpCode.closeSession, txn.CloseSessionTxn),
  op(OpCode.error, txn.ErrorTxn),
];

/** A random logged transaction: header, body (a MultiTxn of valid members at times), digest. */
function randomTxn(r: SeededRandom): Buffer {
  const hdr = randomValue(txn.TxnHeader, r);
  let body: TxnBody;
  if (r.chance(0.25)) {
    const txns = Array.from({ length: r.int(4) }, () => {
      const [type, codec] = r.pick(TXN_TYPES);
      return { type, data: codec.encode(randomValue(codec, r)) };
    });
    body = { type: OpCode.multi, txn: { txns } };
  } else {
    const [type, codec] = r.pick(TXN_TYPES);
    body = { type, txn: randomValue(codec, r) } as TxnBody;
  }
  hdr.type = body.type;
  const digest = r.chance(0.5) ? randomValue(txn.TxnDigest, r) : null;
  return serializeTxn({ hdr, body, digest });
}

// ---------------------------------------------------------------- the fuzzers

describe("decoders under bad input", () => {
  it("the checker catches what it looks for (a fuzzer that cannot fail proves nothing)", () => {
    const input = Buffer.alloc(8);
    expect(check(() => input.readInt32BE(6), input)).toMatch(/^threw RangeError/);
    expect(check(() => Buffer.allocUnsafe(1 << 20), input)).toMatch(/^allocated 1048576 bytes/);
    expect(check(() => {
      throw new JuteError("fine");
    }, input)).toBeNull();
    expect(check(() => data.Stat, input)).toBeNull();
  });

  it(`finds the records to fuzz (${RECORDS.length} of them)`, () => {
    expect(RECORDS.length).toBeGreaterThan(60);
    expect(RECORDS.map((x) => x.name)).toEqual(expect.arrayContaining(["ConnectRequest", "CreateRequest", "SetWatches2", "TxnHeader", "MultiTxn", "QuorumPacket", "Stat"]));
  });

  it("every record decodes its own encoding back (the inputs start valid)", () => {
    const r = new SeededRandom(BASE_SEED);
    for (const { name, codec } of RECORDS) {
      for (let i = 0; i < 5; i++) {
        const v = randomValue(codec, r);
        expect(codec.decode(codec.encode(v)), `${name} ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x))}`).toEqual(v);
      }
    }
  });

  it("damaged encodings of every record decode or throw JuteError, fast and within the input's size", () => {
    const failures = RECORDS.flatMap(({ module, name, codec }, k) =>
      fuzz(40 * SCALE, BASE_SEED + k * 100_003, (r) => ({ valid: codec.encode(randomValue(codec, r)), decode: (b) => codec.decode(b), what: `${module}.${name}`, mustDecode: true })),
    );
    expect(failures, report(failures)).toEqual([]);
  });

  it("a lying length or count at any offset of any record fails before allocating", () => {
    const failures: Failure[] = [];
    const r = new SeededRandom(BASE_SEED + 7);
    for (const { module, name, codec } of RECORDS) {
      const valid = codec.encode(randomValue(codec, r));
      for (let at = 0; at + 4 <= valid.length; at++) {
        for (const lie of [0x7fffffff, r.pick(LYING_LENGTHS)]) {
          const bytes = Buffer.from(valid);
          bytes.writeInt32BE(lie | 0, at);
          const problem = check(() => codec.decode(bytes), bytes);
          if (problem) failures.push({ seed: BASE_SEED + 7, what: `${module}.${name} ${lie} at ${at}`, input: bytes.toString("hex"), problem });
        }
      }
    }
    expect(failures, report(failures)).toEqual([]);
  });

  it("decodeMultiRequest: valid multi bodies decode; damaged ones decode or throw JuteError", () => {
    // The generated body never mixes reads and writes, so it must decode.
    const failures = fuzz(600 * SCALE, BASE_SEED + 3_000_000, (r) => ({ valid: randomMulti(r), decode: (b) => decodeMultiRequest(new BinaryInputArchive(b)), what: "multi", mustDecode: true }));
    expect(failures, report(failures)).toEqual([]);
  });

  it("deserializeTxn: valid transactions decode; damaged ones decode or throw JuteError", () => {
    const failures = fuzz(800 * SCALE, BASE_SEED + 4_000_000, (r) => ({ valid: randomTxn(r), decode: deserializeTxn, what: "txn", mustDecode: true }));
    expect(failures, report(failures)).toEqual([]);
  });

  it("readTxnBody (a MultiTxn member): any type with any bytes decodes or throws JuteError", () => {
    const types = [...TXN_TYPES.map(([t]) => t), OpCode.multi, OpCode.getData, 0, 99, -100, 0x7fffffff];
    const failures = fuzz(600 * SCALE, BASE_SEED + 5_000_000, (r) => {
      const [validType, codec] = r.pick(TXN_TYPES);
      const type = r.chance(0.7) ? validType : r.pick(types);
      return { valid: codec.encode(randomValue(codec, r)), decode: (b) => readTxnBody(new BinaryInputArchive(b), type), what: `readTxnBody type ${type}`, mustDecode: type === validType };
    });
    expect(failures, report(failures)).toEqual([]);
  });
});
