import { defineConfig } from 'vitest/config';

// Unit tests of the data layer: pure functions and typed arrays, no DOM needed.
export default defineConfig({ test: { include: ['app/**/*.test.ts'], environment: 'node' } });
