import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Interop tests start real servers (ours, Apache ZooKeeper's JVM) and clients.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // CI has 2 cores; JVMs and servers in parallel files compete for them.
    maxWorkers: process.env.CI ? 2 : undefined,
  },
});
