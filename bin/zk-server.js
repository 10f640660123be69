#!/usr/bin/env node
// zk-server: run Annotated ZooKeeper from a zoo.cfg, as `zkServer.sh start-foreground` does.
//
//   npx zk-server path/to/zoo.cfg
//
// The server is TypeScript (src/startup/QuorumPeerMain.ts); bin/bundle.js compiles it
// into dist/ on first use and whenever the sources change.
import { importBundled } from "./bundle.js";

const { main } = await importBundled("src/startup/QuorumPeerMain.ts", "zk-server");
process.exit(await main(process.argv.slice(2)));
