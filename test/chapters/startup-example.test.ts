/**
 * Chapter 03's example (`npm run chapter -- startup`, chapters/03-startup/run.ts): it
 * starts zk-server as a process, narrates it and stops it cleanly; Ctrl-C in the middle
 * leaves neither a server process nor its temporary directory behind.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { listening, runChapter } from "../support/chapterRun.js";

describe("npm run chapter -- startup", () => {
  it("narrates startup, the four-letter words, two handshakes, a bad line, an ensemble config and the stop; exits 0", async () => {
    const { code, out } = await runChapter(["startup"], { ZK_CHAPTER_DELAY_MS: "0" });
    expect(code, out).toBe(0);
    // Startup, from the server's own log, with the explanations.
    expect(out).toMatch(/WARN {2}\[QuorumPeerMain\] - Either no config or no quorum defined in config, running in standalone mode\n +\| {5}\^ no server\.N lines/);
    expect(out).toContain("INFO  [NIOServerCnxnFactory] - binding to port 127.0.0.1:");
    expect(out).toMatch(/serving after \d+ ms/);
    // Operations.
    expect(out).toMatch(/echo ruok \| nc 127\.0\.0\.1 \d+\n +imok/);
    expect(out).toContain("  Mode: standalone");
    expect(out).toContain("  maxSessionTimeout=40000");
    expect(out).toMatch(/zk_server_state\tstandalone/);
    expect(out).toContain("dump is not executed because it is not in the whitelist.");
    expect(out).toContain('"command" : "ruok"');
    // The handshakes: ids from one tracker, counter 0 then 1; 60000 clamped to 40000.
    const ids = [...out.matchAll(/client (\d): session (0x[0-9a-f]+), negotiated timeout 40000 ms, password 16 bytes/g)].map((m) => BigInt(m[2]!));
    expect(ids).toHaveLength(2);
    expect(ids[1]! - ids[0]!).toBe(1n);
    expect(out).toContain("server id 0 |");
    expect(out).toContain("create /chapter03 -> zxid 0:3");
    expect(out).toContain("which had sessionid");
    // Config errors, with zkServer.sh's exit codes.
    expect(out).toMatch(/bad\.cfg:3: tickTime: "2s" is not an integer\n +exit code 2/);
    expect(out).toMatch(/defines an ensemble \(3 servers\).*\n +exit code 78/);
    // The clean stop.
    expect(out).toContain("[QuorumPeerMain] - Exiting normally");
    expect(out).toContain("zk-server exited with 0");
    const home = /copied to (\S+)\/zoo\.cfg/.exec(out)![1]!;
    expect(existsSync(home)).toBe(false);
  });

  it("Ctrl-C stops the server and removes its temporary directory", async () => {
    let sent = false;
    const { code, out } = await runChapter(["startup"], { ZK_CHAPTER_DELAY_MS: "50" }, (all, child) => {
      if (!sent && all.includes("== A client connects")) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    expect(sent).toBe(true);
    expect(code, out).toBe(0);
    expect(out).toContain("stopped (Ctrl-C)");
    expect(out).not.toContain("== A bad zoo.cfg line");
    expect(out).not.toMatch(/Error|at .*\.ts:\d+/);
    const home = /copied to (\S+)\/zoo\.cfg/.exec(out)![1]!;
    const port = Number(/clientPort=(\d+)/.exec(out)![1]);
    expect(existsSync(home)).toBe(false);
    expect(await listening(port)).toBe(false);
  });
});
