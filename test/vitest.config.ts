import { defineConfig } from 'vitest/config';

// End-to-end tests spawn the real CLI and real trial processes: generous timeouts on a 2-core machine.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000, fileParallelism: false } });
