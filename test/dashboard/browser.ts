import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium (installed by .ci/run when missing). */
export const CHROMIUM = process.env.HYPERFLEET_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const OUTPUT_DIR = join(import.meta.dirname, '.output');
const BUILD = join(import.meta.dirname, '..', '..', 'services', 'dashboard', 'dist', 'index.html');

/** The UI under test is the build the controller serves; say how to make it rather than time out on a 503 page. */
export function requireBuild(): void {
  if (!existsSync(BUILD)) throw new Error(`no dashboard build at ${BUILD}: run npm run build -w @hyperfleet/dashboard`);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Containers and CI run as root without a user namespace sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** A page that records console errors, page errors and failed requests; `errors()` lists them. */
export async function watchedPage(
  ctx: BrowserContext,
): Promise<{ page: Page; errors: () => string[]; clearErrors: () => void }> {
  const page = await ctx.newPage();
  let errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => {
    // A socket.io long-poll cut by navigation is not a fault of the page.
    if (!req.url().includes('/socket.io/')) errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText}`);
  });
  return { page, errors: () => errors, clearErrors: () => (errors = []) };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Waits until `ok` holds of an element's text, polled from here: a string or function predicate of
 * `page.waitForFunction` is compiled in the page, which the dashboard's CSP (no 'unsafe-eval') refuses.
 */
export async function waitForText(
  page: Page,
  selector: string,
  ok: (text: string | null) => boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await page.textContent(selector, { timeout: Math.max(1, deadline - Date.now()) }).catch(() => null);
    if (ok(text)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${selector}: last text ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
