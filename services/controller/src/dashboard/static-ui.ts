import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response, Router } from 'express';

/** Where `npm run build -w @hyperfleet/dashboard` writes the UI (services/dashboard/dist). */
export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/dist', import.meta.url));

const NOT_BUILT = 'dashboard not built: run npm run build -w @hyperfleet/dashboard';

/** Paths the UI never owns: the API, the socket, the probes. */
const NOT_UI = /^\/(api|socket\.io|healthz|readyz|metrics)(\/|$)/;

/**
 * Serves the dashboard's static build at `/` and answers the UI's own routes (`/sweeps/<id>`, `/trials/<id>`,
 * any GET without a file extension outside /api) with index.html, so shared URLs load. Hashed assets are
 * cached for good; index.html never is. Without a build every UI path says how to make one (503, as HTML
 * to a browser and JSON otherwise). Whether the build exists is checked per request: building while the
 * server runs needs no restart.
 */
export function staticUi(dir: string = DEFAULT_DASHBOARD_DIR, opts: { banner?: string } = {}): Router {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  const r = Router();
  const files = express.static(root, {
    index: false,
    setHeaders(res, path) {
      if (path.includes(`${join(root, 'assets')}`))
        res.setHeader('cache-control', 'public, max-age=31536000, immutable');
    },
  });
  r.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_UI.test(req.path)) return next();
    if (!existsSync(index)) {
      if (/\.[A-Za-z0-9]+$/.test(req.path)) return next(); // a missing file: the API's 404
      res.status(503);
      if (req.accepts(['json', 'html']) === 'html') {
        res
          .type('html')
          .send(
            `<!doctype html><meta charset="utf-8"><title>hyperfleet</title><body style="font-family:sans-serif">` +
              `<h1>hyperfleet</h1><p>${NOT_BUILT}</p><p>The API is at <code>/api</code>.</p></body>`,
          );
      } else {
        res.json({ error: { code: 'DASHBOARD_NOT_BUILT', message: NOT_BUILT, hint: 'then reload this page' } });
      }
      return;
    }
    files(req, res, (err?: unknown) => {
      if (err) return next(err);
      // Not a file: a UI route gets index.html; a missing asset falls through to the 404.
      if (/\.[A-Za-z0-9]+$/.test(req.path)) return next();
      res.setHeader('cache-control', 'no-cache');
      if (opts.banner !== undefined) {
        readFile(index, 'utf8').then((html) => res.type('html').send(withBanner(html, opts.banner!)), next);
        return;
      }
      res.sendFile(index, (sendErr) => {
        if (sendErr) next(sendErr);
      });
    });
  });
  return r;
}

/** The page with a warning above everything else: static markup (no script), so every route shows it. */
function withBanner(html: string, text: string): string {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const banner =
    '<div class="insecure-banner" role="alert" style="background:#b00020;color:#fff;padding:6px 12px;' +
    `font:600 14px system-ui,sans-serif">${escaped}</div>`;
  return html.replace(/<body([^>]*)>/, (body) => `${body}\n    ${banner}`);
}
