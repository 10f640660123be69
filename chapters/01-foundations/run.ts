/**
 * Chapter 01's example: narrates the Paxos cases and the Zab cases of the chapter in
 * the terminal, one message or state change per line, as they happen in the models.
 * Run with `npm run chapter -- 01-foundations`. Ctrl-C stops it between two lines.
 *
 * Lines come out with a pause between them when the output is a terminal (or when
 * ZK_CHAPTER_DELAY_MS says so), at once otherwise.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { describeEvent, recordTrace, type TraceEvent } from "../../src/trace/index.js";
import type { PaxosSim } from "../../src/sim/paxos.js";
import type { ZabSim } from "../../src/sim/zab-model.js";
import {
  REACH_NOTE,
  onDocumentLinks,
  paxosCase1,
  paxosCase2,
  paxosCase3,
  paxosSingleLeader,
  zabBroadcast,
  zabCrashAfterQuorumAck,
  zabCrashBeforePropagation,
  zabEnsemble,
} from "./scenarios.js";

interface Act {
  readonly title: string;
  readonly intro: string;
  /** Runs the case (its set-up first, unrecorded) and returns what to print. */
  readonly record: () => Promise<{ events: TraceEvent[]; outcome: string }>;
}

function act<S, R>(a: {
  title: string;
  intro: string;
  setup: () => S;
  play: (prepared: S) => R;
  keep?: (e: TraceEvent) => boolean;
  outcome: (result: R) => string;
}): Act {
  return {
    title: a.title,
    intro: a.intro,
    record: async () => {
      const prepared = a.setup();
      const { result, events } = await recordTrace(() => a.play(prepared));
      return { events: events.filter(a.keep ?? (() => true)), outcome: a.outcome(result) };
    },
  };
}

const chosen = (sim: PaxosSim) => {
  const c = sim.chosen();
  return c.length === 0 ? "nothing chosen" : `chosen: ${c.map((x) => `${x.value} (ballot ${x.n})`).join(", ")}`;
};
const applied = (sim: ZabSim) =>
  "applied: " + sim.servers.map((s) => `${s.name} ${s.role === "DOWN" ? "down" : `[${s.applied.map((t) => t.value).join(", ")}]`}`).join("  ");
const none = () => undefined;

const ACTS: readonly Act[] = [
  act({ title: "Paxos case 1 (T1)", intro: "A1 alone proposes 10%.", setup: none, play: paxosCase1, outcome: chosen }),
  act({
    title: "Paxos case 2 as the document tells it (T2, G24)",
    intro: `A1 (ballot 1, 10%) and A5 (ballot 2, 20%) duel; A5 ignores what A3 reports. ${REACH_NOTE}.`,
    setup: none,
    play: () => paxosCase2("own-value"),
    keep: onDocumentLinks,
    outcome: (sim) => `${chosen(sim)}: two different values, which Paxos must never allow`,
  }),
  act({
    title: "Paxos case 2 with the rule (T2)",
    intro: "Same duel; A5 proposes the value of the highest ballot reported to it.",
    setup: none,
    play: () => paxosCase2("paxos"),
    keep: onDocumentLinks,
    outcome: (sim) => `${chosen(sim)}: one value`,
  }),
  act({
    title: "Paxos case 3, livelock (T3)",
    intro: "Both retry after every rejection; every PREPARE overtakes the other's ACCEPT at A3. Stopped after ballot 6.",
    setup: none,
    play: () => paxosCase3(6),
    keep: onDocumentLinks,
    outcome: chosen,
  }),
  act({
    title: "One proposer, the leader (T4)",
    intro: "The same adversarial schedule with A1 as the only proposer.",
    setup: none,
    play: () => paxosSingleLeader(6),
    keep: onDocumentLinks,
    outcome: chosen,
  }),
  act({
    title: "Zab broadcast (T5)",
    intro: "Five servers, S5 leads (elected and synced before this starts). One write; S1 and S2 are fast, S3 and S4 slow.",
    setup: () => zabEnsemble(),
    play: zabBroadcast,
    outcome: applied,
  }),
  act({
    title: "Zab crash case (a): before propagation (T6)",
    intro: '"a" is committed everywhere; S5 logs "b" and crashes before sending it.',
    setup: () => zabEnsemble(["a"]),
    play: zabCrashBeforePropagation,
    outcome: applied,
  }),
  act({
    title: "Zab crash case (b): after a quorum ACK (T7)",
    intro: '"a" is committed everywhere; S1 and S2 ACK "b", S5 commits it and crashes before its COMMITs leave.',
    setup: () => zabEnsemble(["a"]),
    play: (sim) => zabCrashAfterQuorumAck("zab", sim),
    outcome: applied,
  }),
];

function delayMs(): number {
  const env = Number(process.env.ZK_CHAPTER_DELAY_MS);
  if (Number.isFinite(env) && env >= 0) return env;
  return process.stdout.isTTY ? 120 : 0;
}

export default async function run(signal: AbortSignal): Promise<void> {
  const pause = delayMs();
  const say = async (line: string) => {
    if (signal.aborted) return;
    console.log(line);
    if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => undefined);
  };
  for (const a of ACTS) {
    const { events, outcome } = await a.record();
    await say(`\n== ${a.title}\n   ${a.intro}\n`);
    for (const e of events) await say(`   ${describeEvent(e)}`);
    await say(`\n   => ${outcome}`);
    if (signal.aborted) return;
  }
}
