/**
 * `zookeeper.enforce.auth.enabled` / `.schemes` (3.8), on our server and on Apache
 * ZooKeeper alike: until a connection holds an id of a listed scheme, any request but
 * auth is answered SESSIONCLOSEDREQUIRESASLAUTH (-124) and the connection is closed;
 * every connection holds an `ip` id; and a configuration that cannot work stops the
 * server. Chapter 03.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import * as proto from "../../src/jute/proto.js";
import { Code } from "../../src/jute/KeeperException.js";
import { OpCode } from "../../src/jute/ZooDefs.js";
import { bothServers, sessionForTest, startForTest } from "../support/bothServers.js";
import { RawClient } from "../support/RawClient.js";
import { startFailure } from "../support/serverProcess.js";

const getRoot = (c: RawClient) => c.request(OpCode.getData, proto.GetDataRequest, { path: "/", watch: false });

describe.each(bothServers())("enforce.auth: %s", (_name, start) => {
  it("schemes=digest: a request before addauth gets -124 and the connection closes; after addauth it is served", async () => {
    const s = await startForTest(start, { "enforce.auth.enabled": "true", "enforce.auth.schemes": "digest" });
    const anonymous = await sessionForTest(s.port);
    const r = await getRoot(anonymous);
    expect(r.err).toBe(Code.SESSIONCLOSEDREQUIRESASLAUTH);
    expect(await anonymous.waitClosed(5000)).toBe(true);

    const user = await sessionForTest(s.port);
    expect(await user.auth("digest", "alice:secret")).toBe(Code.OK);
    expect((await getRoot(user)).err).toBe(Code.OK);
  });

  it("schemes=ip: every connection has an ip id, so every client is served", async () => {
    const s = await startForTest(start, { "enforce.auth.enabled": "true", "enforce.auth.schemes": "ip" });
    const c = await sessionForTest(s.port);
    expect((await getRoot(c)).err).toBe(Code.OK);
  });

  it("a configuration that cannot work stops the server: no schemes, or a scheme without a provider", async () => {
    for (const [extra, message] of [
      [{ "enforce.auth.enabled": "true" }, "zookeeper.enforce.auth.enabled is true zookeeper.enforce.auth.schemes must be  configured."],
      [{ "enforce.auth.enabled": "true", "enforce.auth.schemes": "digest,kerberos" }, "Authentication scheme kerberos is not available."],
      [{ sessionRequireClientSASLAuth: "true" }, "Authentication scheme sasl is not available."],
    ] as const) {
      const err = await startFailure(start(extra));
      expect(err).toContain("Invalid arguments, exiting abnormally");
      expect(err).toContain(message);
    }
  });

  it("the connection closes, the session does not: it is resumed after addauth on a new connection", async () => {
    const s = await startForTest(start, { "enforce.auth.enabled": "true", "enforce.auth.schemes": "digest" });
    const first = await sessionForTest(s.port);
    const session = first.session!;
    expect((await getRoot(first)).err).toBe(Code.SESSIONCLOSEDREQUIRESASLAUTH);
    expect(await first.waitClosed(5000)).toBe(true);
    const again = await RawClient.open(s.port);
    onTestFinished(() => again.destroy());
    expect((await again.handshake({ session, timeOut: session.timeOut })).sessionId).toBe(session.sessionId);
    expect(await again.auth("digest", "alice:secret")).toBe(Code.OK);
    expect((await getRoot(again)).err).toBe(Code.OK);
  });
});
