/**
 * `npm start`: a standalone server on 127.0.0.1:2181 with its data in ./data, the
 * four-letter words and the AdminServer (127.0.0.1:8080) switched on.
 *
 * The same code path as `npx zk-server zoo.cfg` (QuorumPeerMain), fed a zoo.cfg written
 * to ./data/zoo.cfg so you can see, edit and reuse it. Set ZK_PORT / ZK_ADMIN_PORT to
 * move the ports.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { main } from "./QuorumPeerMain.js";

const dataDir = resolve("data");
const port = Number(process.env.ZK_PORT ?? 2181);
const adminPort = Number(process.env.ZK_ADMIN_PORT ?? 8080);
mkdirSync(dataDir, { recursive: true });
const cfgPath = resolve(dataDir, "zoo.cfg");
writeFileSync(
  cfgPath,
  [
    "# Written by `npm start` (src/startup/start-local.ts); edit freely and run: npx zk-server data/zoo.cfg",
    "tickTime=2000",
    `dataDir=${dataDir}`,
    `clientPort=${port}`,
    "clientPortAddress=127.0.0.1",
    "4lw.commands.whitelist=*",
    "admin.enableServer=true",
    "admin.serverAddress=127.0.0.1",
    `admin.serverPort=${adminPort}`,
    "autopurge.purgeInterval=1",
    "",
  ].join("\n"),
);
process.stdout.write(
  [
    `Annotated ZooKeeper: standalone server on 127.0.0.1:${port}, data in ${dataDir}`,
    `  config:  ${cfgPath}`,
    `  shell:   npx zk-cli -server 127.0.0.1:${port}`,
    `  status:  echo srvr | nc 127.0.0.1 ${port}    admin: http://127.0.0.1:${adminPort}/commands`,
    "  stop:    Ctrl-C",
    "",
  ].join("\n"),
);
process.exitCode = await main([cfgPath]);
