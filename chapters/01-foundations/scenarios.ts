/**
 * Chapter 01's scenarios as scripts over the two teaching models (src/sim/paxos.ts,
 * src/sim/zab-model.ts): the document's three Paxos cases and the cure [001 L112–186],
 * and Zab's broadcast and its two crash cases [001 L235–325].
 *
 * The tests (test/foundations), the diagrams (diagrams.ts) and the terminal narration
 * (run.ts) all run these same functions, so what the chapter shows, draws and checks
 * is one run. Every script is deterministic.
 */
import { PaxosSim, duelingSchedule, fifo, type Ballot, type Schedule, type ValueRule } from "../../src/sim/paxos.js";
import { ZabSim, type ElectionRule } from "../../src/sim/zab-model.js";
import type { TraceEvent } from "../../src/trace/index.js";

/** The five members of the document's tax-rate vote [001 L113]. */
export const ACCEPTORS = ["A1", "A2", "A3", "A4", "A5"] as const;

/** The two proposers of cases 2 and 3: A1 wants 10%, A5 wants 20% [001 L133]. */
const DUELLISTS = [
  { name: "A1", value: "10%" },
  { name: "A5", value: "20%" },
];

// #region case-1
/** Case 1 [001 L112–127]: A1 alone proposes 10%; every message arrives in order. */
export function paxosCase1(): PaxosSim {
  const sim = new PaxosSim({ acceptors: ACCEPTORS, proposers: [{ name: "A1", value: "10%" }] });
  sim.start("A1");
  sim.run(fifo);
  return sim;
}
// #endregion case-1

// #region case-2
/**
 * Case 2 [001 L133–149]: A1 (ballot 1, wants 10%) and A5 (ballot 2, wants 20%) start
 * together. A2 hears only A1, A4 only A5, and A3 hears A1 first. With `rule: "paxos"`
 * A5 learns of (1, 10%) from A3's promise and must propose 10%; with `"own-value"` it
 * proposes 20%, as the document says, and two different values end up chosen.
 */
export function paxosCase2(rule: ValueRule): PaxosSim {
  const sim = new PaxosSim({
    acceptors: ACCEPTORS,
    proposers: DUELLISTS,
    rule,
  });
  sim.start("A1");
  sim.start("A5");
  sim.deliver({ from: "A1", to: ["A1", "A2", "A3"], type: "PREPARE" });
  sim.deliver({ from: "A5", to: ["A4", "A5"], type: "PREPARE" });
  sim.drop({ from: "A1", to: ["A4", "A5"], type: "PREPARE" });
  sim.drop({ from: "A5", to: ["A1", "A2"], type: "PREPARE" });
  sim.deliver({ to: "A1", type: "PROMISE" }); // A1 has a majority: proposes (1, 10%)
  sim.deliver({ from: "A1", to: ["A1", "A2", "A3"], type: "ACCEPT" });
  sim.drop({ from: "A1", to: ["A4", "A5"], type: "ACCEPT" });
  sim.deliver({ to: "A1", type: "ACCEPTED" }); // 10% is chosen
  sim.deliver({ from: "A5", to: "A3", type: "PREPARE" }); // A3 reports (1, 10%)
  sim.deliver({ to: "A5", type: "PROMISE" }); // A5 picks its value here
  sim.deliver({ from: "A5", to: ["A3", "A4", "A5"], type: "ACCEPT" });
  sim.drop({ from: "A5", to: ["A1", "A2"], type: "ACCEPT" });
  sim.deliver({ to: "A5", type: "ACCEPTED" });
  return sim;
}
// #endregion case-2

/** Who hears whom in cases 2–4: A1 reaches A1–A3, A5 reaches A3–A5, only A3 hears both. */
export function documentReach(from: string, to: string): boolean {
  const near: Record<string, readonly string[]> = { A1: ["A1", "A2", "A3"], A5: ["A3", "A4", "A5"] };
  const proposer = near[from] ? from : to;
  const acceptor = proposer === from ? to : from;
  return near[proposer]?.includes(acceptor) ?? false;
}

/** For drawing cases 2–4: the messages lost on the links `documentReach` cuts are left out. */
export const onDocumentLinks = (e: TraceEvent): boolean => e.kind !== "message" || documentReach(e.from, e.to);
export const REACH_NOTE = "A1 reaches A1–A3, A5 reaches A3–A5: messages on other links are lost and not drawn";

// #region case-3
/**
 * Case 3, livelock [001 L158–174]: the same two proposers, each retrying with a higher
 * ballot after every rejection, and every PREPARE overtaking the other side's ACCEPT at
 * A3. The duel never ends by itself, so the run stops once a ballot above `maxBallot`
 * has been prepared.
 */
export function paxosCase3(maxBallot: Ballot): PaxosSim {
  const sim = new PaxosSim({
    acceptors: ACCEPTORS,
    proposers: DUELLISTS,
    retryUpTo: Infinity,
  });
  sim.start("A1");
  sim.start("A5");
  sim.run(untilBallot(maxBallot, duelingSchedule(documentReach)));
  return sim;
}

/** Stops `schedule` once some proposer has moved to a ballot above `maxBallot`. */
function untilBallot(maxBallot: Ballot, schedule: Schedule): Schedule {
  return (sim) => ([...sim.proposers.values()].some((p) => p.ballot > maxBallot) ? null : schedule(sim));
}
// #endregion case-3

// #region case-4
/** The cure [001 L180–186]: the case-3 schedule replayed with A1, the leader, as the only proposer. */
export function paxosSingleLeader(maxBallot: Ballot): PaxosSim {
  const sim = new PaxosSim({ acceptors: ACCEPTORS, proposers: [{ name: "A1", value: "10%" }], retryUpTo: Infinity });
  sim.start("A1");
  sim.run(untilBallot(maxBallot, duelingSchedule(documentReach)));
  return sim;
}
// #endregion case-4

/**
 * Five servers, a leader elected, every follower synced, and `values` written and
 * committed everywhere: where each Zab case starts.
 */
export function zabEnsemble(values: readonly string[] = []): ZabSim {
  const sim = new ZabSim(5);
  sim.elect();
  sim.deliverAll();
  for (const value of values) {
    sim.write(value);
    sim.deliverAll();
  }
  return sim;
}

// #region zab-broadcast
/**
 * Broadcast [001 L235–247]: one write. The leader S5 (all logs empty: the largest sid
 * leads) proposes 1:1; S1 and S2 log and ACK quickly, S3 and S4 are slow. With the
 * leader's own log write that makes 3 of 5, so the leader commits while S3's and S4's
 * queues still hold the PROPOSAL, with the COMMIT queued behind it.
 */
export function zabBroadcast(sim: ZabSim = zabEnsemble()): ZabSim {
  const leader = sim.leader!;
  sim.write("x=1");
  sim.deliver(leader, "S1");
  sim.deliver(leader, "S2");
  sim.deliver("S1", leader);
  sim.deliver("S2", leader); // third ACK: commit
  sim.deliverAll();
  return sim;
}
// #endregion zab-broadcast

// #region zab-crash-cases
/**
 * Crash case (a) [001 L261–265, L283]: 1:1 ("a") is committed everywhere; the leader S5
 * logs 1:2 and crashes before any follower received it. S4 is elected (epoch 2), S5
 * restarts, is told to TRUNC back to 1:1, and the next write is 2:1.
 */
export function zabCrashBeforePropagation(sim: ZabSim = zabEnsemble(["a"])): ZabSim {
  sim.write("b"); // 1:2, on the leader's log only
  sim.crash("S5");
  sim.elect();
  sim.deliverAll();
  sim.restart("S5");
  sim.deliverAll();
  sim.write("c");
  sim.deliverAll();
  return sim;
}

/**
 * Crash case (b) [001 L267–269, L325]: after "a" (1:1), S1 and S2 log 1:2 and ACK it;
 * the leader commits it (and answers the client) but crashes before its COMMITs leave.
 * The election must pick a server holding 1:2; the new leader then brings 1:2 to
 * everyone. With `rule: "sid-only"` it does not, which is what T8 shows.
 */
export function zabCrashAfterQuorumAck(rule: ElectionRule = "zab", sim: ZabSim = zabEnsemble(["a"])): ZabSim {
  sim.write("b");
  sim.deliver("S5", "S1");
  sim.deliver("S5", "S2");
  sim.deliver("S1", "S5");
  sim.deliver("S2", "S5"); // quorum: S5 commits 1:2 and replies to the client
  sim.crash("S5"); // its COMMITs, and the PROPOSALs to S3 and S4, are lost
  sim.elect(rule);
  sim.deliverAll();
  return sim;
}
// #endregion zab-crash-cases
