/**
 * EventThread — delivers watch events and request results to the application, one at a
 * time, in the order the server sent them.
 *
 * Reimplements `org.apache.zookeeper.ClientCnxn.EventThread`. Chapter 09 (client). The
 * handout only names it (created next to the SendThread, [001 L9130–9201]) and never shows
 * what it does (G15); added knowledge (U), from the 3.8 source.
 *
 * Why a separate "thread": the send loop must never run application code (a slow watcher
 * would stall pings and time the session out). So the send loop only queues, and this
 * queue is drained apart from it.
 *
 * Ordering guarantee: items are handled strictly FIFO. A watch event gets a macrotask
 * (setImmediate) of its own; a run of consecutive results shares one. Settling a
 * request's promise schedules the awaiting code as a microtask, and microtasks run out
 * before the next macrotask: so a watcher fired by a change always runs after the caller
 * has seen every result the server sent before that change, and before the results it
 * sent after. Sharing a macrotask among results matters for pipelining callers: their
 * next requests are then queued together and leave in one write.
 *
 * Differs from Java: no thread and no blocking queue; an event of death only marks the
 * point after which `drained()` resolves. Java may drop events queued after its event
 * thread has exited (e.g. Closed right after Expired); here every queued item is delivered.
 */
import { EventType, KeeperState } from "../jute/Watcher.js";
import { trace } from "../trace/index.js";
import { getLogger } from "../util/Logger.js";
import { traceDelivery } from "./ClientTrace.js";
import type { Packet } from "./Packet.js";
import { deliver, WatchedEvent, type Watcher } from "./WatchedEvent.js";
import type { ZKWatchManager } from "./ZKWatchManager.js";

const LOG = getLogger("EventThread");

type Item = { kind: "event"; watchers: Set<Watcher>; event: WatchedEvent } | { kind: "packet"; packet: Packet } | { kind: "callback"; fn: () => void };

export class EventThread {
  private readonly waitingEvents: Item[] = [];
  /** Last connection state queued: repeats of a None event with the same state are dropped. */
  private sessionState: KeeperState = KeeperState.Disconnected;
  private scheduled = false;
  private wasKilled = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly watchManager: ZKWatchManager,
    /** The client's name in trace events. */
    private readonly traceName = "client",
  ) {}

  // #region queueEvent
  /**
   * Queues an event for the watchers that should see it. The watchers are chosen now (and
   * one-shot watches consumed now), not at delivery. `materialized` gives them explicitly
   * (watch-removed notifications go only to the removed watchers).
   */
  queueEvent(event: WatchedEvent, materialized?: Set<Watcher>): void {
    if (event.type === EventType.None && this.sessionState === event.state) return;
    this.sessionState = event.state;
    const watchers = materialized ? new Set(materialized) : this.watchManager.materialize(event.state, event.type, event.path);
    this.push({ kind: "event", watchers, event });
  }
  // #endregion queueEvent

  /** A finished request: its callback settles the caller's promise. */
  queuePacket(packet: Packet): void {
    this.push({ kind: "packet", packet });
  }

  /** A result that never went to the server (e.g. an empty multi), in order with the rest. */
  queueCallback(fn: () => void): void {
    this.push({ kind: "callback", fn });
  }

  /** After this, `drained()` resolves once the queue is empty. */
  queueEventOfDeath(): void {
    this.wasKilled = true;
    this.maybeIdle();
  }

  /** Resolves when the event of death has been queued and everything before it delivered. */
  drained(): Promise<void> {
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.maybeIdle();
    });
  }

  private push(item: Item): void {
    this.waitingEvents.push(item);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.runOne());
  }

  private runOne(): void {
    this.scheduled = false;
    const first = this.waitingEvents.shift();
    if (first !== undefined) {
      this.processEvent(first);
      // Results that follow a result go in the same macrotask; an event waits for its own.
      if (first.kind !== "event") {
        while (this.waitingEvents.length > 0 && this.waitingEvents[0]!.kind !== "event") this.processEvent(this.waitingEvents.shift()!);
      }
    }
    if (this.waitingEvents.length > 0) this.schedule();
    else this.maybeIdle();
  }

  private maybeIdle(): void {
    if (!this.wasKilled || this.waitingEvents.length > 0 || this.scheduled) return;
    const waiters = this.idle;
    this.idle = [];
    for (const w of waiters) w();
  }

  private processEvent(item: Item): void {
    try {
      if (item.kind === "event") {
        if (trace.enabled) traceDelivery(this.traceName, item.event, item.watchers.size);
        for (const w of item.watchers) {
          try {
            deliver(w, item.event);
          } catch (t) {
            LOG.error("Error while calling watcher.", t);
          }
        }
      } else if (item.kind === "packet") {
        item.packet.cb?.(item.packet);
      } else {
        item.fn();
      }
    } catch (t) {
      LOG.error("Unexpected throwable", t);
    }
  }
}
