/**
 * A recorder: subscribes to the trace channel and keeps every event in order.
 *
 * Tests use it to assert on what a run did; `npm run diagrams` uses it to draw a run.
 * All events published while it is started are kept, from any caller in this process,
 * so record one run at a time (vitest runs the tests of one file one after another).
 */
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { TraceEvent } from "./events.js";
import { TRACE_CHANNEL } from "./tracer.js";

export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  #listening = false;
  readonly #onEvent = (event: unknown): void => {
    this.events.push(event as TraceEvent);
  };

  start(): this {
    if (!this.#listening) {
      subscribe(TRACE_CHANNEL, this.#onEvent);
      this.#listening = true;
    }
    return this;
  }

  /** Stops listening; returns what was recorded. Safe to call twice. */
  stop(): TraceEvent[] {
    if (this.#listening) {
      unsubscribe(TRACE_CHANNEL, this.#onEvent);
      this.#listening = false;
    }
    return this.events;
  }
}

/** Runs `fn` with a recorder on and returns its result with the events it caused. */
export async function recordTrace<T>(fn: () => T | Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const recorder = new TraceRecorder().start();
  try {
    const result = await fn();
    return { result, events: recorder.events };
  } finally {
    recorder.stop();
  }
}
