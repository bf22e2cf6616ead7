import { defineConfig } from 'vitest/config';

// Tests build real git repos and hash real files: generous timeouts on a loaded 2-core box.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
