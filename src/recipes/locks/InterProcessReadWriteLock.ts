/**
 * InterProcessReadWriteLock — many readers or one writer, across processes.
 *
 * Reimplements Curator's `locks.InterProcessReadWriteLock` (ReadLock, WriteLock and its
 * sorting driver). Chapter 10; not in the seed (U) — it is the seed's lock loop
 * [003 L117–183] with a different `getsTheLock`.
 *
 * Node layout: both locks share one parent; the names differ, the sequence is common:
 *
 *     <path>/_c_<uuid>-__READ__<10-digit sequence>     a reader (EPHEMERAL_SEQUENTIAL)
 *     <path>/_c_<uuid>-__WRIT__<10-digit sequence>     a writer (EPHEMERAL_SEQUENTIAL)
 *
 * Children sort by the digits after "__READ__" or "__WRIT__" (the two names have the same
 * length on purpose). A writer is a mutex over all of them: it gets the lock when it is
 * first, and watches its predecessor (reader or writer). A reader gets the lock when no
 * writer comes before it, and otherwise watches the first writer. The holder of the
 * write lock may also take the read lock (lock downgrading).
 *
 * Connection loss / expiry contract: that of InterProcessMutex, for each of the two locks.
 *
 * "Threads": owner tokens, as InterProcessMutex; "the write lock is owned by the current
 * thread" becomes "by this owner".
 *
 * Differs from Curator: the newest Curator makes a reader that holds the write lock create
 * its read node with the writer's sequence (plain EPHEMERAL); this is the Curator 5.0–5.7
 * layout above, in which every node is sequential.
 */
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import type { Data } from "../framework/builders.js";
import { InterProcessMutex } from "./InterProcessMutex.js";
import { StandardLockInternalsDriver, validateOurIndex, type PredicateResults } from "./LockInternals.js";

export const READ_LOCK_NAME = "__READ__";
export const WRITE_LOCK_NAME = "__WRIT__";

/** Sorts read and write nodes together by their shared sequence. */
class SortingLockInternalsDriver extends StandardLockInternalsDriver {
  override fixForSorting(name: string): string {
    return super.fixForSorting(super.fixForSorting(name, READ_LOCK_NAME), WRITE_LOCK_NAME);
  }
}

// #region ReadLockDriver
/** A reader waits only for writers queued before it. */
class ReadLockDriver extends SortingLockInternalsDriver {
  constructor(private readonly writeLock: WriteLock) {
    super();
  }

  override getsTheLock(children: string[], sequenceNodeName: string, _maxLeases: number, owner?: unknown): PredicateResults {
    if (owner !== undefined && this.writeLock.isOwnedBy(owner)) return { getsTheLock: true, pathToWatch: null };
    let firstWriteIndex = Number.MAX_SAFE_INTEGER;
    let ourIndex = -1;
    for (let index = 0; index < children.length; index++) {
      const node = children[index]!;
      if (node.includes(WRITE_LOCK_NAME)) {
        firstWriteIndex = Math.min(index, firstWriteIndex);
      } else if (node.startsWith(sequenceNodeName)) {
        ourIndex = index;
        break;
      }
    }
    validateOurIndex(sequenceNodeName, ourIndex);
    const getsTheLock = ourIndex < firstWriteIndex;
    return { getsTheLock, pathToWatch: getsTheLock ? null : children[firstWriteIndex]! };
  }
}
// #endregion ReadLockDriver

class InternalInterProcessMutex extends InterProcessMutex {
  constructor(
    client: CuratorFramework,
    path: string,
    private readonly lockName: string,
    private readonly lockData: Data | undefined,
    maxLeases: number,
    driver: StandardLockInternalsDriver,
    sharedOwner: object,
  ) {
    super(client, path, driver, lockName, maxLeases, sharedOwner);
  }

  /** Only this lock's own nodes (readers or writers). */
  override async getParticipantNodes(): Promise<string[]> {
    return (await super.getParticipantNodes()).filter((n) => n.includes(this.lockName));
  }

  protected override getLockNodeBytes(): Data | undefined {
    return this.lockData;
  }
}

export class WriteLock extends InternalInterProcessMutex {
  constructor(client: CuratorFramework, basePath: string, lockData: Data | undefined, sharedOwner: object = {}) {
    super(client, basePath, WRITE_LOCK_NAME, lockData, 1, new SortingLockInternalsDriver(), sharedOwner);
  }
}

export class ReadLock extends InternalInterProcessMutex {
  constructor(client: CuratorFramework, basePath: string, lockData: Data | undefined, writeLock: WriteLock, sharedOwner: object = {}) {
    super(client, basePath, READ_LOCK_NAME, lockData, Number.MAX_SAFE_INTEGER, new ReadLockDriver(writeLock), sharedOwner);
  }
}

export class InterProcessReadWriteLock {
  private readonly writeMutex: WriteLock;
  private readonly readMutex: ReadLock;

  constructor(client: CuratorFramework, basePath: string, lockData?: Data) {
    // Both halves default to one owner, so that "the same thread" may downgrade.
    this.writeMutex = new WriteLock(client, basePath, lockData, this);
    this.readMutex = new ReadLock(client, basePath, lockData, this.writeMutex, this);
  }

  readLock(): ReadLock {
    return this.readMutex;
  }

  writeLock(): WriteLock {
    return this.writeMutex;
  }
}
