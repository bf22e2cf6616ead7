import { defineConfig } from 'vitest/config';

// Real Redis, a child agent process and shortened (but real) lock timers: generous on a loaded 2-core box.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
