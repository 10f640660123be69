/**
 * FilePadding — when to grow a txn log file ahead of the writes.
 *
 * Reimplements `org.apache.zookeeper.server.persistence.FilePadding` (3.8). Chapter 02.
 * No seed covers it (gap G13).
 *
 * Why preallocate: an fsync that also has to record a new file length costs a journal
 * commit on most file systems; one that only flushes data blocks of a file whose
 * length did not change is cheaper. So the log is grown in big steps (64 MiB by
 * default, `preAllocSize` in zoo.cfg, in KB) and the bytes past the last entry are
 * zeros, which is why a reader takes a zero length as the end of the log.
 *
 * Differs from Java: Java grows the file by writing one byte at the new end; here the
 * file is grown with ftruncate, which gives the same sparse file in one call.
 */

/** Default of `zookeeper.preAllocSize`: 64 MiB (the property is in KB). */
export const DEFAULT_PREALLOC_SIZE_BYTES = 65536 * 1024;

/** How close to the end of the file a write may come before the file grows. */
export const PADDING_MARGIN_BYTES = 4096;

// #region padding
/**
 * The size the file should have once it holds `position` bytes of entries: unchanged
 * while more than 4 KiB of padding is left, else grown by one step (or, if the writes
 * have already passed the end, to the next multiple of the step past them).
 */
export function calculateFileSizeWithPadding(position: number, fileSize: number, preAllocSize: number): number {
  if (preAllocSize <= 0 || position + PADDING_MARGIN_BYTES < fileSize) return fileSize;
  if (position > fileSize) {
    const grown = position + preAllocSize;
    return grown - (grown % preAllocSize);
  }
  return fileSize + preAllocSize;
}
// #endregion padding
