/**
 * AdminServerFactory — an AdminServer if `admin.enableServer` allows one, else none.
 *
 * Reimplements `org.apache.zookeeper.server.admin.AdminServerFactory`. Chapter 03
 * (operations). Java falls back to a DummyAdminServer when the switch is off or Jetty is
 * missing; here "no admin server" is simply null.
 */
import { ConfigProperties, type ZooCfg } from "../../startup/QuorumPeerConfig.js";
import type { CommandContext } from "../command/CommandContext.js";
import { AdminServer, DEFAULT_ADDRESS, DEFAULT_COMMAND_URL, DEFAULT_IDLE_TIMEOUT, DEFAULT_PORT } from "./AdminServer.js";

export function createAdminServer(ctx: CommandContext, cfg: ZooCfg | undefined): AdminServer | null {
  const props = cfg === undefined ? null : new ConfigProperties(cfg);
  // Java compares with equals("true"): "TRUE" or "yes" leave the admin server off.
  if ((props?.string("zookeeper.admin.enableServer", "true") ?? "true") !== "true") return null;
  return new AdminServer(ctx, {
    address: props?.string("zookeeper.admin.serverAddress", DEFAULT_ADDRESS),
    port: props?.int("zookeeper.admin.serverPort", DEFAULT_PORT),
    commandUrl: props?.string("zookeeper.admin.commandURL", DEFAULT_COMMAND_URL),
    idleTimeoutMs: props?.int("zookeeper.admin.idleTimeout", DEFAULT_IDLE_TIMEOUT),
  });
}
