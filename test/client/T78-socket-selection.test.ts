/**
 * T78 — socket selection [001 L9054–9096]: `zookeeper.clientCnxnSocket` names the socket
 * implementation. Unset (or the short name) → ClientCnxnSocketNIO, our node:net socket.
 * An unknown name → IOException "Couldn't instantiate <name>". Netty, Java's TLS-capable
 * socket, has no counterpart here, so naming it fails the same way rather than silently
 * falling back to plain TCP. A registered class (the tests' in-memory socket) is chosen
 * by its name, which is what Java's reflective lookup amounts to.
 */
import { describe, expect, it } from "vitest";
import { ClientCnxnSocketNIO } from "../../src/client/ClientCnxnSocketNIO.js";
import { getClientCnxnSocket, IOException, ZooKeeper } from "../../src/client/ZooKeeper.js";
import { ZKClientConfig } from "../../src/client/ZKClientConfig.js";
import { systemClock } from "../../src/util/Clock.js";
import { FAKE_SOCKET, FakeSocket } from "./support/FakeSocket.js";

const cfg = (name?: string) => new ZKClientConfig(name === undefined ? {} : { [ZKClientConfig.ZOOKEEPER_CLIENT_CNXN_SOCKET]: name });

describe("T78 socket selection", () => {
  it("T78 with the property unset the NIO socket is used", () => {
    expect(getClientCnxnSocket(cfg(), systemClock)).toBeInstanceOf(ClientCnxnSocketNIO);
  });

  it("T78 the short and the full class name select it too", () => {
    expect(getClientCnxnSocket(cfg("ClientCnxnSocketNIO"), systemClock)).toBeInstanceOf(ClientCnxnSocketNIO);
    expect(getClientCnxnSocket(cfg("org.apache.zookeeper.ClientCnxnSocketNIO"), systemClock)).toBeInstanceOf(ClientCnxnSocketNIO);
  });

  it("T78 an unknown class fails with IOException, and so does the ZooKeeper constructor", () => {
    expect(() => getClientCnxnSocket(cfg("com.example.NoSuchSocket"), systemClock)).toThrow(new IOException("Couldn't instantiate com.example.NoSuchSocket"));
    expect(() => new ZooKeeper("127.0.0.1:1", 1000, null, { clientConfig: cfg("com.example.NoSuchSocket") })).toThrow(IOException);
  });

  it("T78 Netty is recognised by its short name but not available", () => {
    expect(() => getClientCnxnSocket(cfg("ClientCnxnSocketNetty"), systemClock)).toThrow("Couldn't instantiate org.apache.zookeeper.ClientCnxnSocketNetty");
  });

  it("T78 a registered implementation is instantiated by name", () => {
    expect(getClientCnxnSocket(cfg(FAKE_SOCKET), systemClock)).toBeInstanceOf(FakeSocket);
  });
});
