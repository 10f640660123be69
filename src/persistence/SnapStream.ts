/**
 * SnapStream — the byte stream of a snapshot file: which compression its name says,
 * the running Adler-32 over everything written or read, and the seal that closes it.
 *
 * Reimplements `org.apache.zookeeper.server.persistence.SnapStream` (3.8) and the
 * CheckedInputStream/CheckedOutputStream it wraps. Chapter 02; the seal check is in
 * [001 L2500–2520], the rest is added knowledge (U).
 *
 * Byte grammar of `<dataDir>/version-2/snapshot.<hex zxid>[.gz|.snappy]`, after
 * decompression (jute encoding, big-endian):
 *
 *     Snapshot   = FileHeader Sessions DataTree Seal [ZxidDigest Seal]
 *     FileHeader = magic int 0x5a4b534e ("ZKSN"), version int 2, dbid long -1
 *     Sessions   = count int, count × (id long, timeout int)
 *     DataTree   = the ACL cache, then (path ustring, DataNode)* with the root as "",
 *                  then the path "/" as terminator (DataTree.serializeNodes)
 *     Seal       = checksum long: Adler-32 of every byte before this seal,
 *                  then the ustring "/"
 *     ZxidDigest = zxid long, digestVersion int, digest long (3.6+, digests enabled)
 *
 * The second seal covers the first seal and the digest too: older readers stop after
 * the first seal and never see the digest, newer ones check both. Compression wraps the
 * whole stream; the checksums are over the uncompressed bytes. The extension picks the
 * codec: ".gz" gzip, ".snappy" xerial Snappy, anything else plain.
 *
 * Differs from Java: a snapshot is read into memory whole and parsed from a Buffer
 * (the checksum at a seal is then just the Adler-32 of the bytes before it). Writing
 * goes through SnapshotOutput, which hands the bytes to the thread pool in large pieces
 * and flushes between the slices the tree is serialized in.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { BinaryInputArchive } from "../jute/BinaryInputArchive.js";
import { BinaryOutputArchive } from "../jute/BinaryOutputArchive.js";
import { getLogger } from "../util/Logger.js";
import { adler32, ADLER32_INIT } from "./Adler32.js";
import { SnapshotWriter } from "./SnapshotWriter.js";
import { SNAPPY_MAGIC, snappyStreamBlocks } from "./SnappyInputStream.js";
import { getZxidFromName, SNAPSHOT_FILE_PREFIX } from "./Util.js";

const LOG = getLogger("SnapStream");
const gunzipAsync = promisify(gunzip);

/** `zookeeper.snapshot.compression.method`: "" (CHECKED, plain), "gz" or "snappy". */
export type StreamMode = "" | "gz" | "snappy";

/** ".gz", ".snappy" or "" for plain. */
export function fileExtension(mode: StreamMode): string {
  return mode === "" ? "" : "." + mode;
}

/**
 * StreamMode.fromString: the value of `zookeeper.snapshot.compression.method`, any case;
 * anything but "gz" or "snappy" means plain, as in Java.
 */
export function streamModeFromName(name: string): StreamMode {
  const lower = name.toLowerCase();
  return lower === "gz" || lower === "snappy" ? lower : "";
}

/** How Java's startup log names a mode: the enum constant. */
export function streamModeLabel(mode: StreamMode): string {
  return mode === "gz" ? "GZIP" : mode === "snappy" ? "SNAPPY" : "CHECKED";
}

/** The codec a snapshot file name asks for, from its last extension. */
export function getStreamMode(fileName: string): StreamMode {
  const parts = fileName.split(".");
  return parts.length < 2 ? "" : streamModeFromName(parts[parts.length - 1]!);
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

async function readHead(fh: FileHandle, n: number, at: number): Promise<Buffer> {
  const buf = Buffer.alloc(n);
  const { bytesRead } = await fh.read(buf, 0, n, at);
  return buf.subarray(0, bytesRead);
}

// #region is-valid-snapshot
/**
 * A cheap test that a snapshot was written to the end (a crash mid-snapshot leaves
 * one that is not): a plain snapshot must end in a seal's "/" (int 1, byte '/'), a
 * compressed one must at least start with its codec's magic. The checksums are
 * checked only when the snapshot is read.
 */
export async function isValidSnapshot(path: string): Promise<boolean> {
  const name = path.substring(path.lastIndexOf("/") + 1);
  if (getZxidFromName(name, SNAPSHOT_FILE_PREFIX) === -1n) return false;
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch (e) {
    LOG.error(`Unable to open file ${name}: ${String(e)}`);
    return false;
  }
  try {
    const mode = getStreamMode(name);
    if (mode === "gz") return (await readHead(fh, 2, 0)).equals(GZIP_MAGIC);
    if (mode === "snappy") return (await readHead(fh, SNAPPY_MAGIC.length, 0)).equals(SNAPPY_MAGIC);
    const size = (await fh.stat()).size;
    // The header and the last "/" alone take at least 10 bytes.
    if (size < 10) return false;
    const tail = await readHead(fh, 5, size - 5);
    if (tail.length !== 5 || tail.readInt32BE(0) !== 1 || tail[4] !== 0x2f) {
      LOG.info(`Invalid snapshot ${name}: it does not end in a seal`);
      return false;
    }
    return true;
  } finally {
    await fh.close();
  }
}
// #endregion is-valid-snapshot

/** The uncompressed bytes of a snapshot file (Java's getInputStream). */
export async function readSnapshotBytes(path: string): Promise<Buffer> {
  const raw = await readFile(path);
  switch (getStreamMode(path)) {
    case "gz":
      return gunzipAsync(raw);
    case "snappy": {
      // 64 blocks (2 MiB) at a time, then a turn of the event loop.
      const blocks: Buffer[] = [];
      for (const block of snappyStreamBlocks(raw)) if (blocks.push(block) % 64 === 0) await yieldToEventLoop();
      return Buffer.concat(blocks);
    }
    default:
      return raw;
  }
}

// #region seal
/**
 * Checks a seal at the archive's position: the stored checksum must equal the
 * Adler-32 of all bytes before it, which the caller has summed from `checksum`
 * (the sum up to `summedTo`). Returns the running checksum after the seal.
 */
export function checkSealIntegrity(bytes: Buffer, ia: BinaryInputArchive, checksum: number, summedTo: number): { checksum: number; summedTo: number } {
  const sealAt = ia.offset;
  const expected = adler32(bytes.subarray(summedTo, sealAt), checksum);
  const stored = ia.readLong();
  ia.readString(); // the "/" every seal ends with
  if (stored !== BigInt(expected)) {
    throw new Error(`CRC corruption: stored checksum ${stored.toString(16)}, computed ${expected.toString(16)}`);
  }
  return { checksum: adler32(bytes.subarray(sealAt, ia.offset), expected), summedTo: ia.offset };
}

/** The start of a running checksum, for the first checkSealIntegrity. */
export const SEAL_START = { checksum: ADLER32_INIT, summedTo: 0 };
// #endregion seal

/**
 * A snapshot being written (Java's CheckedOutputStream over the file): an archive the
 * serializer writes into on this thread, and a SnapshotWriter that checksums and writes
 * what is flushed, on a worker thread.
 */
export class SnapshotOutput {
  /** Flush once this many bytes are waiting. */
  static readonly FLUSH_BYTES = 1 << 20;
  readonly oa = new BinaryOutputArchive(SnapshotOutput.FLUSH_BYTES + (64 << 10));

  private constructor(private readonly writer: SnapshotWriter) {}

  static async create(path: string, mode: StreamMode): Promise<SnapshotOutput> {
    return new SnapshotOutput(SnapshotWriter.open(path, mode));
  }

  /** Java's sealStream: the checksum of everything so far, then "/". */
  async seal(): Promise<void> {
    await this.flush();
    const value = await this.writer.checksum();
    this.oa.writeLong(BigInt(value));
    this.oa.writeString("/");
  }

  /** Hands what the archive holds to the writer; waits only when the writer is behind. */
  async flush(): Promise<void> {
    if (this.oa.length === 0) return;
    await this.writer.write(this.oa.view());
    this.oa.reset();
  }

  /** Flushes everything, optionally fsyncs, closes, and renames to `finalPath`. */
  async finish(finalPath: string, fsync: boolean): Promise<void> {
    await this.flush();
    await this.writer.finish(finalPath, fsync);
  }

  /** Closes without renaming; the caller removes the temp file. */
  async abort(): Promise<void> {
    await this.writer.abort();
  }
}
