/**
 * T23–T26: zoo.cfg parsing and the decisions QuorumPeerMain takes from it
 * [002 L145–364; 001 L1392–1434, L1182–1198, L2214–2218; 003 L274].
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { checkPeerList, chooseMode, initializeAndRun } from "../../src/startup/QuorumPeerMain.js";
import { ConfigException, parseConfig, parseConfigFile, parsePropertiesText, readMyId } from "../../src/startup/QuorumPeerConfig.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "zkcfg-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("T23 config parse", () => {
  it("T23 derives dataLogDir and the session timeout bounds from dataDir and tickTime", () => {
    const cfg = parseConfig("tickTime=2000\ndataDir=/var/zk\nclientPort=2181\n");
    expect(cfg.dataLogDir).toBe("/var/zk");
    expect(cfg.minSessionTimeout).toBe(4000);
    expect(cfg.maxSessionTimeout).toBe(40000);
    expect(cfg.maxClientCnxns).toBe(60);
  });

  it("T23 refuses a config without tickTime", () => {
    expect(() => parseConfig("dataDir=/var/zk\n")).toThrow(/tickTime is not set/);
  });

  it("T23 refuses electionAlg=1, naming the file, line and key", () => {
    expect(() => parseConfig("tickTime=2000\ndataDir=/var/zk\nelectionAlg=1\n", "/etc/zoo.cfg")).toThrow(
      "/etc/zoo.cfg:3: electionAlg: Invalid electionAlg value. Only 3 is supported.",
    );
  });

  it("T23 raises autopurge.snapRetainCount=1 to the minimum of 3", () => {
    expect(parseConfig("tickTime=2000\ndataDir=/d\nautopurge.snapRetainCount=1\n").snapRetainCount).toBe(3);
  });

  it("T23 turns an unknown key into the system property zookeeper.<key>", () => {
    const cfg = parseConfig("tickTime=2000\ndataDir=/d\nfoo=bar\n4lw.commands.whitelist=ruok, srvr\n");
    expect(cfg.properties.get("zookeeper.foo")).toBe("bar");
    expect(cfg.properties.get("zookeeper.4lw.commands.whitelist")).toBe("ruok, srvr");
  });

  it("T23 a malformed value names the key and the line", () => {
    let err: unknown;
    try {
      parseConfig("# comment\ntickTime=2s\ndataDir=/d\n", "zoo.cfg");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigException);
    expect((err as Error).message).toBe('zoo.cfg:2: tickTime: "2s" is not an integer');
    expect(() => parseConfig("tickTime=2000\ndataDir=/d\nsyncEnabled=maybe\n")).toThrow(/zoo.cfg:3: syncEnabled: Invalid boolean value "maybe"/);
    expect(() => parseConfig("tickTime=2000\ndataDir=/d\nminSessionTimeout=9000\nmaxSessionTimeout=5000\n")).toThrow(/minSessionTimeout must not be larger than maxSessionTimeout/);
  });

  it("T23 reads java.util.Properties syntax: separators, comments, continuations, escapes", () => {
    const entries = parsePropertiesText("! bang comment\n  a : 1\nb 2\nc=x\\\n   y\nd=tab\\there\ne=\\u0041\\=\nf\n");
    expect(Object.fromEntries(entries.map((e) => [e.key, e.value]))).toEqual({ a: "1", b: "2", c: "xy", d: "tab\there", e: "A=", f: "" });
    expect(entries.find((e) => e.key === "c")!.line).toBe(4);
  });

  it("T23 reports a missing file as a config error", () => {
    expect(() => parseConfigFile(join(tempDir(), "nope.cfg"))).toThrow(ConfigException);
  });
});

describe("T24 myid", () => {
  it('T24 reads "3\\n" as server id 3', () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "3\n");
    expect(readMyId(d)).toBe(3n);
  });
  it('T24 rejects "x"', () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "x");
    expect(() => readMyId(d)).toThrow("serverid x is not a number");
  });
  it("T24 a missing myid is no error (standalone needs none)", () => {
    expect(readMyId(tempDir())).toBe(-1n);
  });
});

describe("T25 mode selection", () => {
  const servers = (n: number) => Array.from({ length: n }, (_, i) => `server.${i + 1}=127.0.0.1:${2888 + i}:${3888 + i}`).join("\n");

  it("T25 one voting server runs standalone, three run the quorum peer", () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "1\n");
    const one = parseConfig(`tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\n${servers(1)}\n`);
    const three = parseConfig(`tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\n${servers(3)}\n`);
    const none = parseConfig(`tickTime=2000\ndataDir=${d}\n`);
    expect(chooseMode(none)).toBe("standalone");
    expect(chooseMode(one)).toBe("standalone");
    expect(chooseMode(three)).toBe("quorum");
    // standaloneEnabled=false makes even a single server an ensemble of one.
    expect(chooseMode(parseConfig(`tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\nstandaloneEnabled=false\n${servers(1)}\n`))).toBe("quorum");
  });

  it("T25 an ensemble needs initLimit, syncLimit and a myid file", () => {
    const d = tempDir();
    expect(() => parseConfig(`tickTime=2000\ndataDir=${d}\nsyncLimit=2\n${servers(3)}\n`)).toThrow(/initLimit is not set/);
    expect(() => parseConfig(`tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\n${servers(3)}\n`)).toThrow(/myid file is missing/);
  });

  it("T25 server lines are parsed with their ports, role and client address", () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "2");
    const cfg = parseConfig(`tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\nserver.1=a:1:2\nserver.2=b:3:4:participant;127.0.0.1:2182\nserver.3=c:5:6:observer\n`);
    expect(cfg.servers.get(3n)).toMatchObject({ hostname: "c", quorumPort: 5, electionPort: 6, type: "observer" });
    expect(cfg.clientPort).toBe(2182);
    expect(cfg.clientPortAddress).toBe("127.0.0.1");
    expect(() => parseConfig(`tickTime=2000\ndataDir=${d}\nserver.1=a:7:7\n`)).toThrow(/Client and election port must be different/);
  });
});

describe("T26 peer-list check", () => {
  it("T26 a myid that is not among the server.N lines is refused", async () => {
    const d = tempDir();
    writeFileSync(join(d, "myid"), "4\n");
    const text = `tickTime=2000\ndataDir=${d}\ninitLimit=5\nsyncLimit=2\nserver.1=127.0.0.1:2888:3888\nserver.2=127.0.0.1:2889:3889\nserver.3=127.0.0.1:2890:3890\n`;
    expect(() => checkPeerList(parseConfig(text))).toThrow("My id 4 not in the peer list");
    const file = join(d, "zoo.cfg");
    writeFileSync(file, text);
    await expect(initializeAndRun(file)).rejects.toThrow("My id 4 not in the peer list");
  });
});
