/**
 * StatPrinter — the eleven-line Stat layout of `get -s`, `stat`, `ls -s`, `set -s`.
 *
 * Reimplements `org.apache.zookeeper.cli.StatPrinter`, with Java's `Long.toHexString`
 * and `Date.toString` formats. Chapter 09 (client), zk-cli. Not in the handout (U).
 */
import type { Stat } from "../../jute/data.js";
import type { Printer } from "./CliCommand.js";

/** Long.toHexString: a negative long prints as its 64-bit two's complement. */
export function toHexString(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** The short name of the local time zone at `d` ("UTC", "PST"...), as Java's Date prints it. */
function zoneName(d: Date): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((p) => p.type === "timeZoneName");
  return part?.value ?? "UTC";
}

/** java.util.Date.toString(): "Mon Nov 23 04:18:56 UTC 2026", in the local time zone. */
export function javaDateString(ms: bigint): string {
  const d = new Date(Number(ms));
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zoneName(d)} ${d.getFullYear()}`;
}

export class StatPrinter {
  constructor(private readonly out: Printer) {}

  print(stat: Stat): void {
    this.out.println(`cZxid = 0x${toHexString(stat.czxid)}`);
    this.out.println(`ctime = ${javaDateString(stat.ctime)}`);
    this.out.println(`mZxid = 0x${toHexString(stat.mzxid)}`);
    this.out.println(`mtime = ${javaDateString(stat.mtime)}`);
    this.out.println(`pZxid = 0x${toHexString(stat.pzxid)}`);
    this.out.println(`cversion = ${stat.cversion}`);
    this.out.println(`dataVersion = ${stat.version}`);
    this.out.println(`aclVersion = ${stat.aversion}`);
    this.out.println(`ephemeralOwner = 0x${toHexString(stat.ephemeralOwner)}`);
    this.out.println(`dataLength = ${stat.dataLength}`);
    this.out.println(`numChildren = ${stat.numChildren}`);
  }
}
