/**
 * Chapter 09's example (`npm run chapter -- client`, chapters/09-client/run.ts) runs to the
 * end against our server process: the narration's key lines appear, in order, and it exits
 * 0; Ctrl-C in the middle stops it cleanly, server included.
 */
import { describe, expect, it } from "vitest";
import { expectInOrder, listening, runAndInterrupt, runChapter } from "../support/chapterRun.js";

/** Quiet client log: the example switches it off unless ZK_LOG_LEVEL says otherwise. */
const ENV = { ZK_LOG_LEVEL: "" };

describe("chapter 09's example", () => {
  it("narrates a session's life against our server process and exits 0", { timeout: 120_000 }, async () => {
    const { code, out } = await runChapter(["client"], ENV);
    expect(code, out).toBe(0);
    expect(out.match(/^== /gm)).toHaveLength(8);
    expectInOrder(out, [
      "client -> server  ConnectRequest protocolVersion=0 lastZxidSeen=0:0 timeOut=30000 sessionId=0x0 passwd=16 zero bytes",
      /server -> client {2}ConnectResponse timeOut=6000 sessionId=0x[0-9a-f]+ passwd=16 bytes from the server/,
      "negotiated timeout 6000 ms (asked 30000",
      // The notification comes before the setData reply, and the watcher runs first.
      "server -> client  notification type=NodeDataChanged state=SyncConnected path=/app/config",
      "server -> client  reply op=setData",
      "client watcher <- WatchedEvent state:SyncConnected type:NodeDataChanged path:/app/config",
      "setData returned version 1",
      "chroot client -> server  create2 xid=1 path=/app/from-chroot",
      'create("/from-chroot") answered /from-chroot; getChildren("/") = [config, from-chroot]',
      // Restart: the same session comes back and its watch is re-registered.
      "client watcher <- WatchedEvent state:Disconnected",
      /client -> server {2}ConnectRequest protocolVersion=0 lastZxidSeen=0:7 timeOut=30000 sessionId=0x[0-9a-f]+ passwd=16 bytes from the server/,
      "client -> server  setWatches",
      "=> same session",
      "client watcher <- WatchedEvent state:SyncConnected type:NodeDataChanged path:/app/config",
      // A change while the client was away fires on reconnecting.
      "client 2 -> server  setData",
      "client -> server  setWatches",
      "client watcher <- WatchedEvent state:SyncConnected type:NodeDataChanged path:/app/config",
      // Expiry, once.
      "client 2 watcher <- WatchedEvent state:SyncConnected type:NodeDeleted path:/app/lock",
      "server -> client  ConnectResponse timeOut=0 sessionId=0x0 passwd=16 zero bytes",
      "client watcher <- WatchedEvent state:Expired type:None path:null",
      "client watcher <- WatchedEvent state:Closed type:None path:null",
      "=> Expired delivered once, then Closed",
      "getData -> KeeperErrorCode = Session expired for /app/config",
      // zk-cli.
      "get /app/config",
      "out| v4",
      "exit 0",
      "err| Node does not exist: /app/nope",
      "exit 1",
      "exit 127",
      "out| [cli, config, from-chroot]",
      "out| 3 - history",
      "err| Created /app/cli",
      "exit 0",
      "done.",
    ]);
    expect(out.match(/state:Expired/g)).toHaveLength(1);
    expect(out).not.toMatch(/Error:|^\s+at .*:\d+:\d+\)?$/m);
  });

  it("stops cleanly on Ctrl-C (SIGINT) while it waits for the session to expire", { timeout: 60_000 }, async () => {
    const { code, out, interrupted } = await runAndInterrupt(["client"], "Cutting the network for good", ENV);
    expect(interrupted).toBe(true);
    expect(code).toBe(0);
    expect(out).toContain("stopped (Ctrl-C)");
    expect(out).not.toContain("== 8.");
    expect(out).not.toContain("state:Expired");
    // The server process is gone too.
    const port = Number(/process \d+ on 127\.0\.0\.1:(\d+)/.exec(out)![1]);
    expect(await listening(port)).toBe(false);
    expect(out).not.toMatch(/Error:|^\s+at .*:\d+:\d+\)?$/m);
  });
});
