/**
 * Chapter 01's generated diagrams: each runs one scenario of scenarios.ts with the
 * recorder on. Set-up that is not the point of a diagram (the first election, earlier
 * writes) runs before recording starts. Registered in diagrams/registry.ts.
 */
import type { DiagramGenerator } from "../../diagrams/diagram.js";
import { recordDiagram } from "../../diagrams/diagram.js";
import {
  ACCEPTORS,
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

const paxos = { participants: ACCEPTORS };
const zab = { participants: ["client", "S1", "S2", "S3", "S4", "S5"] };

export const diagrams: readonly DiagramGenerator[] = [
  {
    name: "paxos-case-1",
    title: "T1, Paxos case 1: A1 proposes 10% and it is chosen",
    generate: () => recordDiagram(() => paxosCase1(), paxos),
  },
  {
    name: "paxos-case-2-as-written",
    title: "T2 as 001 tells it: A5 ignores (1, 10%) and proposes 20%, so two values are chosen (wrong, G24)",
    generate: () => recordDiagram(() => paxosCase2("own-value"), { ...paxos, keep: onDocumentLinks, note: REACH_NOTE }),
  },
  {
    name: "paxos-case-2",
    title: "T2 corrected: A3 reports (1, 10%), so A5 must propose (2, 10%) and 10% stays chosen",
    generate: () => recordDiagram(() => paxosCase2("paxos"), { ...paxos, keep: onDocumentLinks, note: REACH_NOTE }),
  },
  {
    name: "paxos-case-3-livelock",
    title: "T3, Paxos case 3: A3 promises A1 and A5 in turn and every ACCEPT is rejected (ballots 1–4)",
    generate: () => recordDiagram(() => paxosCase3(4), { ...paxos, keep: onDocumentLinks, note: REACH_NOTE }),
  },
  {
    name: "paxos-single-leader",
    title: "T4: the case-3 schedule with A1 as the only proposer chooses 10% in one round",
    generate: () => recordDiagram(() => paxosSingleLeader(4), { ...paxos, keep: onDocumentLinks, note: REACH_NOTE }),
  },
  {
    name: "zab-broadcast",
    title: "T5, Zab broadcast: PROPOSAL, ACK after the log write, COMMIT after 3 of 5",
    generate: () => {
      const sim = zabEnsemble();
      return recordDiagram(() => zabBroadcast(sim), zab);
    },
  },
  {
    name: "zab-crash-before-propagation",
    title: "T6, Zab crash case (a): 1:2 only on the crashed leader is truncated when it rejoins",
    generate: () => {
      const sim = zabEnsemble(["a"]);
      return recordDiagram(() => zabCrashBeforePropagation(sim), zab);
    },
  },
  {
    name: "zab-crash-after-quorum-ack",
    title: "T7, Zab crash case (b): 1:2 acknowledged by a quorum survives the leader's crash",
    generate: () => {
      const sim = zabEnsemble(["a"]);
      return recordDiagram(() => zabCrashAfterQuorumAck("zab", sim), zab);
    },
  },
];
