/**
 * What a benchmark run asks of the server, and how that becomes per-session plans of
 * pre-encoded frames.
 *
 * Znodes the bench touches:
 *
 *     /bench                          parent of everything
 *     /bench/v<size>/k000000..k000999 KEY_COUNT keys of <size> bytes: getData / setData
 *                                     targets, one set per value size
 *     /bench/<run>-s<n>/n<10 digits>  create: one parent per session and run, so repeated
 *                                     runs on one server never collide and no parent
 *                                     gets all the children
 */
import { createFrame, getDataFrame, setDataFrame, template, valueOf, type FrameTemplate } from "./frames.js";

export const OPS = ["create", "getData", "setData", "mixed"] as const;
export type Op = (typeof OPS)[number];

export interface Workload {
  op: Op;
  valueSize: number;
  sessions: number;
  /** Requests each session keeps outstanding. */
  pipeline: number;
  /** Share of getData in "mixed" (the rest is setData); implied by the op otherwise. */
  readRatio: number;
}

export const KEY_COUNT = 1000;
const KEY_WIDTH = 6;

function keyPrefix(valueSize: number): string {
  return `/bench/v${valueSize}/k`;
}

/** The read share a run really has: mixed uses its ratio, the others are pure. */
export function effectiveReadRatio(w: Workload): number {
  if (w.op === "getData") return 1;
  if (w.op === "mixed") return w.readRatio;
  return 0;
}

/** What one session of a worker does: sync setup requests, then its templates in a loop. */
export interface SessionPlan {
  setup: Uint8Array[];
  read: FrameTemplate | null;
  write: FrameTemplate | null;
  readRatio: number;
  pipeline: number;
  /** First key this session reads or writes, so sessions spread over the keys. */
  keyOffset: number;
  seed: number;
}

function keyTemplate(valueSize: number, encode: (path: string) => Buffer): FrameTemplate {
  return { ...template(keyPrefix(valueSize), KEY_WIDTH, encode), modulo: KEY_COUNT };
}

/** `runTag` makes create paths unique per run; `index` numbers the session within the run. */
export function sessionPlan(w: Workload, runTag: string, index: number): SessionPlan {
  const value = valueOf(w.valueSize);
  const plan: SessionPlan = {
    setup: [],
    read: null,
    write: null,
    readRatio: effectiveReadRatio(w),
    pipeline: w.pipeline,
    keyOffset: (index * 7919) % KEY_COUNT,
    seed: (index + 1) * 0x9e3779b1,
  };
  if (w.op === "create") {
    const parent = `/bench/${runTag}-s${index}`;
    plan.setup.push(createFrame(parent, Buffer.alloc(0)));
    plan.write = template(`${parent}/n`, 10, (p) => createFrame(p, value));
  }
  if (w.op === "getData" || w.op === "mixed") plan.read = keyTemplate(w.valueSize, getDataFrame);
  if (w.op === "setData" || w.op === "mixed") plan.write = keyTemplate(w.valueSize, (p) => setDataFrame(p, value));
  return plan;
}

/** Requests that prepare a server for `w`: /bench, and the keys unless the run creates. */
export function* populateFrames(w: Workload): Generator<Buffer> {
  yield createFrame("/bench", Buffer.alloc(0));
  if (w.op === "create") return;
  const prefix = keyPrefix(w.valueSize);
  yield createFrame(prefix.slice(0, -2), Buffer.alloc(0));
  const value = valueOf(w.valueSize);
  for (let i = 0; i < KEY_COUNT; i++) yield createFrame(prefix + String(i).padStart(KEY_WIDTH, "0"), value);
}
