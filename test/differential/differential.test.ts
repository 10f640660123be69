/**
 * Differential tests: the same seeded random operations against Apache ZooKeeper 3.8 and
 * our server must give the same results and the same watch events (issue acceptance:
 * all create modes, versions, ACLs and auth, multi with failing members, one-shot,
 * persistent and recursive watches, session close firing watches and deleting
 * ephemerals). A failure prints the seed, the step and both results.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apacheZooKeeperAvailable, startApacheZooKeeper, type ApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { startOurZooKeeper, type OurZooKeeper } from "../support/ourZooKeeper.js";
import type { RawClient } from "../support/RawClient.js";
import { drainEvents, execute, OpGenerator, Side, SUPER_DIGEST } from "./DifferentialRunner.js";

const CLIENTS = 3;
const STEPS = Number(process.env.DIFF_STEPS ?? 600);
const SEEDS = (process.env.DIFF_SEEDS ?? "1,2,3").split(",").map(Number);

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? `${x}n` : x), 1);
}

describe.skipIf(!apacheZooKeeperAvailable())("differential: Apache ZooKeeper 3.8 vs ours", () => {
  let apache: ApacheZooKeeper;
  let ours: OurZooKeeper;

  // Fresh servers per seed: a seed that fails must not leave the next one a diverged tree.
  beforeEach(async () => {
    [apache, ours] = await Promise.all([
      startApacheZooKeeper({ extraConfig: { extendedTypesEnabled: "true", enforceQuota: "true", "DigestAuthenticationProvider.superDigest": SUPER_DIGEST } }),
      startOurZooKeeper({ config: { extendedTypesEnabled: true, enforceQuota: true, superDigest: SUPER_DIGEST } }),
    ]);
  });
  afterEach(async () => {
    await Promise.all([apache?.stop(), ours?.stop()]);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: ${STEPS} random operations give the same replies and events`, async () => {
      const ref = new Side("apache", apache.port);
      const us = new Side("ours", ours.port);
      await ref.open(CLIENTS);
      await us.open(CLIENTS);
      // Each seed works in its own subtree so seeds do not see each other's nodes.
      const gen = new OpGenerator(seed, CLIENTS);
      const seenRef = new WeakMap<RawClient, number>();
      const seenUs = new WeakMap<RawClient, number>();
      try {
        // Even seeds start with quotas on /d (hard count limit) and /d/a (soft bytes).
        const preamble = seed % 2 === 0 ? gen.quotaPreamble() : [];
        for (let step = 0; step < STEPS; step++) {
          const s = preamble[step] ?? gen.next();
          const a = await execute(ref, s, gen);
          const b = await execute(us, s, null);
          const context = `seed ${seed} step ${step} client ${s.client} op ${show(s.op)}`;
          expect(show(b), context).toBe(show(a));
          const ea = await drainEvents(ref, seenRef);
          const eb = await drainEvents(us, seenUs);
          expect(show(eb), `${context}: watch events`).toBe(show(ea));
        }
      } finally {
        await ref.closeAll();
        await us.closeAll();
      }
    }, 300_000);
  }
});
