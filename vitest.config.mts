import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Whole-program tests share Pulumi's process-wide runtime state: each file needs its own fork.
    pool: "forks",
    testTimeout: 30_000,
  },
});
