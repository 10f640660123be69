/**
 * CommandResponse — the result of an admin command: its data, plus the `command` and
 * `error` fields every response carries.
 *
 * Reimplements `org.apache.zookeeper.server.admin.CommandResponse`. Chapter 03
 * (operations). `toMap` reproduces Java's quirk exactly: the data first, then `command`
 * and `error` appended — unless the data already has an `error` key, which then keeps
 * its place and its value (so `leader` on a standalone server answers
 * `{"error": "server is not initialized", "command": "leader"}`).
 */
import type { JsonObject, JsonValue } from "./JsonOutputter.js";

export const KEY_COMMAND = "command";
export const KEY_ERROR = "error";

export class CommandResponse {
  private readonly data: JsonObject = new Map();

  constructor(
    readonly command: string,
    readonly error: string | null = null,
  ) {}

  put(key: string, value: JsonValue): void {
    this.data.set(key, value);
  }

  putAll(entries: Iterable<readonly [string, JsonValue]>): void {
    for (const [k, v] of entries) this.data.set(k, v);
  }

  // #region toMap
  toMap(): JsonObject {
    const m: JsonObject = new Map(this.data);
    m.set(KEY_COMMAND, this.command);
    m.set(KEY_ERROR, this.error);
    for (const [k, v] of this.data) m.set(k, v);
    return m;
  }
  // #endregion toMap
}
