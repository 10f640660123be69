/**
 * Helpers for the operations tests: a promisified node-zookeeper-client, the workload
 * both servers get before their outputs are compared, `stmk` (a word with an argument),
 * and the "shape" of an output: its text with values replaced by their kinds, so two
 * servers' answers compare equal when they differ only in values.
 */
import zookeeper from "node-zookeeper-client";
import { connect } from "node:net";
import { onTestFinished } from "vitest";

export type Client = zookeeper.Client;

export async function connectClient(connectString: string): Promise<Client> {
  const c = zookeeper.createClient(connectString, { sessionTimeout: 30000, retries: 0 });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no session with ${connectString}`)), 10000);
    c.once("connected", () => {
      clearTimeout(t);
      resolve();
    });
    c.connect();
  });
  return c;
}

/** Runs one callback-style client call as a promise. */
export function call<T = unknown>(fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/**
 * The same activity on either server: three creates (one ephemeral), a data watch on
 * /a, a child watch on /a and an exists watch on the missing /zz.
 */
export async function workload(c: Client): Promise<void> {
  await call((cb) => c.create("/a", Buffer.from("x"), cb));
  await call((cb) => c.create("/a/b", Buffer.from("yy"), cb));
  await call((cb) => c.create("/e", Buffer.alloc(0), zookeeper.CreateMode.EPHEMERAL, cb));
  await call((cb) => c.getData("/a", () => {}, cb));
  await call((cb) => c.getChildren("/a", () => {}, cb));
  await call((cb) => c.exists("/zz", () => {}, cb));
}

/** Closes the client when the test ends. */
export function closeOnFinish(c: Client): Client {
  onTestFinished(() => c.close());
  return c;
}

/** Sends raw bytes to the client port and returns what comes back before the close. */
export function rawExchange(port: number, bytes: Buffer, timeoutMs = 8000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(port, "127.0.0.1", () => s.write(bytes));
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error("no close"));
    }, timeoutMs);
    s.on("data", (d) => chunks.push(d));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
  });
}

/** `stmk` followed by the mask as an 8-byte big-endian long. */
export function stmkBytes(mask: bigint): Buffer {
  const b = Buffer.alloc(12);
  b.write("stmk", 0, "latin1");
  b.writeBigInt64BE(mask, 4);
  return b;
}

/**
 * The structure of a pretty-printed JSON text: keys kept (numeric keys as <n>), string
 * values as <s>, integers as <i>, doubles as <d>.
 */
export function jsonShape(text: string): string {
  return text
    .replace(/"((?:[^"\\]|\\.)*)"(\s:)?/g, (_, s: string, colon?: string) => (colon ? (/^-?\d+$/.test(s) ? `"<n>"${colon}` : `"${s}"${colon}`) : "<s>"))
    .replace(/-?\d+\.\d+(E-?\d+)?|-?\d+E-?\d+/g, "<d>")
    .replace(/-?\d+/g, "<i>");
}

/** `key\tvalue` lines of mntr as [key, value] pairs. */
export function mntrPairs(text: string): [string, string][] {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => l.split("\t") as [string, string]);
}

/** True when every element of `sub` occurs in `full`, in the same relative order. */
export function isSubsequence(sub: readonly string[], full: readonly string[]): boolean {
  let i = 0;
  for (const x of full) if (i < sub.length && sub[i] === x) i++;
  return i === sub.length;
}

export async function httpGet(url: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: string }> {
  const r = await fetch(url, init);
  return { status: r.status, headers: r.headers, body: await r.text() };
}
