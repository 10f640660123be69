/**
 * A small teaching model of Zab (ZooKeeper Atomic Broadcast), for chapter 01.
 *
 * Models what 001 §1.3 describes [001 L188–420]: one leader turns each write into a
 * proposal with a zxid, keeps one FIFO link per follower, a follower logs a proposal
 * before it ACKs, the leader commits once a quorum (itself included) has logged it and
 * commits strictly in zxid order; after a leader crash, a new leader with the largest
 * (epoch, zxid) brings every follower to its own history (TRUNC what it lacks, send
 * what the follower lacks) before it serves.
 *
 * Leaves out, and says where the real thing is:
 * - The election is an oracle that looks at every live server's state and picks the best
 *   (epoch, last zxid, sid); the real FastLeaderElection exchanges notifications
 *   (chapter 05, src/election).
 * - Discovery (FOLLOWERINFO, LEADERINFO, ACKEPOCH) is skipped and sync is reduced to
 *   TRUNC/DIFF plus PROPOSAL/COMMIT pairs, NEWLEADER and UPTODATE; the real decision table
 *   is `syncFollower` (chapter 06, src/sync).
 * - A follower ACKs proposals only after NEWLEADER; one that arrives between NEWLEADER
 *   and UPTODATE is ACKed at once, where ZooKeeper's Learner holds it until UPTODATE.
 * - The leader's own log write counts as its ACK at once (ZooKeeper's AckRequestProcessor
 *   sends it after fsync); there are no sessions, pings, timeouts, snapshots or observers.
 * Servers are named S1..Sn and their sid is the number; the client is "client".
 */
import { trace } from "../trace/tracer.js";
import { Random } from "./prng.js";

// #region zxid
/** A zxid is 64 bits: the epoch of the leader that proposed it, then a counter [001 L2258–2262]. */
export function makeZxid(epoch: number, counter: number): bigint {
  return (BigInt(epoch) << 32n) | BigInt(counter);
}

export function epochOf(zxid: bigint): number {
  return Number(zxid >> 32n);
}
// #endregion zxid

export interface Txn {
  readonly zxid: bigint;
  readonly value: string;
}

export type ZabPacket =
  | { readonly type: "PROPOSAL"; readonly zxid: bigint; readonly value: string }
  | { readonly type: "ACK"; readonly zxid: bigint }
  | { readonly type: "COMMIT"; readonly zxid: bigint }
  | { readonly type: "TRUNC"; readonly zxid: bigint }
  | { readonly type: "DIFF"; readonly zxid: bigint }
  | { readonly type: "NEWLEADER"; readonly zxid: bigint }
  | { readonly type: "UPTODATE" };

export type ZabRole = "LOOKING" | "FOLLOWING" | "LEADING" | "DOWN";

/** How the election oracle ranks candidates; "sid-only" exists to show what it would break (T8). */
export type ElectionRule = "zab" | "sid-only";

/** The ensemble cannot serve: fewer than a quorum of servers is up, or no leader serves yet. */
export class ZabUnavailable extends Error {
  override readonly name = "ZabUnavailable";
}

export class ZabServer {
  role: ZabRole = "LOOKING";
  /** Survives a crash: written before any ACK, as the txn log is. */
  log: Txn[] = [];
  currentEpoch = 0;
  acceptedEpoch = 0;
  /** Lost on a crash: the data tree, i.e. the txns applied, in zxid order. */
  applied: Txn[] = [];
  leader: string | null = null;
  /** Set by NEWLEADER: from then on this follower ACKs each proposal it logs. */
  synced = false;

  constructor(
    readonly name: string,
    readonly sid: number,
  ) {}

  get lastZxid(): bigint {
    return this.log.at(-1)?.zxid ?? 0n;
  }

  /**
   * What a server holds when it leaves a role or starts: its whole log applied, as
   * ZooKeeperServer.shutdown's `fastForwardDataBase` and loadDataBase at start-up do.
   */
  replayLog(): void {
    this.applied = [...this.log];
  }
}

interface LeaderState {
  readonly name: string;
  readonly epoch: number;
  counter: number;
  /** zxid → servers that logged it (the leader included), for proposals not yet committed. */
  readonly outstanding: Map<bigint, Set<string>>;
  readonly newLeaderAcks: Set<string>;
  serving: boolean;
}

const linkKey = (from: string, to: string): string => `${from}>${to}`;

function packetFields(p: ZabPacket): Record<string, bigint | string> {
  switch (p.type) {
    case "PROPOSAL":
      return { zxid: p.zxid, value: p.value };
    case "UPTODATE":
      return {};
    default:
      return { zxid: p.zxid };
  }
}

export class ZabSim {
  readonly servers: ZabServer[];
  /** One FIFO queue per direction between two servers: what TCP gives ZooKeeper. */
  readonly #links = new Map<string, ZabPacket[]>();
  #leader: LeaderState | null = null;
  /** Writes the client was told are committed, in order: none of them may ever be lost. */
  readonly acknowledged: Txn[] = [];

  constructor(count: number) {
    this.servers = Array.from({ length: count }, (_, i) => new ZabServer(`S${i + 1}`, i + 1));
  }

  get quorum(): number {
    return Math.floor(this.servers.length / 2) + 1;
  }

  server(name: string): ZabServer {
    const s = this.servers.find((x) => x.name === name);
    if (s === undefined) throw new Error(`no server ${name}`);
    return s;
  }

  get leader(): string | null {
    return this.#leader?.name ?? null;
  }

  /** Packets waiting on the link from → to, oldest first. */
  queued(from: string, to: string): readonly ZabPacket[] {
    return this.#links.get(linkKey(from, to)) ?? [];
  }

  // #region elect
  /**
   * Crash recovery, first half [001 L326–368]: the oracle election. Among the live
   * servers (a quorum is needed) the one with the largest (epoch, last zxid, sid) leads,
   * so the new leader holds every proposal any quorum has logged. Every live server
   * then starts syncing with it. Returns the leader's name.
   */
  elect(rule: ElectionRule = "zab"): string {
    const up = this.servers.filter((s) => s.role !== "DOWN");
    if (up.length < this.quorum) throw new ZabUnavailable(`only ${up.length} of ${this.servers.length} servers are up`);
    this.#leader = null;
    this.#dropAll(); // packets of the ended epoch die with its connections
    for (const s of up) if (s.role !== "LOOKING") this.#enterLooking(s);

    const better = (a: ZabServer, b: ZabServer): boolean =>
      rule === "sid-only"
        ? a.sid > b.sid
        : a.currentEpoch !== b.currentEpoch
          ? a.currentEpoch > b.currentEpoch
          : a.lastZxid !== b.lastZxid
            ? a.lastZxid > b.lastZxid
            : a.sid > b.sid;
    const best = up.reduce((a, b) => (better(b, a) ? b : a));

    const epoch = Math.max(...up.map((s) => s.acceptedEpoch)) + 1;
    best.role = "LEADING";
    best.acceptedEpoch = epoch;
    best.currentEpoch = epoch;
    best.leader = best.name;
    this.#leader = { name: best.name, epoch, counter: 0, outstanding: new Map(), newLeaderAcks: new Set(), serving: false };
    trace.state(best.name, "LEADING", { epoch, lastZxid: best.lastZxid });
    for (const s of up) if (s !== best) this.#follow(s);
    return best.name;
  }
  // #endregion elect

  /** The server crashes: it loses its in-memory state and every packet to or from it. */
  crash(name: string): void {
    const s = this.server(name);
    s.role = "DOWN";
    s.applied = [];
    s.synced = false;
    trace.state(name, "crash");
    this.#dropAll(name);
    if (this.#leader?.name === name) {
      // Followers notice the closed connections and go back to electing.
      this.#leader = null;
      for (const f of this.servers) if (f.role === "FOLLOWING") this.#enterLooking(f);
    }
  }

  /** A crashed server starts again: it replays its log and, if a leader serves, follows it. */
  restart(name: string): void {
    const s = this.server(name);
    if (s.role !== "DOWN") throw new Error(`${name} is not down`);
    this.#enterLooking(s);
    if (this.#leader !== null) this.#follow(s);
  }

  // #region broadcast
  /**
   * Broadcast steps 1–3 [001 L235–239]: the client's write becomes a proposal with the
   * next zxid, logged by the leader and queued on every synced follower's FIFO link.
   */
  write(value: string): bigint {
    const l = this.#leader;
    if (l === null || !l.serving) throw new ZabUnavailable("no leader is serving");
    const leader = this.server(l.name);
    const zxid = makeZxid(l.epoch, ++l.counter);
    trace.message("client", l.name, "write", { value });
    leader.log.push({ zxid, value });
    trace.state(l.name, "log", { zxid });
    l.outstanding.set(zxid, new Set([l.name]));
    for (const f of this.#followers(l)) this.#send(l.name, f.name, { type: "PROPOSAL", zxid, value });
    this.#tryCommit(l);
    return zxid;
  }

  /**
   * Steps 5–6 [001 L243–245]: a proposal commits once a quorum logged it, and only after
   * every earlier one committed, so every server applies the same sequence.
   */
  #tryCommit(l: LeaderState): void {
    const leader = this.server(l.name);
    for (;;) {
      const next = [...l.outstanding.keys()].sort((a, b) => (a < b ? -1 : 1))[0];
      if (next === undefined) return;
      const acks = l.outstanding.get(next)!;
      if (acks.size < this.quorum) return;
      l.outstanding.delete(next);
      this.#apply(leader, next);
      this.acknowledged.push(leader.applied.at(-1)!);
      trace.state(l.name, "commit", { zxid: next, acks: acks.size });
      trace.message(l.name, "client", "reply", { zxid: next });
      for (const f of this.#followers(l)) this.#send(l.name, f.name, { type: "COMMIT", zxid: next });
    }
  }
  // #endregion broadcast

  /** Delivers the oldest packet on the link from → to. */
  deliver(from: string, to: string): void {
    const p = this.#links.get(linkKey(from, to))?.shift();
    if (p === undefined) throw new Error(`nothing queued from ${from} to ${to}`);
    trace.message(from, to, p.type, packetFields(p));
    if (this.server(to).role === "LEADING") this.#leaderReceives(from, p);
    else this.#followerReceives(this.server(to), from, p);
  }

  /**
   * Delivers until every link is empty (or `maxSteps`): links are visited round-robin in
   * a fixed order, or chosen at random from `seed`. Either way each link stays FIFO.
   */
  deliverAll(seed?: number, maxSteps = 100_000): number {
    const random = seed === undefined ? null : new Random(seed);
    let steps = 0;
    for (; steps < maxSteps; steps++) {
      const busy = [...this.#links].filter(([, q]) => q.length > 0).map(([k]) => k);
      if (busy.length === 0) break;
      const key = random === null ? busy[0]! : busy[random.int(busy.length)]!;
      const [from, to] = key.split(">") as [string, string];
      this.deliver(from, to);
      if (random === null) this.#rotate(key);
    }
    return steps;
  }

  // #region follower
  #followerReceives(f: ZabServer, from: string, p: ZabPacket): void {
    switch (p.type) {
      case "PROPOSAL":
        // Step 4 [001 L241]: write the proposal to the log first, then ACK. Before
        // NEWLEADER (during sync) no ACK: the ACK of NEWLEADER covers what came before it.
        if (p.zxid <= f.lastZxid) throw new Error(`${f.name}: proposal ${p.zxid} out of order`);
        f.log.push({ zxid: p.zxid, value: p.value });
        trace.state(f.name, "log", { zxid: p.zxid });
        if (f.synced) this.#send(f.name, from, { type: "ACK", zxid: p.zxid });
        return;
      case "COMMIT":
        this.#apply(f, p.zxid);
        return;
      case "TRUNC":
        // The follower logged proposals the new leader never had: they were never
        // committed, so they are cut from the log and from the applied state.
        f.log = f.log.filter((t) => t.zxid <= p.zxid);
        f.applied = f.applied.filter((t) => t.zxid <= p.zxid);
        trace.state(f.name, "truncate", { zxid: p.zxid });
        return;
      case "DIFF":
        return;
      case "NEWLEADER":
        f.currentEpoch = epochOf(p.zxid);
        f.synced = true;
        this.#send(f.name, from, { type: "ACK", zxid: p.zxid });
        return;
      case "UPTODATE":
        // The follower would now serve clients; nothing else in the model depends on it.
        trace.state(f.name, "serving");
        return;
      case "ACK":
        throw new Error(`${f.name} is not leading but got ACK from ${from}`);
    }
  }
  // #endregion follower

  #leaderReceives(from: string, p: ZabPacket): void {
    const l = this.#leader;
    if (l === null || p.type !== "ACK") throw new Error(`leader got unexpected ${p.type} from ${from}`);
    if (p.zxid === makeZxid(l.epoch, 0)) {
      this.#newLeaderAck(l, from);
      return;
    }
    // A late ACK for a proposal already committed finds nothing outstanding.
    l.outstanding.get(p.zxid)?.add(from);
    this.#tryCommit(l);
  }

  // #region recovery
  /**
   * Data recovery [001 L372–420]: the new leader sends each follower what makes its
   * log equal to the leader's: TRUNC back to the last common zxid if the follower holds
   * proposals the leader lacks, otherwise DIFF; then every missing proposal with its
   * COMMIT, then NEWLEADER.
   */
  #follow(f: ZabServer): void {
    const l = this.#leader!;
    const leader = this.server(l.name);
    f.role = "FOLLOWING";
    f.leader = l.name;
    f.acceptedEpoch = l.epoch;
    trace.state(f.name, "FOLLOWING", { leader: l.name, lastZxid: f.lastZxid });
    let common = 0;
    while (common < f.log.length && common < leader.log.length && f.log[common]!.zxid === leader.log[common]!.zxid) common++;
    if (common < f.log.length) this.#send(l.name, f.name, { type: "TRUNC", zxid: f.log[common - 1]?.zxid ?? 0n });
    else this.#send(l.name, f.name, { type: "DIFF", zxid: leader.lastZxid });
    for (const t of leader.log.slice(common)) {
      this.#send(l.name, f.name, { type: "PROPOSAL", zxid: t.zxid, value: t.value });
      this.#send(l.name, f.name, { type: "COMMIT", zxid: t.zxid });
    }
    this.#send(l.name, f.name, { type: "NEWLEADER", zxid: makeZxid(l.epoch, 0) });
  }

  /**
   * The leader serves once a quorum (itself included) acknowledged NEWLEADER: its whole
   * history is then on a quorum. Each acknowledging follower gets UPTODATE and from then
   * on the broadcasts.
   */
  #newLeaderAck(l: LeaderState, from: string): void {
    l.newLeaderAcks.add(from);
    if (!l.serving && l.newLeaderAcks.size + 1 >= this.quorum) {
      l.serving = true;
      trace.state(l.name, "serving", { epoch: l.epoch });
      for (const f of l.newLeaderAcks) this.#send(l.name, f, { type: "UPTODATE" });
    } else if (l.serving) {
      this.#send(l.name, from, { type: "UPTODATE" });
    }
  }
  // #endregion recovery

  #enterLooking(s: ZabServer): void {
    s.role = "LOOKING";
    s.leader = null;
    s.synced = false;
    s.replayLog();
    trace.state(s.name, "LOOKING", { lastZxid: s.lastZxid });
  }

  /** Applies the txn `zxid`, which must be the next logged one: commits never skip or reorder. */
  #apply(s: ZabServer, zxid: bigint): void {
    const next = s.log[s.applied.length];
    if (next === undefined || next.zxid !== zxid) {
      throw new Error(`${s.name}: commit of ${zxid} is not the next logged txn`);
    }
    s.applied.push(next);
  }

  /**
   * Where new proposals and commits go: every follower the leader has started syncing.
   * Queued behind the sync packets on the same FIFO link, they arrive after them, which
   * is what ZooKeeper's `startForwarding` achieves.
   */
  #followers(l: LeaderState): ZabServer[] {
    return this.servers.filter((s) => s.role === "FOLLOWING" && s.leader === l.name);
  }

  #send(from: string, to: string, p: ZabPacket): void {
    const key = linkKey(from, to);
    const queue = this.#links.get(key);
    if (queue) queue.push(p);
    else this.#links.set(key, [p]);
  }

  /** Drops (and traces as lost) every queued packet, or only those to or from `name`. */
  #dropAll(name?: string): void {
    for (const [key, queue] of this.#links) {
      const [from, to] = key.split(">") as [string, string];
      if (name !== undefined && from !== name && to !== name) continue;
      for (const p of queue.splice(0)) trace.message(from, to, p.type, packetFields(p), true);
    }
  }

  /** Round-robin: the link just served goes to the back of the visiting order. */
  #rotate(key: string): void {
    const queue = this.#links.get(key)!;
    this.#links.delete(key);
    this.#links.set(key, queue);
  }
}
