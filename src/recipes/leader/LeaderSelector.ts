/**
 * LeaderSelector — run `takeLeadership` on exactly one participant at a time; leadership
 * ends when it returns.
 *
 * Reimplements Curator's `leader.LeaderSelector`, `LeaderSelectorListener`,
 * `LeaderSelectorListenerAdapter` and `CancelLeadershipException`. Chapter 10; the seed
 * builds `new LeaderSelector(client, "/leaderElection", this)` with a listener extending
 * LeaderSelectorListenerAdapter, whose `takeLeadership` runs while leading and gives
 * leadership up by returning [003 L229–246] (T88). (U): `autoRequeue()` to compete again.
 *
 * Node layout: an InterProcessMutex on the leader path —
 *
 *     <leaderPath>/_c_<uuid>-lock-<10-digit sequence>     EPHEMERAL_SEQUENTIAL, protected
 *     data: the id (setId), UTF-8, or the client's default data when no id is set
 *
 * The mutex's holder is the leader. A participant is one "thread" of work: acquire the
 * mutex, call takeLeadership, release the mutex, and (autoRequeue) queue itself again.
 *
 * Connection loss / expiry contract (with LeaderSelectorListenerAdapter, i.e. the
 * client's ConnectionStateErrorPolicy, Standard by default):
 * - SUSPENDED or LOST while leading: the adapter throws CancelLeadershipException, the
 *   selector aborts the leader's AbortSignal (Java interrupts the leader thread), and
 *   takeLeadership must return promptly; the mutex node is then deleted (guaranteed:
 *   retried in the background while disconnected). Under the Session policy only LOST
 *   cancels.
 * - SUSPENDED while waiting: the mutex's wait loop rides it out (see LockInternals).
 * - A takeLeadership that ignores its signal keeps running: JavaScript cannot interrupt
 *   it. Then, as in Java with a thread that swallows interrupts, two participants may
 *   believe they lead once the session has expired.
 *
 * "Threads": each leadership attempt is one task on a one-at-a-time queue (Curator's
 * single-thread executor), with its own owner token for the mutex.
 *
 * Differs from Curator: `takeLeadership(client, signal)` gets the AbortSignal; close()
 * returns a promise that settles when the running attempt has finished.
 */
import { Code, KeeperException } from "../../jute/KeeperException.js";
import { getLogger } from "../../util/Logger.js";
import type { ConnectionState, ConnectionStateListener } from "../framework/ConnectionState.js";
import { callStateListener } from "../framework/ConnectionState.js";
import type { CuratorFramework } from "../framework/CuratorFramework.js";
import { IllegalStateException } from "../framework/CuratorZookeeperClient.js";
import type { Data } from "../framework/builders.js";
import { RecipeEvent, traceRecipe } from "../framework/RecipeTrace.js";
import { InterruptedException } from "../framework/Monitor.js";
import { InterProcessMutex } from "../locks/InterProcessMutex.js";
import { getLeader, getParticipants, type Participant } from "./Participant.js";

const LOG = getLogger("LeaderSelector");

/** Thrown from stateChanged to make the selector cancel the current leadership. */
export class CancelLeadershipException extends Error {
  override name = "CancelLeadershipException";
}

export interface LeaderSelectorListener {
  /** Runs while this participant leads; returning (or throwing) gives leadership up. */
  takeLeadership(client: CuratorFramework, signal: AbortSignal): Promise<void> | void;
  stateChanged(client: CuratorFramework, newState: ConnectionState): void;
}

// #region LeaderSelectorListenerAdapter
/** Cancels leadership whenever the error policy calls the new state an error (SUSPENDED, LOST). */
export abstract class LeaderSelectorListenerAdapter implements LeaderSelectorListener {
  abstract takeLeadership(client: CuratorFramework, signal: AbortSignal): Promise<void> | void;

  stateChanged(client: CuratorFramework, newState: ConnectionState): void {
    if (client.getConnectionStateErrorPolicy().isErrorState(newState)) throw new CancelLeadershipException();
  }
}
// #endregion LeaderSelectorListenerAdapter

type State = "LATENT" | "STARTED" | "CLOSED";

class SelectorMutex extends InterProcessMutex {
  constructor(
    client: CuratorFramework,
    path: string,
    private readonly idOf: () => string,
  ) {
    super(client, path);
  }
  protected override getLockNodeBytes(): Data | undefined {
    const id = this.idOf();
    return id.length > 0 ? Buffer.from(id, "utf8") : undefined;
  }
}

export class LeaderSelector {
  private readonly mutex: InterProcessMutex;
  private state: State = "LATENT";
  private requeueAutomatically = false;
  private id = "";
  private leadership = false;
  /** The queued or running attempt (Curator: ourTask). */
  private ourTask: Promise<void> | null = null;
  /** The running attempt's interrupt (Curator: ourThread). */
  private ourAbort: AbortController | null = null;
  /** Attempts run one after another, never two at once (the single-thread executor). */
  private executorTail: Promise<void> = Promise.resolve();
  private readonly connectionListener: ConnectionStateListener<CuratorFramework>;

  constructor(
    private readonly client: CuratorFramework,
    leaderPath: string,
    private readonly listener: LeaderSelectorListener,
  ) {
    this.mutex = new SelectorMutex(client, leaderPath, () => this.id);
    // WrappedListener: a CancelLeadershipException from stateChanged cancels the election.
    this.connectionListener = (c, newState) => {
      try {
        callStateListener(listener, c, newState);
      } catch (e) {
        if (e instanceof CancelLeadershipException) this.cancelElection();
        else throw e;
      }
    };
  }

  /** After takeLeadership returns, queue for leadership again. */
  autoRequeue(): void {
    this.requeueAutomatically = true;
  }

  setId(id: string): void {
    this.id = id;
  }
  getId(): string {
    return this.id;
  }

  start(): void {
    if (this.state !== "LATENT") throw new IllegalStateException("Cannot be started more than once");
    this.state = "STARTED";
    this.client.getConnectionStateListenable().addListener(this.connectionListener);
    this.requeue();
  }

  /** Queues one more attempt, unless one is queued or running; false if it was. */
  requeue(): boolean {
    if (this.state !== "STARTED") throw new IllegalStateException("close() has already been called");
    return this.internalRequeue();
  }

  /** Stops competing: interrupts a running takeLeadership; resolves when that attempt has ended. */
  async close(): Promise<void> {
    if (this.state !== "STARTED") throw new IllegalStateException("Already closed or has not been started");
    this.state = "CLOSED";
    this.client.getConnectionStateListenable().removeListener(this.connectionListener);
    this.ourAbort?.abort();
    const task = this.ourTask;
    this.ourTask = null;
    await task;
    await this.executorTail;
  }

  hasLeadership(): boolean {
    return this.leadership;
  }

  /** Interrupts the current takeLeadership, if this participant leads. */
  interruptLeadership(): void {
    if (this.leadership) this.cancelElection();
  }

  async getParticipants(): Promise<Participant[]> {
    return getParticipants(this.client, await this.mutex.getParticipantNodes());
  }

  async getLeader(): Promise<Participant> {
    return getLeader(this.client, await this.mutex.getParticipantNodes());
  }

  private internalRequeue(): boolean {
    if (this.ourTask !== null || this.state !== "STARTED" || this.client.getState() !== "STARTED") return false;
    const task = this.executorTail.then(() => (this.state === "STARTED" ? this.doWorkLoop() : undefined));
    this.ourTask = task;
    this.executorTail = task.catch(() => undefined);
    return true;
  }

  private cancelElection(): void {
    this.ourAbort?.abort();
  }

  // #region doWork
  private async doWork(): Promise<void> {
    const abort = new AbortController();
    this.ourAbort = abort; // taskStarted
    const owner = abort; // this attempt's "thread"
    this.leadership = false;
    try {
      await this.mutex.acquire(null, { owner, signal: abort.signal });
      this.leadership = true;
      traceRecipe(this.client, RecipeEvent.TAKE_LEADERSHIP, { id: this.id });
      try {
        await this.listener.takeLeadership(this.client, abort.signal);
      } catch (e) {
        if (e instanceof InterruptedException || abort.signal.aborted) LOG.debug("leadership interrupted");
        else LOG.error("The leader threw an exception", e);
      }
      traceRecipe(this.client, RecipeEvent.LEADERSHIP_ENDED, { id: this.id });
    } finally {
      if (this.taskDone()) {
        try {
          await this.mutex.release(owner);
        } catch (e) {
          LOG.error("The leader threw an exception", e); // a safety net only
        }
      }
    }
  }
  // #endregion doWork

  /** The attempt is over: clear it, requeue if asked; true if it held leadership. */
  private taskDone(): boolean {
    this.ourTask = null;
    this.ourAbort = null;
    const leadership = this.leadership;
    this.leadership = false;
    if (this.requeueAutomatically) this.internalRequeue();
    return leadership;
  }

  private async doWorkLoop(): Promise<void> {
    try {
      await this.doWork();
    } catch (e) {
      if (e instanceof InterruptedException) return;
      const connectionProblem = e instanceof KeeperException && (e.code === Code.CONNECTIONLOSS || e.code === Code.SESSIONEXPIRED);
      // autoRequeue ignores connection loss and expiry and keeps trying.
      if (connectionProblem && this.requeueAutomatically) return;
      LOG.warn("leadership attempt failed", e);
    }
  }
}
