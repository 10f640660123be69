/**
 * Chapter 03 (operations): the AdminServer's HTTP endpoint on our server — the command
 * list, aliases, the JSON of each command, errors, HTTP methods and its lifecycle.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { MemoryTxnSnapLog } from "../../src/data/ZKDatabase.js";
import { AdminServer, AdminServerException } from "../../src/server/admin/AdminServer.js";
import { startOperations, type Operations } from "../../src/server/admin/Operations.js";
import { DEFAULT_TRACE_MASK, setTextTraceLevel } from "../../src/server/command/ZooTrace.js";
import { ZooKeeperServer } from "../../src/server/ZooKeeperServer.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { parseConfig, parseConfigFile } from "../../src/startup/QuorumPeerConfig.js";
import { startOurZooKeeper, type OurZooKeeper } from "../support/ourZooKeeper.js";
import { closeOnFinish, connectClient, httpGet, workload } from "./support.js";

/** Java 3.8's primary command names, as its /commands page lists them. */
const JAVA_PRIMARY_NAMES = [
  "configuration", "connection_stat_reset", "connections", "dirs", "dump", "environment", "get_trace_mask", "hash",
  "initial_configuration", "is_read_only", "last_snapshot", "leader", "monitor", "observer_connection_stat_reset",
  "observers", "ruok", "server_stats", "set_trace_mask", "stat_reset", "stats", "system_properties", "voting_view",
  "watch_summary", "watches", "watches_by_path", "zabstate",
];

/** Every alias Java registers, with the primary name its response carries. */
const ALIASES: [string, string][] = [
  ["crst", "connection_stat_reset"], ["conf", "configuration"], ["config", "configuration"], ["cons", "connections"],
  ["env", "environment"], ["envi", "environment"], ["gtmk", "get_trace_mask"], ["icfg", "initial_configuration"],
  ["isro", "is_read_only"], ["lsnp", "last_snapshot"], ["lead", "leader"], ["mntr", "monitor"],
  ["orst", "observer_connection_stat_reset"], ["stmk", "set_trace_mask"], ["srvr", "server_stats"], ["stat", "stats"],
  ["srst", "stat_reset"], ["obsr", "observers"], ["sysp", "system_properties"], ["wchc", "watches"],
  ["wchp", "watches_by_path"], ["wchs", "watch_summary"],
];

function cfgText(extra: string): string {
  return `tickTime=2000\ndataDir=${join(tmpdir(), "ops-admin-unused")}\nclientPort=2181\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n${extra}`;
}

async function withAdmin(extraCfg = ""): Promise<{ zk: OurZooKeeper; ops: Operations; base: string }> {
  const zk = await startOurZooKeeper();
  onTestFinished(() => zk.stop());
  const ops = await startOperations({ zks: zk.zks, factory: zk.factory, cfg: parseConfig(cfgText(extraCfg)) });
  onTestFinished(() => ops.stop());
  return { zk, ops, base: ops.admin === null ? "" : `http://127.0.0.1:${ops.admin.port}/commands` };
}

const json = async (url: string) => JSON.parse((await httpGet(url)).body) as Record<string, unknown>;

afterEach(() => setTextTraceLevel(DEFAULT_TRACE_MASK));

describe("AdminServer", () => {
  it("lists every command Java has as links, sorted, at /commands and /commands/", async () => {
    const { base } = await withAdmin();
    for (const url of [base, base + "/"]) {
      const r = await httpGet(url);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBeNull();
      expect(r.body).toBe(JAVA_PRIMARY_NAMES.map((c) => `<a href="/commands/${c}">${c}</a>\n<br/>\n`).join(""));
    }
  });

  it("answers every alias under the primary name", async () => {
    const { base } = await withAdmin();
    for (const [alias, primary] of ALIASES) {
      const r = await httpGet(`${base}/${alias}`);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(JSON.parse(r.body).command, alias).toBe(primary);
    }
  });

  it("writes Jackson's pretty JSON, with command and error last", async () => {
    const { zk, base } = await withAdmin();
    await workload(closeOnFinish(await connectClient(zk.connectString)));
    expect((await httpGet(`${base}/watch_summary`)).body).toBe(
      '{\n  "num_connections" : 1,\n  "num_paths" : 2,\n  "num_total_watches" : 2,\n  "command" : "watch_summary",\n  "error" : null\n}',
    );
    expect((await httpGet(`${base}/ruok`)).body).toBe('{\n  "command" : "ruok",\n  "error" : null\n}');
    expect((await httpGet(`${base}/voting_view`)).body).toBe('{\n  "current_config" : { },\n  "command" : "voting_view",\n  "error" : null\n}');
  });

  it("reports connections, stats, watches and ephemerals after activity", async () => {
    const { zk, base } = await withAdmin();
    const client = closeOnFinish(await connectClient(zk.connectString));
    await workload(client);
    const sid = BigInt.asIntN(64, BigInt("0x" + client.getSessionId().toString("hex")));
    const cons = (await httpGet(`${base}/connections`)).body;
    expect(cons).toContain(`"session_id" : ${sid},`);
    expect(cons).toMatch(/"connections" : \[ \{\n    "remote_socket_address" : "127\.0\.0\.1:\d+",\n    "interest_ops" : 1,\n    "outstanding_requests" : 0,\n    "packets_received" : 7,\n    "packets_sent" : 7,\n/);
    expect(cons).toContain('"secure_connections" : [ ],');
    const stats = await json(`${base}/stats`);
    expect(stats.node_count).toBe(8);
    expect((stats.server_stats as Record<string, unknown>).server_state).toBe("standalone");
    expect((stats.connections as unknown[]).length).toBe(1);
    expect((await httpGet(`${base}/watches`)).body).toContain(`"session_id_to_watched_paths" : {\n    "${sid}" : [ "/a", "/zz" ]\n  },`);
    expect((await httpGet(`${base}/watches_by_path`)).body).toContain(`"path_to_session_ids" : {\n    "/a" : [ ${sid} ],\n    "/zz" : [ ${sid} ]\n  },`);
    expect((await httpGet(`${base}/dump`)).body).toContain(`"session_id_to_ephemeral_paths" : {\n    "${sid}" : [ "/e" ]\n  },`);
    const mntr = (await httpGet(`${base}/monitor`)).body;
    expect(mntr).toContain('"server_state" : "standalone",');
    expect(mntr).toContain('"znode_count" : 8,');
    expect(mntr).toMatch(/"avg_latency" : \d+\.\d+,/);
  });

  it("resets stats and connection stats", async () => {
    const { zk, base } = await withAdmin();
    await workload(closeOnFinish(await connectClient(zk.connectString)));
    expect((await json(`${base}/stat_reset`)).error).toBeNull();
    expect(((await json(`${base}/server_stats`)).server_stats as Record<string, unknown>).packets_received).toBe(0);
    await json(`${base}/connection_stat_reset`);
    expect(((await json(`${base}/connections`)).connections as Record<string, unknown>[])[0]!.packets_received).toBe(0);
  });

  it("sets the trace mask from the traceMask parameter, and explains a missing or bad one", async () => {
    const { base } = await withAdmin();
    expect((await httpGet(`${base}/set_trace_mask`)).body).toBe(
      '{\n  "error" : "setTraceMask requires long traceMask argument",\n  "command" : "set_trace_mask"\n}',
    );
    expect((await json(`${base}/set_trace_mask?traceMask=12abc`)).error).toBe("setTraceMask requires long traceMask argument, got 12abc");
    expect((await json(`${base}/set_trace_mask?traceMask=99999999999999999999`)).error).toMatch(/got 99999999999999999999$/);
    expect(await json(`${base}/stmk?traceMask=-5`)).toEqual({ tracemask: -5, command: "set_trace_mask", error: null });
    expect((await json(`${base}/gtmk`)).tracemask).toBe(-5);
  });

  it("answers the quorum-only commands as a standalone Java server does", async () => {
    const { base } = await withAdmin();
    expect((await httpGet(`${base}/leader`)).body).toBe('{\n  "error" : "server is not initialized",\n  "command" : "leader"\n}');
    expect(await json(`${base}/zabstate`)).toEqual({ voting: false, zabstate: "", command: "zabstate", error: null });
    expect(await json(`${base}/observers`)).toEqual({ synced_observers: 0, observers: [], command: "observers", error: null });
    expect(await json(`${base}/is_read_only`)).toEqual({ read_only: false, command: "is_read_only", error: null });
    expect(await json(`${base}/last_snapshot`)).toEqual({ zxid: "ffffffffffffffff", timestamp: -1, command: "last_snapshot", error: null });
  });

  it("reports unknown commands and HTTP misuse as Java's server does", async () => {
    const { base } = await withAdmin();
    expect(await json(`${base}/nope`)).toEqual({ command: "nope", error: "Unknown command: nope" });
    expect(await json(`${base}/stat/x`)).toEqual({ command: "stat/x", error: "Unknown command: stat/x" });
    const root = base.replace("/commands", "");
    expect((await httpGet(root + "/")).status).toBe(404);
    expect((await httpGet(root + "/command")).status).toBe(404);
    expect((await httpGet(`${base}/ruok`, { method: "POST" })).status).toBe(405);
    const head = await httpGet(`${base}/ruok`, { method: "HEAD" });
    expect([head.status, head.body, head.headers.get("content-length")]).toEqual([200, "", "42"]);
    const options = await httpGet(`${base}/ruok`, { method: "OPTIONS" });
    expect(options.headers.get("allow")).toBe("GET, HEAD, TRACE, OPTIONS");
  });

  it("lists the zoo.cfg settings as system properties, sorted", async () => {
    const { base } = await withAdmin("4lw.commands.whitelist=ruok\n");
    const props = await json(`${base}/system_properties`);
    const keys = Object.keys(props).slice(0, -2);
    expect(keys).toEqual([...keys].sort());
    expect(props["zookeeper.4lw.commands.whitelist"]).toBe("ruok");
    expect(props["user.dir"]).toBe(process.cwd());
  });

  it("returns the zoo.cfg text as the initial configuration", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-icfg-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "zoo.cfg");
    const text = `tickTime=2000\ndataDir=${dir}\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n`;
    writeFileSync(file, text);
    const zk = await startOurZooKeeper();
    onTestFinished(() => zk.stop());
    const ops = await startOperations({ zks: zk.zks, factory: zk.factory, cfg: parseConfigFile(file) });
    onTestFinished(() => ops.stop());
    expect((await json(`http://127.0.0.1:${ops.admin!.port}/commands/icfg`)).initial_configuration).toBe(text);
  });

  it("answers 'not currently serving' for commands that need the server, runs the others", async () => {
    const zks = new ZooKeeperServer(new MemoryTxnSnapLog());
    const factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: 0, fourLetterWordWhitelist: "*" });
    const admin = new AdminServer({ zks, factory, env: {} }, { address: "127.0.0.1", port: 0 });
    await admin.start();
    onTestFinished(() => admin.shutdown());
    const base = `http://127.0.0.1:${admin.port}/commands`;
    expect(await json(`${base}/stat`)).toEqual({ command: "stat", error: "This ZooKeeper instance is not currently serving requests" });
    expect(await json(`${base}/ruok`)).toEqual({ command: "ruok", error: "This ZooKeeper instance is not currently serving requests" });
    expect((await json(`${base}/environment`)).error).toBeNull();
    expect((await json(`${base}/get_trace_mask`)).tracemask).toBe(306);
    expect((await json(`${base}/zabstate`)).error).toBeNull();
  });

  it("serves under admin.commandURL, and is off unless admin.enableServer is exactly true", async () => {
    const { ops } = await withAdmin("admin.commandURL=/ops\n");
    expect((await json(`http://127.0.0.1:${ops.admin!.port}/ops/ruok`)).command).toBe("ruok");
    expect((await httpGet(`http://127.0.0.1:${ops.admin!.port}/commands/ruok`)).status).toBe(404);
    for (const v of ["false", "TRUE"]) {
      const { ops: off } = await withAdmin(`admin.enableServer=${v}\n`);
      expect(off.admin).toBeNull();
    }
  });

  it("starts and shuts down idempotently, and names address and port when it cannot bind", async () => {
    const zk = await startOurZooKeeper();
    onTestFinished(() => zk.stop());
    const admin = new AdminServer({ zks: zk.zks, factory: zk.factory, env: {} }, { address: "127.0.0.1", port: 0 });
    await Promise.all([admin.start(), admin.start()]);
    const port = admin.port;
    expect((await json(`http://127.0.0.1:${port}/commands/ruok`)).command).toBe("ruok");
    await Promise.all([admin.shutdown(), admin.shutdown()]);
    await expect(fetch(`http://127.0.0.1:${port}/commands/ruok`)).rejects.toThrow();
    await expect(admin.start()).rejects.toThrow(AdminServerException);

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => blocker.close(() => r())));
    const taken = (blocker.address() as { port: number }).port;
    const clash = new AdminServer({ zks: zk.zks, factory: zk.factory, env: {} }, { address: "127.0.0.1", port: taken });
    await expect(clash.start()).rejects.toThrow(`Problem starting AdminServer on address 127.0.0.1, port ${taken} and command URL /commands`);
  });
});
