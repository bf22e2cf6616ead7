import { defineConfig } from 'vite';

// The controller serves dist/ at / and answers index.html for the client routes (/sweeps/:id, /trials/:id),
// so assets are referenced from the root. `npm run dev` proxies the API and socket.io to a local controller.
const controller = process.env.HYPERFLEET_URL ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: 'app',
  base: '/',
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 400 },
  server: {
    proxy: {
      '/api': controller,
      '/socket.io': { target: controller, ws: true },
    },
  },
});
