/**
 * Drives a program in a real pseudo-terminal through tmux (its own server socket, so
 * nothing else's tmux is touched): type keys, read the screen.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

export const tmuxAvailable = (): boolean => existsSync("/usr/bin/tmux");

export class TmuxSession {
  private readonly socket = `zkcli-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor(command: string[], env: Record<string, string> = {}) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    this.tmux("new-session", "-d", "-s", "t", "-x", "160", "-y", "50", ...envArgs, ...command);
    // Keep the pane after the program exits, to read its last words.
    this.tmux("set-option", "-t", "t", "remain-on-exit", "on");
  }

  private tmux(...args: string[]): string {
    return execFileSync("/usr/bin/tmux", ["-L", this.socket, ...args], { encoding: "utf8" });
  }

  /** Types text literally, then Enter unless told otherwise. */
  type(text: string, enter = true): void {
    if (text.length > 0) this.tmux("send-keys", "-t", "t", "-l", text);
    if (enter) this.tmux("send-keys", "-t", "t", "Enter");
  }

  /** Sends tmux key names: "Up", "Tab", "C-d". */
  keys(...names: string[]): void {
    this.tmux("send-keys", "-t", "t", ...names);
  }

  screen(): string {
    return this.tmux("capture-pane", "-p", "-t", "t", "-S", "-200");
  }

  exited(): boolean {
    return this.tmux("display-message", "-p", "-t", "t", "#{pane_dead}").trim() === "1";
  }

  async waitFor(match: RegExp | string | ((screen: string) => boolean), timeoutMs = 15000): Promise<string> {
    const test = typeof match === "function" ? match : (s: string) => (typeof match === "string" ? s.includes(match) : match.test(s));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = this.screen();
      if (test(s)) return s;
      if (Date.now() > deadline) throw new Error(`screen never showed ${String(match)}:\n${s}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  kill(): void {
    try {
      this.tmux("kill-server");
    } catch {
      // already gone
    }
  }
}
