#!/usr/bin/env node
// zk-cli: the ZooKeeper shell of Annotated ZooKeeper, compatible with zkCli.sh.
// Stands in for bin/zkCli.sh, which runs org.apache.zookeeper.ZooKeeperMain [001 L8712–8763];
// Chapter 09 (client). The shell itself is src/client/ZooKeeperMain.ts.
//
//   npx zk-cli -server host:port[,host:port...][/chroot] [-timeout ms] [-r] [cmd args...]
//
// The shell is TypeScript (src/client/ZooKeeperMain.ts); tsx's ESM loader compiles it on
// the fly, so there is no build step between editing the source and running it.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/client/ZooKeeperMain.ts");
process.exitCode = await main(process.argv.slice(2));
// Exit even if a socket or timer would keep the loop alive, as zkCli's System.exit does.
process.exit();
