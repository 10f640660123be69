/**
 * Chapter 03 (operations): every four-letter word of ZooKeeper 3.8 against our server,
 * after known activity, checked line by line against the format Java prints.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { MemoryTxnSnapLog } from "../../src/data/ZKDatabase.js";
import { FileTxnSnapLog } from "../../src/persistence/FileTxnSnapLog.js";
import { ServerCnxnFactory } from "../../src/startup/ServerCnxnFactory.js";
import { ZooKeeperServer } from "../../src/server/ZooKeeperServer.js";
import { DEFAULT_TRACE_MASK, getTextTraceLevel, setTextTraceLevel } from "../../src/server/command/ZooTrace.js";
import { fourLetterWord } from "../support/net.js";
import { startOurZooKeeper, type OurZooKeeper } from "../support/ourZooKeeper.js";
import { call, closeOnFinish, connectClient, mntrPairs, rawExchange, stmkBytes, workload } from "./support.js";

async function ours(opts: Parameters<typeof startOurZooKeeper>[0] = {}): Promise<OurZooKeeper> {
  const zk = await startOurZooKeeper(opts);
  onTestFinished(() => zk.stop());
  return zk;
}

/** A server after the shared workload, with its client still connected. */
async function busyServer(opts: Parameters<typeof startOurZooKeeper>[0] = {}) {
  const zk = await ours(opts);
  const client = closeOnFinish(await connectClient(zk.connectString));
  await workload(client);
  const sid = `0x${BigInt.asUintN(64, BigInt("0x" + client.getSessionId().toString("hex"))).toString(16)}`;
  return { zk, client, sid };
}

const word = (zk: OurZooKeeper, w: string) => fourLetterWord(zk.port, w);

afterEach(() => setTextTraceLevel(DEFAULT_TRACE_MASK));

describe("four-letter words on our server", () => {
  it("ruok answers imok and isro rw, without a newline", async () => {
    const zk = await ours();
    expect(await word(zk, "ruok")).toBe("imok");
    expect(await word(zk, "isro")).toBe("rw");
  });

  it("srvr and stat print Java's lines, counting every packet as Java does", async () => {
    const { zk } = await busyServer();
    const srvr = (await word(zk, "srvr")).split("\n");
    expect(srvr[0]).toMatch(/^Zookeeper version: 3\.8\.0-.*, built on .*$/);
    expect(srvr[1]).toMatch(/^Latency min\/avg\/max: \d+\/\d+\.\d+\/\d+$/);
    expect(srvr[2]).toMatch(/^Received: \d+$/);
    expect(srvr[3]).toMatch(/^Sent: \d+$/);
    expect(srvr.slice(4)).toEqual(["Connections: 2", "Outstanding: 0", "Zxid: 0x4", "Mode: standalone", "Node count: 8", ""]);

    const stat = (await word(zk, "stat")).split("\n");
    expect(stat[1]).toBe("Clients:");
    expect(stat[2]).toMatch(/^ \/127\.0\.0\.1:\d+\[1\]\(queued=0,recved=7,sent=7\)$/);
    expect(stat[3]).toMatch(/^ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)$/);
    expect(stat[4]).toBe("");
    expect(stat.slice(-5)).toEqual(["Outstanding: 0", "Zxid: 0x4", "Mode: standalone", "Node count: 8", ""]);
  });

  it("counts a four-letter word as a packet received, and its answer as one sent", async () => {
    const zk = await ours();
    await word(zk, "srst");
    // srst's own answer is sent after the reset; each srvr counts itself on arrival.
    expect(await word(zk, "srvr")).toContain("Received: 1\nSent: 1\n");
    expect(await word(zk, "srvr")).toContain("Received: 2\nSent: 2\n");
  });

  it("conf lists the settings dumpConf lists, dirs the directory sizes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ops-conf-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const zk = await ours({ snapLog: await FileTxnSnapLog.open(dir, dir, { preAllocSizeBytes: 4096 }) });
    const c = closeOnFinish(await connectClient(zk.connectString));
    await call((cb) => c.create("/x", Buffer.from("1"), cb));
    const v2 = join(dir, "version-2");
    const size = readdirSync(v2).reduce((n, f) => n + statSync(join(v2, f)).size, 0);
    expect(await word(zk, "conf")).toBe(
      [
        `clientPort=${zk.port}`,
        "secureClientPort=-1",
        `dataDir=${v2}`,
        `dataDirSize=${size}`,
        `dataLogDir=${v2}`,
        `dataLogSize=${size}`,
        "tickTime=2000",
        "maxClientCnxns=0",
        "minSessionTimeout=4000",
        "maxSessionTimeout=40000",
        "clientPortListenBacklog=-1",
        "serverId=0",
        "",
      ].join("\n"),
    );
    expect(await word(zk, "dirs")).toBe(`datadir_size: ${size}\nlogdir_size: ${size}\n`);
  });

  it("cons shows each connection in full, and crst zeroes their counters", async () => {
    const { zk, sid } = await busyServer();
    const cons = (await word(zk, "cons")).split("\n");
    expect(cons[0]).toMatch(
      new RegExp(
        `^ /127\\.0\\.0\\.1:\\d+\\[1\\]\\(queued=0,recved=7,sent=7,sid=${sid},lop=\\w+,est=\\d{13},to=30000,lcxid=0x5,lzxid=0x4,lresp=\\d+,llat=\\d+,minlat=\\d+,avglat=\\d+,maxlat=\\d+\\)$`,
      ),
    );
    // The connection asking is listed too: it has sent its word, has no session, reads no more.
    expect(cons.slice(1)).toEqual([expect.stringMatching(/^ \/127\.0\.0\.1:\d+\[0\]\(queued=0,recved=1,sent=0\)$/), "", ""]);
    expect(await word(zk, "crst")).toBe("Connection stats reset.\n");
    expect(await word(zk, "cons")).toMatch(new RegExp(`^ /127\\.0\\.0\\.1:\\d+\\[1\\]\\(queued=0,recved=0,sent=0,sid=${sid},lop=NA,est=\\d+,to=30000,lzxid=0xffffffffffffffff,`));
  });

  it("dump lists the session's expiry bucket and its ephemeral node", async () => {
    const { zk, sid } = await busyServer();
    const lines = (await word(zk, "dump")).split("\n");
    expect(lines[0]).toBe("SessionTracker dump:");
    expect(lines[1]).toBe("Session Sets (1)/(1):");
    expect(lines[2]).toMatch(/^1 expire at (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d \S+ \d{4}:$/);
    expect(lines.slice(3)).toEqual([`\t${sid}`, "ephemeral nodes dump:", "Sessions with Ephemerals (1):", `${sid}:`, "\t/e", "Connections dump:", ""]);
  });

  it("wchs, wchc and wchp show the data watches (not the child watch)", async () => {
    const { zk, sid } = await busyServer();
    expect(await word(zk, "wchs")).toBe("1 connections watching 2 paths\nTotal watches:2\n");
    expect(await word(zk, "wchc")).toBe(`${sid}\n\t/a\n\t/zz\n\n`);
    expect(await word(zk, "wchp")).toBe(`/a\n\t${sid}\n/zz\n\t${sid}\n\n`);
  });

  it("envi lists Java's keys in Java's order", async () => {
    const zk = await ours();
    const lines = (await word(zk, "envi")).trimEnd().split("\n");
    expect(lines[0]).toBe("Environment:");
    const keys = lines.slice(1).map((l) => l.substring(0, l.indexOf("=")));
    expect(keys).toEqual([
      "zookeeper.version", "host.name", "java.version", "java.vendor", "java.home", "java.class.path", "java.library.path",
      "java.io.tmpdir", "java.compiler", "os.name", "os.arch", "os.version", "user.name", "user.home", "user.dir",
      "os.memory.free", "os.memory.max", "os.memory.total",
    ]);
    expect(lines).toContain(`user.dir=${process.cwd()}`);
    expect(lines).toContain(`java.version=${process.versions.node}`);
    expect(lines.at(-1)).toMatch(/^os\.memory\.total=\d+MB$/);
  });

  it("mntr prints tab-separated metrics whose values follow the activity", async () => {
    const { zk } = await busyServer();
    const pairs = mntrPairs(await word(zk, "mntr"));
    for (const [k, v] of pairs) {
      expect(k).toMatch(/^zk_[a-z0-9_]+$/);
      expect(v).toMatch(/^(-?\d+|-?\d+\.\d+|.*built on.*|standalone)$/);
    }
    const m = new Map(pairs);
    expect(pairs.slice(0, 2)).toEqual([["zk_version", expect.stringContaining("3.8.0")], ["zk_server_state", "standalone"]]);
    expect(Object.fromEntries(["zk_znode_count", "zk_ephemerals_count", "zk_watch_count", "zk_global_sessions", "zk_approximate_data_size", "zk_num_alive_connections", "zk_outstanding_requests"].map((k) => [k, m.get(k)]))).toEqual({
      zk_znode_count: "8",
      zk_ephemerals_count: "1",
      zk_watch_count: "3",
      zk_global_sessions: "1",
      zk_approximate_data_size: "55",
      zk_num_alive_connections: "2",
      zk_outstanding_requests: "0",
    });
    // createSession and three creates are writes; getData, getChildren and exists reads.
    // Each create retires two change records (the node and its parent).
    expect(Object.fromEntries(m)).toMatchObject({
      zk_cnt_updatelatency: "4",
      zk_cnt_readlatency: "3",
      zk_connection_request_count: "1",
      zk_outstanding_changes_removed: "6",
      zk_digest_mismatches_count: "0",
      zk_cnt_snapshottime: "1",
    });
    expect(m.get("zk_avg_latency")).toMatch(/^\d+\.\d{1,4}$/);
    expect(Number(m.get("zk_open_file_descriptor_count"))).toBeGreaterThan(0);
  });

  it("srst zeroes latencies, packets and metrics; gauges keep their values", async () => {
    const { zk } = await busyServer();
    expect(await word(zk, "srst")).toBe("Server stats reset.\n");
    expect(Object.fromEntries(mntrPairs(await word(zk, "mntr")))).toMatchObject({
      zk_avg_latency: "0.0",
      zk_cnt_updatelatency: "0",
      zk_connection_request_count: "0",
      zk_max_client_response_size: "-1",
      zk_znode_count: "8",
      zk_packets_received: "1",
    });
  });

  it("hash prints every 128th zxid's digest", async () => {
    const { zk, client } = await busyServer();
    expect(await word(zk, "hash")).toBe("");
    for (let i = 0; i < 124; i++) await call((cb) => client.create(`/n${i}`, Buffer.alloc(0), cb));
    const log = zk.zks.zkDb.dataTree.getDigestLog();
    expect(log.map((d) => d.zxid)).toEqual([128n]);
    expect(await word(zk, "hash")).toBe(`80: ${log[0]!.digest}\n`);
  });

  it("gtmk reads the trace mask, stmk sets it from the 8 bytes after the word", async () => {
    const zk = await ours();
    expect(await word(zk, "gtmk")).toBe("306");
    expect(await rawExchange(zk.port, stmkBytes(63n))).toBe("63");
    expect(await word(zk, "gtmk")).toBe("63");
    expect(await rawExchange(zk.port, stmkBytes(-2n))).toBe("-2");
    expect(getTextTraceLevel()).toBe(-2n);
  });

  it("stmk waits for an argument sent in a separate write, and closes silently without one", async () => {
    const zk = await ours();
    const { connect } = await import("node:net");
    const answer = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const s = connect(zk.port, "127.0.0.1", () => {
        s.write("stmk");
        setTimeout(() => s.write(stmkBytes(7n).subarray(4)), 100);
      });
      s.on("data", (d) => chunks.push(d));
      s.on("close", () => resolve(Buffer.concat(chunks).toString()));
    });
    expect(answer).toBe("7");
    const halfClosed = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      const s = connect(zk.port, "127.0.0.1", () => s.end("stmk\0\0"));
      s.on("data", (d) => chunks.push(d));
      s.on("close", () => resolve(Buffer.concat(chunks).toString()));
    });
    expect(halfClosed).toBe("");
    expect(await word(zk, "gtmk")).toBe("7");
  });
});

describe("4lw.commands.whitelist", () => {
  it("runs listed words, refuses others with Java's message, and always allows srvr", async () => {
    const zk = await ours({ whitelist: " ruok , mntr" });
    expect(await word(zk, "ruok")).toBe("imok");
    expect(await word(zk, "mntr")).toContain("zk_server_state\tstandalone\n");
    expect(await word(zk, "srvr")).toContain("Mode: standalone\n");
    expect(await word(zk, "stat")).toBe("stat is not executed because it is not in the whitelist.\n");
    expect(await word(zk, "envi")).toBe("envi is not executed because it is not in the whitelist.\n");
  });

  it("an empty whitelist leaves only srvr; a refused stmk does not change the mask", async () => {
    const zk = await ours({ whitelist: "" });
    expect(await word(zk, "ruok")).toBe("ruok is not executed because it is not in the whitelist.\n");
    expect(await rawExchange(zk.port, stmkBytes(1n))).toBe("stmk is not executed because it is not in the whitelist.\n");
    expect(getTextTraceLevel()).toBe(DEFAULT_TRACE_MASK);
    expect(await word(zk, "srvr")).toContain("Zookeeper version: ");
  });

  it("knows telnet's close sequence: refused when not listed, dropped silently under *", async () => {
    const telnetClose = Buffer.from([0xff, 0xf4, 0xff, 0xfd]);
    const listed = await ours({ whitelist: "ruok" });
    expect(await rawExchange(listed.port, telnetClose)).toBe("telnet close is not executed because it is not in the whitelist.\n");
    const all = await ours({ whitelist: "*" });
    expect(await rawExchange(all.port, telnetClose)).toBe("");
  });
});

describe("a server that is not serving", () => {
  it("answers the words that need it with Java's not-serving line", async () => {
    const zks = new ZooKeeperServer(new MemoryTxnSnapLog());
    const factory = new ServerCnxnFactory({ host: "127.0.0.1", port: 0, maxClientCnxns: 0, fourLetterWordWhitelist: "*" });
    await factory.startup(zks, false);
    onTestFinished(() => factory.shutdown());
    const notServing = "This ZooKeeper instance is not currently serving requests\n";
    for (const w of ["stat", "srvr", "conf", "cons", "crst", "dump", "mntr", "wchs", "wchc", "wchp", "srst", "dirs"]) {
      expect(await fourLetterWord(factory.localPort, w), w).toBe(notServing);
    }
    expect(await fourLetterWord(factory.localPort, "hash")).toBe(notServing.trimEnd());
    expect(await fourLetterWord(factory.localPort, "isro")).toBe("null");
    expect(await fourLetterWord(factory.localPort, "ruok")).toBe("imok");
    expect(await fourLetterWord(factory.localPort, "envi")).toMatch(/^Environment:\n/);
  });
});
