import { defineConfig } from 'vitest/config';

// Real trial processes and timing assertions (a stop within 1 s): one file at a time keeps those honest on
// a loaded 2-core machine.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000, fileParallelism: false } });
