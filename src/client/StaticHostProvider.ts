/**
 * StaticHostProvider — which server the client tries next.
 *
 * Reimplements `org.apache.zookeeper.client.HostProvider` and `StaticHostProvider`.
 * Chapter 09 (client); the handout only shows the call `hostProvider.next(1000)` in
 * SendThread.run [001 L9282], so the class itself is added knowledge (U).
 *
 * The list is shuffled once, so that clients sharing one connect string spread over the
 * ensemble, then walked round-robin. `next(spinDelay)` asks the caller to wait
 * `spinDelay` ms when it comes back to the server it was last connected to (or to the
 * first one tried): every server has been tried once and failed, so back off instead of
 * spinning on a dead ensemble.
 *
 * Differs from Java:
 * - Java's `next` sleeps inside the call; on an event loop it returns the wait
 *   (`spinDelayMs`) and the send loop awaits it.
 * - Java resolves the host name in `next` and picks a random address of it; here
 *   node:net resolves when it connects.
 * - `updateServerList` (client-side rebalancing after a reconfig) is not implemented.
 */
import type { ServerAddress } from "./ConnectStringParser.js";

export interface HostChoice {
  readonly address: ServerAddress;
  /** How long to wait before connecting: the back-off after a full round of failures. */
  readonly spinDelayMs: number;
}

/** The interface ClientCnxn sees (Java's HostProvider). */
export interface HostProvider {
  size(): number;
  next(spinDelay: number): HostChoice;
  /** Called once a session is established on the last address returned. */
  onConnected(): void;
}

export class StaticHostProvider implements HostProvider {
  private readonly serverAddresses: ServerAddress[];
  private lastIndex = -1;
  private currentIndex = -1;

  /** `random` returns [0, 1) like Math.random; tests pass a seeded one. */
  constructor(addresses: readonly ServerAddress[], random: () => number = Math.random) {
    if (addresses.length === 0) throw new Error("A HostProvider may not be empty!");
    this.serverAddresses = shuffle(addresses, random);
  }

  size(): number {
    return this.serverAddresses.length;
  }

  /** The shuffled order, for logs and tests. */
  addresses(): readonly ServerAddress[] {
    return this.serverAddresses;
  }

  // #region next
  next(spinDelay: number): HostChoice {
    this.currentIndex = (this.currentIndex + 1) % this.serverAddresses.length;
    // Back at the server we started this round from: all of them have been tried.
    const wrapped = this.currentIndex === this.lastIndex && spinDelay > 0;
    if (this.lastIndex === -1) this.lastIndex = 0;
    return { address: this.serverAddresses[this.currentIndex]!, spinDelayMs: wrapped ? spinDelay : 0 };
  }

  onConnected(): void {
    // The next round of failures is counted from the server that worked.
    this.lastIndex = this.currentIndex;
  }
  // #endregion next
}

/** Fisher–Yates, as java.util.Collections.shuffle does it. */
function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
