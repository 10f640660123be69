/**
 * zk-cli in a real terminal (a tmux pane): zkCli's prompt `[zk: host:port(STATE) N] `,
 * watch notifications printed as they come, line editing with history (Up), tab
 * completion of znode paths, `history`, and `quit`. Debian's zkCli.sh has no JLine and
 * so no prompt to compare with; the prompt's format is Java's getPrompt().
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { servers, type RunningServer } from "./support/servers.js";
import { ZK_CLI_JS } from "./support/cli.js";
import { TmuxSession, tmuxAvailable } from "./support/tmux.js";

for (const factory of servers) {
  describe.skipIf(!factory.available() || !tmuxAvailable())(`zk-cli interactive on ${factory.name}`, () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await factory.start();
    });
    afterAll(() => server?.stop());

    it("prompt, watches, history (Up), tab completion and quit", async () => {
      const host = server.connectString;
      const t = new TmuxSession([process.execPath, ZK_CLI_JS, "-server", host], { TZ: "UTC" });
      onTestFinished(() => t.kill());
      await t.waitFor("JLine support is enabled");
      await t.waitFor("WatchedEvent state:SyncConnected type:None path:null");
      // The first prompt was printed while still connecting, as zkCli does.
      expect(t.screen()).toMatch(/\[zk: 127\.0\.0\.1:\d+\((CONNECTING|CONNECTED)\) 0\]/);

      t.type("create /tty hello");
      await t.waitFor(`[zk: ${host}(CONNECTED) 1]`);
      expect(t.screen()).toContain("Created /tty");

      t.type("get -w /tty");
      await t.waitFor(`[zk: ${host}(CONNECTED) 2]`);
      t.type("set /tty bye");
      await t.waitFor("WatchedEvent state:SyncConnected type:NodeDataChanged path:/tty");

      t.type("get /tty");
      await t.waitFor(`[zk: ${host}(CONNECTED) 4]`);
      // Up recalls the previous line from readline's history; Enter runs it again.
      t.keys("Up");
      await t.waitFor(`[zk: ${host}(CONNECTED) 4] get /tty`);
      t.keys("Enter");
      const again = await t.waitFor(`[zk: ${host}(CONNECTED) 5]`);
      expect(again.match(/^bye$/gm)).toHaveLength(2);

      // Tab completes a znode path.
      t.type("stat /tt", false);
      t.keys("Tab");
      await t.waitFor("stat /tty");
      t.type("");
      await t.waitFor(`[zk: ${host}(CONNECTED) 6]`);
      expect(t.screen()).toContain("dataLength = 3");

      t.type("history");
      const hist = await t.waitFor(`[zk: ${host}(CONNECTED) 7]`);
      expect(hist).toContain("0 - create /tty hello\n1 - get -w /tty\n2 - set /tty bye\n3 - get /tty\n4 - get /tty\n5 - stat /tty\n6 - history");

      t.type("close");
      await t.waitFor(`[zk: ${host}(CLOSED) 8]`);
      t.type("ls /");
      await t.waitFor("Not connected");
      t.type("quit");
      await t.waitFor(() => t.exited());
    }, 60_000);
  });
}
