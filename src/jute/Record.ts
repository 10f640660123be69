/**
 * Record — jute records declared once, with their codec and TypeScript type derived
 * from the same declaration.
 *
 * Reimplements what jute's code generator (`org.apache.jute.compiler`) produces from
 * `zookeeper.jute`: one class per record with `serialize(OutputArchive, tag)` and
 * `deserialize(InputArchive, tag)` [001 L628–778]. Chapter 02.
 *
 * Differs from Java: Java generates a class per record at build time. Here a record is
 * a value built at load time from a field list, so `src/jute/*.ts` reads like
 * `zookeeper.jute` itself:
 *
 *     export const Stat = record("Stat", { czxid: long, mzxid: long, ... });
 *     export type Stat = RecordType<typeof Stat>;
 *
 * Field order is the object literal's key order (JavaScript keeps insertion order for
 * non-numeric keys), which is the order on the wire. Record values are plain objects.
 *
 * Nullability follows what ZooKeeper actually sends rather than what jute allows:
 * `buffer` fields are `Buffer | null` because znode data really can be null;
 * `ustring` and `vector` fields are non-null, and a -1 length for them is rejected as
 * malformed input, unless declared with `nullable(...)` where ZooKeeper does send null
 * (e.g. ReconfigRequest's server lists). The archives themselves keep null exact, so
 * a round trip of null strings and vectors is tested at that level (T11).
 */
import { BinaryInputArchive, JuteError } from "./BinaryInputArchive.js";
import { BinaryOutputArchive } from "./BinaryOutputArchive.js";

/** Reads and writes one value of type T. */
export interface Codec<T> {
  read(ia: BinaryInputArchive): T;
  write(oa: BinaryOutputArchive, value: T): void;
  /** For the primitives: the archive methods a compiled record calls directly. */
  readonly inline?: { read: string; write: string };
}

export type CodecType<C> = C extends Codec<infer T> ? T : never;

// #region primitives
export const byte: Codec<number> = {
  read: (ia) => ia.readByte(),
  write: (oa, v) => oa.writeByte(v),
  inline: { read: "readByte", write: "writeByte" },
};

export const bool: Codec<boolean> = {
  read: (ia) => ia.readBool(),
  write: (oa, v) => oa.writeBool(v),
  inline: { read: "readBool", write: "writeBool" },
};

export const int: Codec<number> = {
  read: (ia) => ia.readInt(),
  write: (oa, v) => oa.writeInt(v),
  inline: { read: "readInt", write: "writeInt" },
};

export const long: Codec<bigint> = {
  read: (ia) => ia.readLong(),
  write: (oa, v) => oa.writeLong(v),
  inline: { read: "readLong", write: "writeLong" },
};

export const ustring: Codec<string> = {
  read(ia) {
    const s = ia.readString();
    if (s === null) throw new JuteError("unexpected null ustring");
    return s;
  },
  write: (oa, v) => oa.writeString(v),
};

export const buffer: Codec<Buffer | null> = {
  read: (ia) => ia.readBuffer(),
  write: (oa, v) => oa.writeBuffer(v),
  inline: { read: "readBuffer", write: "writeBuffer" },
};

export function vector<T>(element: Codec<T>): Codec<T[]> {
  return {
    read(ia) {
      const n = ia.readVectorCount();
      if (n === -1) throw new JuteError("unexpected null vector");
      const out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = element.read(ia);
      return out;
    },
    write(oa, v) {
      oa.writeInt(v.length);
      for (let i = 0; i < v.length; i++) element.write(oa, v[i]!);
    },
  };
}

/** A string or vector field that ZooKeeper really sends as null (-1) at times. */
export function nullable<T>(c: Codec<T>): Codec<T | null> {
  if (c === (ustring as Codec<unknown>)) {
    return {
      read: (ia) => ia.readString() as T | null,
      write: (oa, v) => oa.writeString(v as string | null),
    };
  }
  return {
    read(ia) {
      // A null vector is a count of -1: peek at it, else let the codec read the count.
      if (ia.peekInt() === -1) {
        ia.skip(4);
        return null;
      }
      return c.read(ia);
    },
    write(oa, v) {
      if (v === null) oa.writeInt(-1);
      else c.write(oa, v);
    },
  };
}
// #endregion primitives

// #region record
export interface RecordCodec<T> extends Codec<T> {
  readonly name: string;
  readonly fieldNames: readonly string[];
  /** Encodes into a fresh Buffer. */
  encode(value: T): Buffer;
  /** Decodes a whole Buffer; trailing bytes are an error. */
  decode(bytes: Buffer): T;
}

type Fields = Record<string, Codec<any>>;
export type RecordType<R> = R extends RecordCodec<infer T> ? T : never;

/**
 * Declares a jute record, compiled into two straight-line functions — what jute's code
 * generator writes by hand for Java:
 *
 *     read(ia)     { return { czxid: ia.readLong(), mzxid: ia.readLong(), ..., acl: c[6].read(ia) }; }
 *     write(oa, v) { oa.writeLong(v.czxid); oa.writeLong(v.mzxid); ...; c[6].write(oa, v.acl); }
 *
 * Primitive fields call the archive directly, other fields their codec. The object literal
 * has every field in declaration order, so all values of one record share one hidden
 * class in V8. (A loop over the field list does the same work several times slower: it
 * is the hot path of every request and reply.)
 */
export function record<F extends Fields>(
  name: string,
  fields: F,
): RecordCodec<{ [K in keyof F]: CodecType<F[K]> }> {
  type T = { [K in keyof F]: CodecType<F[K]> };
  const keys = Object.keys(fields);
  const codecs = keys.map((k) => fields[k]!);
  const readExprs = keys.map((k, i) => {
    const inline = codecs[i]!.inline;
    return `${JSON.stringify(k)}: ${inline ? `ia.${inline.read}()` : `c[${i}].read(ia)`}`;
  });
  const writeStmts = keys.map((k, i) => {
    const inline = codecs[i]!.inline;
    const value = `v[${JSON.stringify(k)}]`;
    return inline ? `oa.${inline.write}(${value});` : `c[${i}].write(oa, ${value});`;
  });
  const read = new Function("c", `return function read_${name}(ia) { return { ${readExprs.join(", ")} }; };`)(codecs) as (ia: BinaryInputArchive) => T;
  const write = new Function("c", `return function write_${name}(oa, v) { ${writeStmts.join(" ")} };`)(codecs) as (oa: BinaryOutputArchive, v: T) => void;
  const self: RecordCodec<T> = {
    name,
    fieldNames: keys,
    read,
    write,
    encode(value) {
      const oa = new BinaryOutputArchive();
      write(oa, value);
      return oa.toBuffer();
    },
    decode(bytes) {
      const ia = new BinaryInputArchive(bytes);
      const v = read(ia);
      if (ia.remaining !== 0) throw new JuteError(`${name}: ${ia.remaining} trailing bytes`);
      return v;
    },
  };
  return self;
}
// #endregion record
