/**
 * StandardExports — the `process_*` series every Prometheus client library exports:
 * CPU time, start time, file descriptors, memory.
 *
 * Reimplements the Prometheus Java client's `StandardExports`, which ZooKeeper's
 * Prometheus provider registers when `metricsProvider.exportJvmInfo` is true (the
 * default). Chapter 03 (operations).
 *
 * Differs from Java: the JVM series the Java client adds beside these (`jvm_memory_*`,
 * `jvm_gc_*`, `jvm_threads_*`, `jvm_classes_*`, `jvm_info`) describe a JVM and are not
 * exported; the process ones mean the same for any process and are.
 */
import { readFileSync } from "node:fs";
import { getMaxFileDescriptorCount, getOpenFileDescriptorCount } from "./OSMXBean.js";

export interface Sample {
  name: string;
  labels: [string, string][];
  value: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: "counter" | "gauge" | "summary";
  samples: Sample[];
}

/** VmSize / VmRSS from /proc/self/status, in bytes; null off Linux. */
function procStatusBytes(field: string): number | null {
  try {
    const line = readFileSync("/proc/self/status", "utf8")
      .split("\n")
      .find((l) => l.startsWith(field + ":"));
    const kb = line === undefined ? NaN : Number.parseInt(line.substring(field.length + 1).trim(), 10);
    return Number.isNaN(kb) ? null : kb * 1024;
  } catch {
    return null;
  }
}

const family = (name: string, help: string, type: MetricFamily["type"], value: number): MetricFamily => ({ name, help, type, samples: [{ name, labels: [], value }] });

export function standardExports(): MetricFamily[] {
  const cpu = process.cpuUsage();
  const out = [
    family("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter", (cpu.user + cpu.system) / 1e6),
    family("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", "gauge", Math.round(Date.now() - process.uptime() * 1000) / 1000),
  ];
  const open = getOpenFileDescriptorCount();
  const max = getMaxFileDescriptorCount();
  if (open >= 0) out.push(family("process_open_fds", "Number of open file descriptors.", "gauge", open));
  if (max >= 0) out.push(family("process_max_fds", "Maximum number of open file descriptors.", "gauge", max));
  const virt = procStatusBytes("VmSize");
  if (virt !== null) out.push(family("process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge", virt));
  out.push(family("process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", procStatusBytes("VmRSS") ?? process.memoryUsage().rss));
  return out;
}
