import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Every test spawns real node/python processes; on a loaded 2-core box a handful of them exceed 5 s.
    testTimeout: 60_000,
  },
});
