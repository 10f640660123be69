/**
 * Single-decree Paxos as a small deterministic model, for chapter 01 (Foundations).
 *
 * Models what 001 §1.2 describes [001 L25–186]: acceptors keep two promises and give
 * one reply [001 L77–85], proposers pick their phase-2 value by the rule of [001 L87–91],
 * a value is chosen once a majority of acceptors accepted the same ballot, and a
 * network holds every message until a schedule delivers or drops it. Every delivery is
 * traced (src/trace), so a run can be drawn as a sequence diagram.
 *
 * Leaves out, on purpose: learners as separate nodes (a proposer learns its own outcome,
 * as the document's cases do [001 L112]), acceptor crashes and stable storage, timeouts
 * (a proposer retries only when told it was rejected), and multi-decree Paxos.
 * ZooKeeper does not run Paxos: this model exists to make the chapter's cases runnable.
 * ZooKeeper's protocol, Zab, is modelled in zab-model.ts and built for real later
 * (src/election, src/sync, src/leader).
 */
import { trace } from "../trace/tracer.js";
import type { TraceFields } from "../trace/events.js";
import { Random } from "./prng.js";

// #region paxos-messages
/** A proposal number ("Proposal ID" in 001). Unique per proposer, and 0 means "none". */
export type Ballot = number;

/** A proposal an acceptor has accepted: its ballot and its value. */
export interface Accepted {
  readonly n: Ballot;
  readonly value: string;
}

export type PaxosMessage =
  /** Phase 1a: only a ballot, no value [001 L73–75]. */
  | { readonly type: "PREPARE"; readonly from: string; readonly to: string; readonly n: Ballot }
  /** Phase 1b: the promise, carrying the highest-numbered proposal accepted so far. */
  | { readonly type: "PROMISE"; readonly from: string; readonly to: string; readonly n: Ballot; readonly accepted: Accepted | null }
  /** Phase 2a (001 calls it "Propose"): ballot and value. */
  | { readonly type: "ACCEPT"; readonly from: string; readonly to: string; readonly n: Ballot; readonly value: string }
  /** Phase 2b: the acceptor accepted (and would persist) the proposal. */
  | { readonly type: "ACCEPTED"; readonly from: string; readonly to: string; readonly n: Ballot; readonly value: string }
  /** A refusal, naming the ballot the acceptor has promised instead. */
  | { readonly type: "REJECT"; readonly from: string; readonly to: string; readonly n: Ballot; readonly promised: Ballot };
// #endregion paxos-messages

type MessageOf<T extends PaxosMessage["type"]> = Extract<PaxosMessage, { type: T }>;

// #region acceptor
export class Acceptor {
  /** The highest ballot promised so far (0: none yet). */
  promised: Ballot = 0;
  /** The accepted proposal with the highest ballot, or null. */
  accepted: Accepted | null = null;

  constructor(readonly name: string) {}

  onPrepare(m: MessageOf<"PREPARE">): PaxosMessage {
    // First promise: no Prepare numbered <= one already promised gets a promise [001 L79].
    if (m.n <= this.promised) return this.#reject(m);
    this.promised = m.n;
    // The one reply: what was accepted with the highest ballot, or nothing [001 L83–85].
    return { type: "PROMISE", from: this.name, to: m.from, n: m.n, accepted: this.accepted };
  }

  onAccept(m: MessageOf<"ACCEPT">): PaxosMessage {
    // Second promise: nothing numbered < a promised ballot is accepted [001 L81, L93].
    if (m.n < this.promised) return this.#reject(m);
    this.promised = m.n;
    this.accepted = { n: m.n, value: m.value };
    return { type: "ACCEPTED", from: this.name, to: m.from, n: m.n, value: m.value };
  }

  #reject(m: { from: string; n: Ballot }): PaxosMessage {
    return { type: "REJECT", from: this.name, to: m.from, n: m.n, promised: this.promised };
  }
}
// #endregion acceptor

/**
 * How a proposer picks its phase-2 value. "paxos" is the rule of [001 L87–91];
 * "own-value" ignores what the promises reported, which is what the document's
 * case 2 narrates (gap G24), and exists to show what that breaks.
 */
export type ValueRule = "paxos" | "own-value";

export type ProposerPhase = "idle" | "prepare" | "accept" | "chosen" | "rejected";

// #region proposer
export class Proposer {
  ballot: Ballot = 0;
  phase: ProposerPhase = "idle";
  /** The value sent in phase 2 of the current ballot. */
  value: string | null = null;
  readonly #promises = new Map<string, Accepted | null>();
  readonly #accepts = new Set<string>();

  constructor(
    readonly name: string,
    /** The value this proposer would like chosen if it is free to choose. */
    readonly wish: string,
    readonly acceptors: readonly string[],
    /** Ballots are rank+1, rank+1+count, ...: unique across proposers and increasing. */
    readonly rank: number,
    readonly count: number,
    readonly rule: ValueRule,
  ) {}

  get majority(): number {
    return Math.floor(this.acceptors.length / 2) + 1;
  }

  /** The smallest ballot of this proposer above both `seen` and the last one it used. */
  nextBallot(seen: Ballot = 0): Ballot {
    let n = this.rank + 1;
    while (n <= Math.max(seen, this.ballot)) n += this.count;
    return n;
  }

  /** Phase 1a: a PREPARE with a fresh ballot to every acceptor. */
  prepare(seen: Ballot = 0): PaxosMessage[] {
    const n = this.nextBallot(seen);
    this.ballot = n;
    this.phase = "prepare";
    this.value = null;
    this.#promises.clear();
    this.#accepts.clear();
    return this.acceptors.map((to) => ({ type: "PREPARE", from: this.name, to, n }));
  }

  /** Collects promises; at the majority, picks the value and starts phase 2. */
  onPromise(m: MessageOf<"PROMISE">): PaxosMessage[] {
    if (this.phase !== "prepare" || m.n !== this.ballot) return []; // stale, or already past phase 1
    this.#promises.set(m.from, m.accepted);
    if (this.#promises.size < this.majority) return [];
    const value = this.chooseValue();
    this.value = value;
    this.phase = "accept";
    return this.acceptors.map((to) => ({ type: "ACCEPT", from: this.name, to, n: this.ballot, value }));
  }

  /**
   * The phase-2 rule [001 L87–91]: if any promise reported an accepted proposal, the
   * value of the one with the highest ballot must be proposed again; only when every
   * reply was empty may the proposer use its own value. A value that may already be
   * chosen is thereby carried into every later ballot.
   */
  chooseValue(): string {
    if (this.rule === "own-value") return this.wish;
    let highest: Accepted | null = null;
    for (const accepted of this.#promises.values()) {
      if (accepted && (highest === null || accepted.n > highest.n)) highest = accepted;
    }
    return highest === null ? this.wish : highest.value;
  }

  /** Counts acceptances; true exactly when this one makes a majority (the value is chosen). */
  onAccepted(m: MessageOf<"ACCEPTED">): boolean {
    if (this.phase !== "accept" || m.n !== this.ballot) return false;
    this.#accepts.add(m.from);
    if (this.#accepts.size < this.majority) return false;
    this.phase = "chosen";
    return true;
  }

  /** A rejection of the current ballot ends it; returns the ballot to climb above, or null if stale. */
  onReject(m: MessageOf<"REJECT">): Ballot | null {
    if (m.n !== this.ballot || (this.phase !== "prepare" && this.phase !== "accept")) return null;
    this.phase = "rejected";
    return m.promised;
  }
}
// #endregion proposer

export interface PaxosOptions {
  readonly acceptors: readonly string[];
  /** Proposers, each living on a node (usually one of the acceptors) and wishing for a value. */
  readonly proposers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly rule?: ValueRule;
  /** After a rejection a proposer retries with a higher ballot, but never above this one. 0: no retries. */
  readonly retryUpTo?: Ballot;
}

/** Selects in-flight messages; an array matches any of its entries. */
export interface Match {
  readonly from?: string | readonly string[];
  readonly to?: string | readonly string[];
  readonly type?: PaxosMessage["type"];
  readonly n?: Ballot;
}

/** What a schedule does next: deliver or drop the in-flight message at `index`, or stop. */
export type Step = { readonly action: "deliver" | "drop"; readonly index: number } | null;
export type Schedule = (sim: PaxosSim) => Step;

const oneOf = (want: string | readonly string[] | undefined, got: string): boolean =>
  want === undefined || (typeof want === "string" ? want === got : want.includes(got));

export function matches(m: PaxosMessage, match: Match): boolean {
  return (
    oneOf(match.from, m.from) &&
    oneOf(match.to, m.to) &&
    (match.type === undefined || match.type === m.type) &&
    (match.n === undefined || match.n === m.n)
  );
}

function fieldsOf(m: PaxosMessage): TraceFields {
  switch (m.type) {
    case "PREPARE":
      return { n: m.n };
    case "PROMISE":
      return { n: m.n, accepted: m.accepted ? `(${m.accepted.n}, ${m.accepted.value})` : "none" };
    case "ACCEPT":
    case "ACCEPTED":
      return { n: m.n, value: m.value };
    case "REJECT":
      return { n: m.n, promised: m.promised };
  }
}

// #region paxos-network
/** Acceptors, proposers and the messages between them; a schedule decides what arrives. */
export class PaxosSim {
  readonly acceptors = new Map<string, Acceptor>();
  readonly proposers = new Map<string, Proposer>();
  /** Sent and not yet delivered or dropped, in sending order. */
  readonly inFlight: PaxosMessage[] = [];
  /** What each proposer learned was chosen. */
  readonly learned = new Map<string, string>();
  /** Per ballot, its value and who accepted it: the ground truth of what got chosen. */
  readonly #acceptances = new Map<Ballot, { value: string; by: Set<string> }>();
  readonly #retryUpTo: Ballot;

  constructor(options: PaxosOptions) {
    for (const name of options.acceptors) this.acceptors.set(name, new Acceptor(name));
    options.proposers.forEach(({ name, value }, rank) => {
      const p = new Proposer(name, value, options.acceptors, rank, options.proposers.length, options.rule ?? "paxos");
      this.proposers.set(name, p);
    });
    this.#retryUpTo = options.retryUpTo ?? 0;
  }

  get majority(): number {
    return Math.floor(this.acceptors.size / 2) + 1;
  }

  /** A proposer begins phase 1 with a fresh ballot. */
  start(proposer: string): void {
    this.inFlight.push(...this.#proposer(proposer).prepare());
  }

  /** Delivers every in-flight message that matches, in sending order; throws if none does. */
  deliver(match: Match): number {
    return this.#each(match, (i) => this.deliverAt(i));
  }

  /** Drops every in-flight message that matches (traced as lost); throws if none does. */
  drop(match: Match): number {
    return this.#each(match, (i) => this.dropAt(i));
  }

  deliverAt(index: number): void {
    const [m] = this.inFlight.splice(index, 1);
    if (m === undefined) throw new RangeError(`no in-flight message at ${index}`);
    trace.message(m.from, m.to, m.type, fieldsOf(m));
    this.inFlight.push(...this.#receive(m));
  }

  dropAt(index: number): void {
    const [m] = this.inFlight.splice(index, 1);
    if (m === undefined) throw new RangeError(`no in-flight message at ${index}`);
    trace.message(m.from, m.to, m.type, fieldsOf(m), true);
  }

  /** Runs a schedule until it stops, nothing is in flight, or `maxSteps` steps were taken. */
  run(schedule: Schedule, maxSteps = 10_000): number {
    let steps = 0;
    for (; steps < maxSteps && this.inFlight.length > 0; steps++) {
      const step = schedule(this);
      if (step === null) break;
      if (step.action === "deliver") this.deliverAt(step.index);
      else this.dropAt(step.index);
    }
    return steps;
  }

  /** Every ballot a majority of acceptors accepted, in ballot order. */
  chosen(): Accepted[] {
    return [...this.#acceptances]
      .filter(([, a]) => a.by.size >= this.majority)
      .map(([n, a]) => ({ n, value: a.value }))
      .sort((x, y) => x.n - y.n);
  }

  /** The distinct values chosen. Paxos's safety property: never more than one. */
  chosenValues(): string[] {
    return [...new Set(this.chosen().map((c) => c.value))];
  }

  #receive(m: PaxosMessage): PaxosMessage[] {
    switch (m.type) {
      case "PREPARE":
        return [this.#acceptor(m.to).onPrepare(m)];
      case "ACCEPT": {
        const reply = this.#acceptor(m.to).onAccept(m);
        if (reply.type === "ACCEPTED") this.#recordAcceptance(m.to, m.n, m.value);
        return [reply];
      }
      case "PROMISE": {
        const p = this.#proposer(m.to);
        const next = p.onPromise(m);
        if (next.length > 0) trace.state(p.name, "propose", { n: p.ballot, value: p.value });
        return next;
      }
      case "ACCEPTED": {
        const p = this.#proposer(m.to);
        if (p.onAccepted(m)) {
          this.learned.set(p.name, m.value);
          trace.state(p.name, "chosen", { n: m.n, value: m.value });
        }
        return [];
      }
      case "REJECT": {
        const p = this.#proposer(m.to);
        const above = p.onReject(m);
        if (above === null) return [];
        if (p.nextBallot(above) > this.#retryUpTo) {
          trace.state(p.name, "gives up", { n: m.n });
          return [];
        }
        const retry = p.prepare(above);
        trace.state(p.name, "retry", { n: p.ballot });
        return retry;
      }
    }
  }

  #recordAcceptance(acceptor: string, n: Ballot, value: string): void {
    const entry = this.#acceptances.get(n) ?? { value, by: new Set<string>() };
    entry.by.add(acceptor);
    this.#acceptances.set(n, entry);
  }

  #each(match: Match, act: (index: number) => void): number {
    const targets = this.inFlight.filter((m) => matches(m, match));
    if (targets.length === 0) throw new Error(`no in-flight message matches ${JSON.stringify(match)}`);
    for (const m of targets) act(this.inFlight.indexOf(m));
    return targets.length;
  }

  #acceptor(name: string): Acceptor {
    const a = this.acceptors.get(name);
    if (a === undefined) throw new Error(`no acceptor ${name}`);
    return a;
  }

  #proposer(name: string): Proposer {
    const p = this.proposers.get(name);
    if (p === undefined) throw new Error(`no proposer ${name}`);
    return p;
  }
}
// #endregion paxos-network

/** Delivers messages in the order they were sent. */
export const fifo: Schedule = () => ({ action: "deliver", index: 0 });

/** A random message each step, dropped with probability `dropRate`: one seed, one run. */
export function seededSchedule(seed: number, dropRate = 0): Schedule {
  const random = new Random(seed);
  return (sim) => ({ action: random.chance(dropRate) ? "drop" : "deliver", index: random.int(sim.inFlight.length) });
}

// #region dueling-schedule
/**
 * The adversarial order of case 3 [001 L158–174]: messages on links that `reaches`
 * cuts are lost, and phase-1 traffic always overtakes ACCEPTs. So a competing PREPARE
 * reaches the shared acceptor before each ACCEPT does, and every ACCEPT is rejected.
 */
export function duelingSchedule(reaches: (from: string, to: string) => boolean): Schedule {
  return (sim) => {
    const cut = sim.inFlight.findIndex((m) => !reaches(m.from, m.to));
    if (cut >= 0) return { action: "drop", index: cut };
    const phase1 = sim.inFlight.findIndex((m) => m.type !== "ACCEPT");
    return { action: "deliver", index: phase1 >= 0 ? phase1 : 0 };
  };
}
// #endregion dueling-schedule
