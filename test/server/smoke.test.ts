import { afterAll, beforeAll, describe, expect, it } from "vitest";
import zookeeper from "node-zookeeper-client";
import { startOurZooKeeper, type OurZooKeeper } from "../support/ourZooKeeper.js";
import { fourLetterWord } from "../support/net.js";

function connect(cs: string): Promise<zookeeper.Client> {
  return new Promise((resolve, reject) => {
    const c = zookeeper.createClient(cs, { sessionTimeout: 10000, retries: 0 });
    const t = setTimeout(() => reject(new Error("connect timeout")), 5000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve(c);
    });
    c.connect();
  });
}

describe("smoke", () => {
  let zk: OurZooKeeper;
  beforeAll(async () => {
    zk = await startOurZooKeeper();
  });
  afterAll(async () => {
    await zk.stop();
  });

  it("answers ruok", async () => {
    expect(await fourLetterWord(zk.port, "ruok")).toBe("imok");
  });

  it("serves node-zookeeper-client create/get/set/children/delete", async () => {
    const c = await connect(zk.connectString);
    const p = (fn: (cb: (err: unknown, ...r: any[]) => void) => void) =>
      new Promise<any[]>((res, rej) => fn((err, ...r) => (err ? rej(err) : res(r))));
    const [path] = await p((cb) => c.create("/a", Buffer.from("hello"), cb));
    expect(path).toBe("/a");
    const [data, stat] = await p((cb) => c.getData("/a", cb));
    expect(data.toString()).toBe("hello");
    expect(stat.version).toBe(0);
    await p((cb) => c.setData("/a", Buffer.from("x"), -1, cb));
    const [children] = await p((cb) => c.getChildren("/", cb));
    expect(children.sort()).toEqual(["a", "zookeeper"]);
    await p((cb) => c.remove("/a", -1, cb));
    await expect(p((cb) => c.getData("/a", cb))).rejects.toMatchObject({ code: -101 });
    c.close();
  });
});
