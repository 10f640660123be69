/**
 * Renders recorded trace events as a mermaid `sequenceDiagram`.
 *
 * Messages become arrows (`->>`, or `-x` for a lost message), state changes and notes
 * become `Note over` lines. The output depends only on the events and the options, so
 * a deterministic run gives a byte-identical diagram: `npm run diagrams` relies on
 * that to detect a checked-in diagram that no longer matches its run.
 */
import type { TraceEvent } from "./events.js";
import { assertNever, eventText } from "./format.js";

export interface Participant {
  /** The node name used in the events. */
  readonly name: string;
  /** What the diagram shows for it; defaults to the name. */
  readonly label?: string;
}

export interface MermaidOptions {
  /** Participants in the order of the diagram's columns; others follow in order of appearance. */
  readonly participants?: ReadonlyArray<string | Participant>;
  /** Number the arrows (mermaid `autonumber`). */
  readonly autonumber?: boolean;
}

// Words mermaid's sequence grammar reserves; a participant must not be called so.
const RESERVED = new Set([
  "participant", "actor", "as", "note", "over", "left", "right", "of", "loop", "alt", "else",
  "opt", "par", "and", "rect", "end", "critical", "break", "box", "autonumber", "activate",
  "deactivate", "title", "create", "destroy", "link", "links", "properties", "details",
]);

/** Message text: `;` ends a statement and `#` starts an entity in mermaid, so both are escaped. */
export function escapeMermaidText(text: string): string {
  // One pass: escaping `#` first would add `;`s for the second replacement to mangle.
  return text.replace(/[#;]|\r?\n/g, (c) => (c === "#" ? "#35;" : c === ";" ? "#59;" : "<br/>"));
}

class Participants {
  readonly #ids = new Map<string, string>();
  readonly #labels = new Map<string, string>();
  readonly #used = new Set<string>();

  add(p: string | Participant): void {
    const { name, label } = typeof p === "string" ? { name: p, label: undefined } : p;
    if (this.#ids.has(name)) return;
    let id = name.replace(/[^A-Za-z0-9_]/g, "_");
    if (!/^[A-Za-z]/.test(id) || RESERVED.has(id.toLowerCase())) id = `p_${id}`;
    while (this.#used.has(id)) id = `${id}_`;
    this.#used.add(id);
    this.#ids.set(name, id);
    this.#labels.set(name, label ?? name);
  }

  id(name: string): string {
    const id = this.#ids.get(name);
    if (id === undefined) throw new Error(`participant ${name} was not declared`);
    return id;
  }

  declarations(): string[] {
    return [...this.#ids].map(([name, id]) => {
      const label = this.#labels.get(name) ?? name;
      return label === id ? `  participant ${id}` : `  participant ${id} as ${escapeMermaidText(label)}`;
    });
  }
}

function nodesOf(event: TraceEvent): readonly string[] {
  switch (event.kind) {
    case "message":
      return [event.from, event.to];
    case "state":
      return [event.node];
    case "note":
      return event.nodes;
    default:
      return assertNever(event);
  }
}

// #region render-mermaid
/** The diagram as mermaid source text, ending with a newline. */
export function toMermaidSequence(events: readonly TraceEvent[], options: MermaidOptions = {}): string {
  const participants = new Participants();
  for (const p of options.participants ?? []) participants.add(p);
  for (const event of events) for (const node of nodesOf(event)) participants.add(node);

  const body = events.map((event) => {
    const text = escapeMermaidText(eventText(event));
    switch (event.kind) {
      case "message": {
        const arrow = event.lost ? "-x" : "->>";
        return `  ${participants.id(event.from)}${arrow}${participants.id(event.to)}: ${text}`;
      }
      case "state":
        return `  Note over ${participants.id(event.node)}: ${text}`;
      case "note": {
        // Mermaid spans a note over at most two participants: the first and the last named.
        const ids = event.nodes.map((n) => participants.id(n));
        const span = ids.length > 1 ? `${ids[0]},${ids[ids.length - 1]}` : ids[0];
        return `  Note over ${span}: ${text}`;
      }
      default:
        return assertNever(event);
    }
  });

  const head = ["sequenceDiagram", ...(options.autonumber ? ["  autonumber"] : [])];
  return [...head, ...participants.declarations(), ...body].join("\n") + "\n";
}
// #endregion render-mermaid
