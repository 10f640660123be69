/**
 * JsonOutputter — a command's response as the pretty-printed JSON Jackson writes.
 *
 * Reimplements `org.apache.zookeeper.server.admin.JsonOutputter` (Jackson's ObjectMapper
 * with INDENT_OUTPUT and its DefaultPrettyPrinter). Chapter 03 (operations). The layout,
 * so that a diff against Apache ZooKeeper's admin server shows only values:
 *
 *     {
 *       "key" : value,
 *       "list" : [ 1, 2 ],
 *       "objects" : [ {
 *         "inner" : "x"
 *       } ],
 *       "empty" : { }
 *     }
 *
 * Objects indent two spaces per level and put each member on its own line; arrays stay
 * on one line (`[ ]` when empty); there is no newline at the end.
 *
 * Differs from Java: Jackson serializes Java objects by reflection; here a response is
 * built from explicit values, with `JsonDouble` marking numbers Java holds as doubles
 * (so `0` prints `0.0`) and bigints for longs beyond 2^53.
 */
import { javaDoubleToString } from "../command/JavaFormat.js";

/** A number Java holds as a double: printed as Double.toString (`0.0`, `19.5714`). */
export class JsonDouble {
  constructor(readonly value: number) {}
}

export type JsonValue = null | boolean | string | number | bigint | JsonDouble | JsonValue[] | JsonObject;
/** An object keeps its members in insertion order, as Java's LinkedHashMap. */
export type JsonObject = Map<string, JsonValue>;

export const CONTENT_TYPE = "application/json";

// #region pretty-print
export function toJson(v: JsonValue, level = 0): string {
  if (v === null) return "null";
  if (typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : javaDoubleToString(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (v instanceof JsonDouble) return javaDoubleToString(v.value);
  if (Array.isArray(v)) return v.length === 0 ? "[ ]" : `[ ${v.map((x) => toJson(x, level)).join(", ")} ]`;
  if (v.size === 0) return "{ }";
  const pad = "  ".repeat(level + 1);
  const members = [...v].map(([k, x]) => `${pad}${JSON.stringify(k)} : ${toJson(x, level + 1)}`);
  return `{\n${members.join(",\n")}\n${"  ".repeat(level)}}`;
}
// #endregion pretty-print

/** Builds a JsonObject from entries, keeping their order. */
export function obj(entries: Iterable<readonly [string, JsonValue]>): JsonObject {
  return new Map(entries);
}
