/**
 * JavaFormat — numbers and dates printed the way Java prints them, because operators'
 * scripts parse ZooKeeper's output.
 *
 * Chapter 03 (operations). `Double.toString` (what `mntr`, `stat` and Jackson print for
 * a double), `Long.toHexString` (session ids, zxids) and `Date.toString` (`dump`).
 */

/**
 * Double.toString: the shortest digits that read back to the same double, as
 * `123.0` / `0.0015` between 10⁻³ and 10⁷, otherwise as `1.0E7` / `1.5E-4`.
 * (JDK 17's FloatingDecimal occasionally prints one digit more than the shortest; the
 * values ZooKeeper prints — averages rounded to 4 decimals — are not among those.)
 */
export function javaDoubleToString(d: number): string {
  if (Number.isNaN(d)) return "NaN";
  if (!Number.isFinite(d)) return d > 0 ? "Infinity" : "-Infinity";
  if (d === 0) return Object.is(d, -0) ? "-0.0" : "0.0";
  const sign = d < 0 ? "-" : "";
  const a = Math.abs(d);
  const [mantissa, expText] = a.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  const digits = mantissa.replace(".", "");
  if (a >= 1e-3 && a < 1e7) {
    if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
    const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return `${sign}${intPart}.${digits.slice(exp + 1) || "0"}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || "0"}E${exp}`;
}

/** Long.toHexString: negative values as their 64-bit two's complement. */
export function longToHexString(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16);
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** java.util.Date.toString: `Mon Nov 23 04:34:07 UTC 2026`, in local time. */
export function javaDateToString(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, "0");
  const zone = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" }).formatToParts(d).find((x) => x.type === "timeZoneName")?.value ?? "GMT";
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone} ${d.getFullYear()}`;
}
