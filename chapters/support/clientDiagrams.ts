/**
 * Drawing helpers for the diagrams of client-side runs (chapters 09 and 10): labels
 * wrapped so that a page can show them, and a reconnect loop folded into one note.
 *
 * Why wrap: mermaid widens a column to its longest line, and a page scales a diagram
 * that is too wide down until its text is unreadable. A ConnectRequest or a protected
 * lock node's path on one line does exactly that.
 */
import { formatFields, type TraceEvent } from "../../src/trace/index.js";

/** Pieces joined by spaces into lines of at most `width` characters (a longer piece gets a line of its own). */
export function wrapWords(pieces: readonly string[], width: number): string[] {
  const lines: string[] = [];
  for (const word of pieces.filter((w) => w !== "")) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last]!.length + 1 + word.length <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}

/**
 * The label on a line of its own and the fields wrapped below it (`width` characters);
 * a note's text wrapped a little wider.
 */
export function wrapLabel(e: TraceEvent, width = 34): TraceEvent {
  if (e.kind === "note") return { ...e, text: wrapWords(e.text.split(" "), width + 10).join("\n") };
  const fields = Object.entries(e.fields).map(([key, value]) => formatFields({ [key]: value }));
  return { ...e, label: [e.label, ...wrapWords(fields, width)].join("\n"), fields: {} };
}

/**
 * A client that keeps trying to reconnect to a network that refuses it: keeps its first
 * disconnect and the attempt that finally got an answer (the last CONNECTING before the
 * first ConnectResponse after the disconnect); the client's events in between become one
 * note, placed where the first of them was, except those `keep` accepts (a recipe's
 * note, say). Everything the other participants did meanwhile stays. The number of
 * refused attempts depends on timing, so a diagram that drew them would differ on every run.
 */
export function collapseRefusedAttempts(events: TraceEvent[], client: string, note: string, keep: (e: TraceEvent) => boolean = () => false): TraceEvent[] {
  const isAttempt = (e: TraceEvent) => e.kind === "state" && e.node === client && e.label === "CONNECTING";
  const isClient = (e: TraceEvent) => (e.kind === "message" ? e.from === client || e.to === client : e.kind === "state" && e.node === client);
  const firstDisconnect = events.findIndex((e) => e.kind === "state" && e.node === client && e.label === "WatchedEvent" && e.fields.state === "Disconnected");
  if (firstDisconnect < 0) return events;
  let answered = events.findIndex((e, i) => i > firstDisconnect && e.kind === "message" && e.to === client && e.label === "ConnectResponse");
  if (answered < 0) answered = events.length;
  let lastAttempt = answered - 1;
  while (lastAttempt > firstDisconnect && !isAttempt(events[lastAttempt]!)) lastAttempt--;
  if (lastAttempt <= firstDisconnect) return events;
  const folded: TraceEvent = { kind: "note", nodes: [client], text: note };
  const between: TraceEvent[] = [];
  let noted = false;
  for (const e of events.slice(firstDisconnect + 1, lastAttempt)) {
    if (!isClient(e) || keep(e)) between.push(e);
    else if (!noted) {
      between.push(folded);
      noted = true;
    }
  }
  if (!noted) between.push(folded);
  return [...events.slice(0, firstDisconnect + 1), ...between, ...events.slice(lastAttempt)];
}
