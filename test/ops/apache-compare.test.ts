/**
 * Chapter 03 (operations), differential: Apache ZooKeeper 3.8 and our server get the
 * same activity, then the same four-letter words and admin commands, in the same order.
 * Their answers must have the same lines, keys and layout, and equal values wherever
 * the value does not depend on timing, ids or the runtime.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import { operationsEnvironment, startOperations, type Operations } from "../../src/server/admin/Operations.js";
import { DEFAULT_TRACE_MASK, setTextTraceLevel } from "../../src/server/command/ZooTrace.js";
import { JAVA_METRIC_ORDER } from "../../src/server/metrics/JavaMetricOrder.js";
import { concurrentHashMapOrder } from "../../src/util/JavaHash.js";
import { ZooKeeperServer } from "../../src/server/ZooKeeperServer.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { parseConfigFile } from "../../src/startup/QuorumPeerConfig.js";
import { apacheZooKeeperAvailable, startApacheZooKeeper, type ApacheZooKeeper } from "../support/apacheZooKeeper.js";
import { fourLetterWord, freePort } from "../support/net.js";
import { connectClient, httpGet, isSubsequence, jsonShape, mntrPairs, rawExchange, stmkBytes, workload, type Client } from "./support.js";

/** The words, then the admin commands, asked of both servers in this order. */
const WORDS = ["ruok", "isro", "gtmk", "conf", "dirs", "envi", "stat", "srvr", "cons", "dump", "wchs", "wchc", "wchp", "mntr", "hash", "crst", "srst"];
const ADMIN = [
  "", "configuration", "connections", "dirs", "dump", "environment", "get_trace_mask", "hash", "initial_configuration",
  "is_read_only", "last_snapshot", "leader", "monitor", "observer_connection_stat_reset", "observers", "ruok",
  "server_stats", "stats", "system_properties", "voting_view", "watch_summary", "watches", "watches_by_path", "zabstate",
  "set_trace_mask", "nope", "connection_stat_reset", "stat_reset",
];

interface Answers {
  words: Map<string, string>;
  admin: Map<string, string>;
  stmk: string;
  gtmkAfterStmk: string;
  sessionId: string;
}

async function ask(clientPort: number, adminBase: string, client: Client): Promise<Answers> {
  const words = new Map<string, string>();
  for (const w of WORDS) words.set(w, await fourLetterWord(clientPort, w));
  const admin = new Map<string, string>();
  for (const c of ADMIN) admin.set(c, (await httpGet(`${adminBase}/${c}`)).body);
  const stmk = await rawExchange(clientPort, stmkBytes(63n));
  const gtmkAfterStmk = await fourLetterWord(clientPort, "gtmk");
  return { words, admin, stmk, gtmkAfterStmk, sessionId: BigInt("0x" + client.getSessionId().toString("hex")).toString(16) };
}

/** Session ids, dates, ports and numbers out of the way, keeping the line structure. */
function textShape(text: string, sessionId: string): string {
  return text
    .replaceAll(sessionId, "<sid>")
    .replace(/(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \w{3} \d\d \d\d:\d\d:\d\d \S+ \d{4}/g, "<date>")
    .replace(/Zookeeper version: .*/g, "Zookeeper version: <v>")
    .replace(/lop=\w+/g, "lop=<op>")
    .replace(/\d+\.\d+/g, "<d>")
    .replace(/\d+/g, "<i>");
}

const available = apacheZooKeeperAvailable();

describe.skipIf(!available)("our answers against Apache ZooKeeper 3.8's", () => {
  let apache: ApacheZooKeeper;
  let apacheClient: Client;
  let ourClient: Client;
  let factory: ServerCnxnFactory;
  let ops: Operations;
  let dir: string;
  let java: Answers;
  let ours: Answers;

  beforeAll(async () => {
    const adminPort = await freePort();
    apache = await startApacheZooKeeper({ extraConfig: { "admin.enableServer": "true", "admin.serverPort": adminPort, "admin.serverAddress": "127.0.0.1" } });
    dir = mkdtempSync(join(tmpdir(), "ops-compare-"));
    writeFileSync(join(dir, "zoo.cfg"), `tickTime=2000\ndataDir=${dir}\nclientPort=0\nmaxClientCnxns=0\n4lw.commands.whitelist=*\nadmin.serverAddress=127.0.0.1\nadmin.serverPort=0\n`);
    const cfg = parseConfigFile(join(dir, "zoo.cfg"));
    // The order ZooKeeperServerMain follows: operations first, then the client port.
    const zks = new ZooKeeperServer(await FileTxnSnapLog.open(dir, dir), { tickTime: cfg.tickTime, minSessionTimeout: cfg.minSessionTimeout, maxSessionTimeout: cfg.maxSessionTimeout });
    factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: 0, fourLetterWordWhitelist: "*", operations: operationsEnvironment(cfg) });
    ops = await startOperations({ zks, factory, cfg });
    await factory.startup(zks);
    apacheClient = await connectClient(apache.connectString);
    ourClient = await connectClient(`127.0.0.1:${factory.localPort}`);
    // Each server is asked right after its own workload: a client left idle for a third
    // of its session (10 s) pings, and a ping counts in mntr's read latency and response
    // bytes. Asking Apache takes seconds on a loaded machine; our client must not wait
    // through that.
    await workload(apacheClient);
    java = await ask(apache.port, `http://127.0.0.1:${adminPort}/commands`, apacheClient);
    await workload(ourClient);
    ours = await ask(factory.localPort, `http://127.0.0.1:${ops.admin!.port}/commands`, ourClient);
  });

  afterAll(async () => {
    setTextTraceLevel(DEFAULT_TRACE_MASK);
    ourClient?.close();
    apacheClient?.close();
    await ops?.stop();
    await factory?.shutdown();
    await apache?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("gives the same answers to ruok, isro, gtmk, hash, crst, srst and stmk", () => {
    for (const w of ["ruok", "isro", "gtmk", "hash", "crst", "srst"]) expect(ours.words.get(w), w).toBe(java.words.get(w));
    expect([ours.stmk, ours.gtmkAfterStmk]).toEqual([java.stmk, java.gtmkAfterStmk]);
  });

  it("stat, srvr and cons have Java's lines, with equal counts where activity decides them", () => {
    // Java lists connections in hash order; compare the lines regardless of order.
    const lines = (t: string, sid: string) => textShape(t, sid).split("\n").sort();
    for (const w of ["stat", "srvr", "cons"]) expect(lines(ours.words.get(w)!, ours.sessionId), w).toEqual(lines(java.words.get(w)!, java.sessionId));
    const tail = (t: string) => t.split("\n").slice(-6);
    expect(tail(ours.words.get("srvr")!)).toEqual(tail(java.words.get("srvr")!));
  });

  it("conf and dirs list the same keys; the settings are equal", () => {
    const pairs = (t: string) => t.trimEnd().split("\n").map((l) => l.split("="));
    const o = pairs(ours.words.get("conf")!);
    const j = pairs(java.words.get("conf")!);
    expect(o.map(([k]) => k)).toEqual(j.map(([k]) => k));
    for (const k of ["secureClientPort", "tickTime", "maxClientCnxns", "minSessionTimeout", "maxSessionTimeout", "clientPortListenBacklog", "serverId"]) {
      expect(o.find(([x]) => x === k), k).toEqual(j.find(([x]) => x === k));
    }
    expect(o.find(([k]) => k === "dataDir")![1]).toBe(join(dir, "version-2"));
    expect(textShape(ours.words.get("dirs")!, "")).toBe(textShape(java.words.get("dirs")!, ""));
  });

  it("dump shows the same sessions and ephemerals (Java adds its NIO connection queue)", () => {
    // Java keeps buckets its sessions have left ("0 expire at"); we do not list them.
    const upToConnections = (t: string, sid: string) =>
      textShape(t.substring(0, t.indexOf("Connections dump:")), sid)
        .split("\n")
        .map((l) => l.replace(/^Session Sets \(<i>\)/, "Session Sets"));
    expect(upToConnections(ours.words.get("dump")!, ours.sessionId)).toEqual(upToConnections(java.words.get("dump")!.replace(/^0 expire at .*\n/gm, ""), java.sessionId));
  });

  it("wchs, wchc and wchp are equal but for the session id", () => {
    for (const w of ["wchs", "wchc", "wchp"]) expect(ours.words.get(w)!.replaceAll(ours.sessionId, "<sid>"), w).toBe(java.words.get(w)!.replaceAll(java.sessionId, "<sid>"));
  });

  it("envi has Java's keys in Java's order, and the same OS and user values", () => {
    const o = new Map(ours.words.get("envi")!.trimEnd().split("\n").slice(1).map((l) => l.split("=") as [string, string]));
    const j = new Map(java.words.get("envi")!.trimEnd().split("\n").slice(1).map((l) => l.split("=") as [string, string]));
    expect([...o.keys()]).toEqual([...j.keys()]);
    for (const k of ["host.name", "java.io.tmpdir", "java.compiler", "os.name", "os.arch", "os.version", "user.name", "user.home", "user.dir"]) expect(o.get(k), k).toBe(j.get(k));
  });

  it("mntr: our keys are Java's, in Java's order, with equal values where activity decides them", () => {
    const o = mntrPairs(ours.words.get("mntr")!);
    const j = mntrPairs(java.words.get("mntr")!);
    const jKeys = j.map(([k]) => k);
    expect(isSubsequence(o.map(([k]) => k), jKeys)).toBe(true);
    const jm = new Map(j);
    const om = new Map(o);
    const same = ["zk_server_state", "zk_znode_count", "zk_watch_count", "zk_ephemerals_count", "zk_approximate_data_size", "zk_global_sessions", "zk_num_alive_connections", "zk_outstanding_requests", "zk_outstanding_changes_removed", "zk_connection_request_count", "zk_connection_rejected", "zk_digest_mismatches_count", "zk_stale_sessions_expired", "zk_unrecoverable_error_count", "zk_watch_bytes", "zk_cnt_readlatency", "zk_cnt_updatelatency", "zk_max_file_descriptor_count", "zk_cnt_snapshottime", "zk_cnt_dbinittime", "zk_min_client_response_size", "zk_max_client_response_size", "zk_last_client_response_size", "zk_response_bytes"];
    for (const k of same) expect([k, om.get(k)]).toEqual([k, jm.get(k)]);
  });

  it("our model of ConcurrentHashMap reproduces Java's mntr order", () => {
    const j = mntrPairs(java.words.get("mntr")!).map(([k]) => k.replace(/^zk_/, ""));
    const expected = ["version", "server_state", ...concurrentHashMapOrder(JAVA_METRIC_ORDER.gauges), ...concurrentHashMapOrder(JAVA_METRIC_ORDER.counters)];
    for (const s of concurrentHashMapOrder(JAVA_METRIC_ORDER.basicSummaries)) expected.push(...["avg", "min", "max", "cnt", "sum"].map((p) => `${p}_${s}`));
    for (const s of concurrentHashMapOrder(JAVA_METRIC_ORDER.summaries)) expected.push(...["avg", "min", "max", "cnt", "sum", "p50", "p95", "p99", "p999"].map((p) => `${p}_${s}`));
    // After these come Java's per-namespace summary sets, which we do not keep.
    expect(j.slice(0, expected.length)).toEqual(expected);
    expect(j.slice(expected.length).every((k) => /_(read|write)_per_namespace$/.test(k))).toBe(true);
  });

  it("admin commands answer with the same JSON layout", () => {
    const sameShape = ["", "configuration", "connections", "dirs", "get_trace_mask", "hash", "initial_configuration", "is_read_only", "last_snapshot", "leader", "observer_connection_stat_reset", "observers", "ruok", "voting_view", "watch_summary", "watches", "watches_by_path", "zabstate", "set_trace_mask", "nope", "connection_stat_reset", "stat_reset", "environment"];
    for (const c of sameShape) expect(jsonShape(ours.admin.get(c)!), c).toBe(jsonShape(java.admin.get(c)!));
    // Jackson orders a bean's properties as reflection lists its getters, which is not
    // the same from one JVM run to the next; ServerStats is such a bean, so these two
    // are compared line by line regardless of order.
    const lines = (t: string) => jsonShape(t).split("\n").sort();
    for (const c of ["server_stats", "stats"]) expect(lines(ours.admin.get(c)!), c).toEqual(lines(java.admin.get(c)!));
    for (const c of ["watch_summary", "leader", "zabstate", "observers", "voting_view", "nope", "is_read_only", "get_trace_mask"]) expect(ours.admin.get(c), c).toBe(java.admin.get(c));
  });

  it("admin dump and monitor: same keys, our metrics a subset of Java's in Java's order", () => {
    const withoutEmptyBuckets = (t: string) => jsonShape(t).replace(/\n {4}"<n>" : \[ \],?/g, "");
    expect(withoutEmptyBuckets(ours.admin.get("dump")!)).toBe(withoutEmptyBuckets(java.admin.get("dump")!));
    const keys = (t: string) => [...t.matchAll(/^ {2}"([^"]+)" :/gm)].map((m) => m[1]!);
    const o = keys(ours.admin.get("monitor")!);
    const j = keys(java.admin.get("monitor")!);
    expect(isSubsequence(o, j)).toBe(true);
    const types = (t: string) => new Map([...t.matchAll(/^ {2}"([^"]+)" : (.*?),?$/gm)].map((m) => [m[1]!, jsonShape(m[2]!)]));
    const ot = types(ours.admin.get("monitor")!);
    const jt = types(java.admin.get("monitor")!);
    for (const k of o) expect([k, ot.get(k)]).toEqual([k, jt.get(k)]);
  });
});
