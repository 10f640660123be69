/**
 * T77 — zk-cli's built-ins [001 L9998–10129]: `history` lists the last ten commands and
 * itself; `redo N` re-runs command N, refusing N out of range and the redo of a redo;
 * every command but the built-ins says "Not connected" once the session is closed.
 * The shell runs on its real entry point (ZooKeeperMain.run) with piped input, as
 * zkCli does without JLine; the server address is a closed port, so nothing here needs
 * a server.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ZooKeeperMain } from "../../src/client/ZooKeeperMain.js";
import { freePort } from "../support/net.js";

async function shell(lines: string[], extraArgs: string[] = []) {
  let out = "";
  let err = "";
  const port = await freePort();
  const main = new ZooKeeperMain(["-server", `127.0.0.1:${port}`, "-timeout", "3000", ...extraArgs], {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    input: Readable.from(lines.map((l) => l + "\n")),
    isTTY: false,
  });
  const code = await main.run();
  await main.zk?.close();
  return { out, err, code, main };
}

describe("T77 zk-cli history, redo, Not connected", () => {
  it("T77 history after 15 commands lists commands 5 to 15, itself last", async () => {
    const cmds = Array.from({ length: 15 }, (_, i) => (i % 2 === 0 ? "printwatches" : "printwatches on"));
    const { out } = await shell([...cmds, "history"]);
    const lines = out.split("\n").filter((l) => /^\d+ - /.test(l));
    expect(lines).toEqual([...Array.from({ length: 10 }, (_, k) => `${k + 5} - ${cmds[k + 5]}`), "15 - history"]);
  });

  it("T77 redo re-runs a command and takes its place in the history", async () => {
    const { out } = await shell(["printwatches", "redo 0", "history"]);
    expect(out.match(/printwatches is on/g)).toHaveLength(2);
    expect(out).toContain("0 - printwatches\n1 - printwatches\n2 - history\n");
  });

  it("T77 redo 99 is out of range; so is redoing the redo itself or a negative number", async () => {
    const { err, code } = await shell(["printwatches", "redo 99", "redo 1", "redo -1"]);
    // "redo 99" failed and stayed in the history as itself: redoing it is a redo of a redo.
    expect(err.split("\n").filter(Boolean)).toEqual(["Command index out of range", "No redoing redos", "Command index out of range"]);
    expect(code).toBe(1);
  });

  it("T77 redo takes Java's Integer.decode numbers (0x1, #1, 01) and ends the shell on garbage", async () => {
    const { out } = await shell(["printwatches", "printwatches off", "redo 0x0", "printwatches on", "redo #0"]);
    expect(out.match(/printwatches is (on|off)/g)).toEqual(["printwatches is on", "printwatches is off", "printwatches is on"]);
    const bad = await shell(["redo x", "printwatches"]);
    expect(bad.err).toContain('Exception in thread "main" java.lang.NumberFormatException: For input string: "x"');
    expect(bad.out).not.toContain("printwatches is");
    expect(bad.code).toBe(1);
  });

  it("T77 ls while the server is unreachable fails with ConnectionLoss; after close it is 'Not connected'", async () => {
    const { out, err } = await shell(["ls /", "close", "ls /", "history"]);
    expect(err).toContain("KeeperErrorCode = ConnectionLoss for /");
    // After close: "Not connected" for ls, and after the history built-in too, as in zkCli.
    expect(out).toMatch(/Not connected\n0 - ls \/\n1 - close\n2 - ls \/\n3 - history\nNot connected\n$/);
  });

  it("T77 an unknown command prints the usage and exits 127; an empty line is not a command", async () => {
    const { err, code, main } = await shell(["", "bogus"]);
    expect(err).toContain("ZooKeeper -server host:port -client-configuration properties-file cmd args\n\taddWatch ");
    expect(err).toContain("Command not found: Command not found bogus");
    expect(code).toBe(127);
    expect(main.commandCount).toBe(1);
  });

  it("T77 quotes group words; quit ends the shell and ignores what follows", async () => {
    const { main, out } = await shell(['printwatches "on" ', "quit", "printwatches"]);
    expect(main.history.get(0)).toBe('printwatches "on" ');
    expect(out).not.toContain("printwatches is");
  });
});
