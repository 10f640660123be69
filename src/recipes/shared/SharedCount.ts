/**
 * SharedCount — an int every client sees, kept current by a watch, changed by
 * compare-and-set on the node's version.
 *
 * Reimplements Curator's `shared.SharedValue`, `SharedCount`, `VersionedValue`,
 * `SharedValueListener` / `SharedCountListener` and `IllegalTrySetVersionException`.
 * Chapter 10; not in the seed (U).
 *
 * Node layout:
 *
 *     <path>     SharedCount: 4 bytes, big-endian two's complement (ByteBuffer.putInt)
 *                SharedValue: the raw bytes; created with the seed value by start()
 *
 * The local copy is a VersionedValue (mzxid, version, value); it only moves forward (an
 * update with an older mzxid is ignored). trySetCount(previous, n) succeeds only if
 * `previous` is what this client last saw *and* the node's version still matches.
 *
 * Connection loss / expiry contract:
 * - Every connection state is passed on to the listeners' `stateChanged`.
 * - CONNECTED / RECONNECTED / READ_ONLY: the value is re-read (and the watch set again,
 *   which after LOST is needed), and listeners hear of it if it changed.
 * - While SUSPENDED the local value may be stale; the node is persistent, LOST loses
 *   nothing but the watch.
 *
 * Differs from Curator: listeners are objects with countHasChanged / valueHasChanged and
 * an optional stateChanged; they are also called when a re-read finds the same value
 * (as Curator's background read does).
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { EventType } from "../../jute/Watcher.js";
import type { WatchedEvent, Watcher } from "../../client/WatchedEvent.js";
import { getLogger } from "../../util/Logger.js";
import { isConnectedState, type ConnectionState, type ConnectionStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework, WatcherRemoveCuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import { StandardListenerManager } from "../framework/Listenable.js";
import { newStat } from "../framework/builders.js";
import type { SharedCountReader } from "../locks/InterProcessSemaphoreV2.js";

const LOG = getLogger("SharedValue");

/** A value with the mzxid and version it was read (or written) at. */
export interface VersionedValue<T> {
  readonly zxid: bigint;
  readonly version: number;
  readonly value: T;
}

export class IllegalTrySetVersionException extends Error {
  override name = "IllegalTrySetVersionException";
}

export interface SharedValueListener {
  valueHasChanged(reader: SharedValue, newValue: Buffer): unknown;
  stateChanged?(client: CuratorFramework, newState: ConnectionState): unknown;
}

type State = "LATENT" | "STARTED" | "CLOSED";

// #region SharedValue
export class SharedValue {
  private readonly client: WatcherRemoveCuratorFramework;
  private state: State = "LATENT";
  private current: VersionedValue<Buffer>;
  private readonly listeners = new StandardListenerManager<SharedValueListener>((e) => LOG.error("SharedValueListener failed", e));
  private readonly watcher: Watcher = (event: WatchedEvent) => {
    if (this.state === "STARTED" && event.type !== EventType.None) this.readValueAndNotifyListenersInBackground();
  };
  private readonly connectionStateListener: ConnectionStateListener<CuratorFramework> = (_c, newState) => {
    this.listeners.forEach((l) => l.stateChanged?.(this.client, newState));
    if (isConnectedState(newState)) this.readValueAndNotifyListenersInBackground();
  };

  constructor(
    client: CuratorFramework,
    private readonly path: string,
    private readonly seedValue: Buffer,
  ) {
    this.client = client.newWatcherRemoveCuratorFramework();
    this.current = { zxid: -1n, version: -1, value: Buffer.from(seedValue) };
  }

  getValue(): Buffer {
    return Buffer.from(this.current.value);
  }

  getVersionedValue(): VersionedValue<Buffer> {
    return { ...this.current, value: Buffer.from(this.current.value) };
  }

  /** Sets the value whatever it is now. */
  async setValue(newValue: Buffer): Promise<void> {
    if (this.state !== "STARTED") throw new IllegalStateException("not started");
    const stat = await this.client.setData().forPath(this.path, newValue);
    this.updateValue(stat.mzxid, stat.version, Buffer.from(newValue));
  }

  /** Sets the value only if `previous` is current, here and on the server. */
  async trySetValue(previous: VersionedValue<Buffer>, newValue: Buffer): Promise<boolean> {
    if (this.state !== "STARTED") throw new IllegalStateException("not started");
    const current = this.current;
    if (previous.zxid !== current.zxid || !previous.value.equals(current.value)) return false;
    if (previous.version === -1) throw new IllegalTrySetVersionException();
    try {
      const stat = await this.client.setData().withVersion(previous.version).forPath(this.path, newValue);
      this.updateValue(stat.mzxid, stat.version, Buffer.from(newValue));
      return true;
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.BADVERSION)) throw e;
    }
    await this.readValue();
    return false;
  }

  addListener(l: SharedValueListener): void {
    this.listeners.addListener(l);
  }
  removeListener(l: SharedValueListener): void {
    this.listeners.removeListener(l);
  }

  /** Creates the node with the seed value if missing, and reads it. */
  async start(): Promise<void> {
    if (this.state !== "LATENT") throw new IllegalStateException("Cannot be started more than once");
    this.state = "STARTED";
    this.client.getConnectionStateListenable().addListener(this.connectionStateListener);
    try {
      await this.client.create().creatingParentContainersIfNeeded().forPath(this.path, this.seedValue);
    } catch (e) {
      if (!(e instanceof KeeperException && e.code === Code.NODEEXISTS)) throw e;
    }
    await this.readValue();
  }

  close(): void {
    this.state = "CLOSED";
    this.client.removeWatchers();
    this.client.getConnectionStateListenable().removeListener(this.connectionStateListener);
    this.listeners.clear();
  }

  private updateValue(zxid: bigint, version: number, bytes: Buffer): void {
    if (this.current.zxid >= zxid) return; // never move back
    this.current = { zxid, version, value: bytes };
  }

  private async readValue(): Promise<void> {
    const stat = newStat();
    const bytes = await this.client.getData().storingStatIn(stat).usingWatcher(this.watcher).forPath(this.path);
    this.updateValue(stat.mzxid, stat.version, bytes);
  }

  private readValueAndNotifyListenersInBackground(): void {
    this.readValue().then(
      () => {
        if (this.state !== "STARTED") return;
        const value = this.getValue();
        this.listeners.forEach((l) => l.valueHasChanged(this, value));
      },
      (e) => {
        if (this.state === "STARTED") this.client.core.reportError(`SharedValue ${this.path} could not be read`, e);
      },
    );
  }
}
// #endregion SharedValue

// #region int-encoding
/** Java's ByteBuffer.putInt: 4 bytes, big-endian. */
export function intToBytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v | 0);
  return b;
}

export function bytesToInt(b: Buffer): number {
  if (b.length < 4) throw new Error(`Corrupted SharedCount data: ${b.length} bytes`);
  return b.readInt32BE(0);
}
// #endregion int-encoding

export interface SharedCountListener {
  countHasChanged(reader: SharedCount, newCount: number): unknown;
  stateChanged?(client: CuratorFramework, newState: ConnectionState): unknown;
}

export class SharedCount implements SharedCountReader {
  private readonly sharedValue: SharedValue;
  private readonly wrappers = new Map<SharedCountListener, SharedValueListener>();

  constructor(client: CuratorFramework, path: string, seedValue: number) {
    this.sharedValue = new SharedValue(client, path, intToBytes(seedValue));
  }

  getCount(): number {
    return bytesToInt(this.sharedValue.getValue());
  }

  getVersionedValue(): VersionedValue<number> {
    const v = this.sharedValue.getVersionedValue();
    return { zxid: v.zxid, version: v.version, value: bytesToInt(v.value) };
  }

  setCount(newCount: number): Promise<void> {
    return this.sharedValue.setValue(intToBytes(newCount));
  }

  trySetCount(previous: VersionedValue<number>, newCount: number): Promise<boolean> {
    return this.sharedValue.trySetValue({ ...previous, value: intToBytes(previous.value) }, intToBytes(newCount));
  }

  addListener(listener: SharedCountListener): void {
    const wrapper: SharedValueListener = {
      valueHasChanged: (_r, newValue) => listener.countHasChanged(this, bytesToInt(newValue)),
      stateChanged: (c, s) => listener.stateChanged?.(c, s),
    };
    this.wrappers.set(listener, wrapper);
    this.sharedValue.addListener(wrapper);
  }

  removeListener(listener: SharedCountListener): void {
    const w = this.wrappers.get(listener);
    if (w !== undefined) this.sharedValue.removeListener(w);
    this.wrappers.delete(listener);
  }

  start(): Promise<void> {
    return this.sharedValue.start();
  }

  close(): void {
    this.sharedValue.close();
  }
}
