/**
 * Browser-test plumbing: builds the page with Vite's JS API (the repository's vite.config.ts,
 * into a private temporary directory rather than dist-web/, so a test run never rewrites files a
 * running server — or another test process — is reading), launches Debian's Chromium through playwright-core (never a downloaded browser), and
 * decides whether the suite runs: without /usr/bin/chromium it is skipped with a message, unless
 * CI=true, where a missing browser is a failure.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ARTIFACTS = join(REPO, 'test-artifacts', 'browser');
export const CHROMIUM = '/usr/bin/chromium';

export const hasChromium = existsSync(CHROMIUM);
export const requireBrowser = process.env['CI'] === 'true';
/** Run the suite when Chromium is there, and always in CI (where a missing Chromium fails it). */
export const runBrowserTests = hasChromium || requireBrowser;

if (!runBrowserTests) {
  console.warn(`browser tests skipped: ${CHROMIUM} is missing (install Debian's chromium: apt-get install -y chromium; with CI=true they fail instead)`);
}

/** Builds web/ with the repository's vite.config.ts into a new temporary directory and returns it. */
export async function buildPage(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'bourse-web-'));
  await build({ configFile: join(REPO, 'vite.config.ts'), root: join(REPO, 'web'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  if (!existsSync(join(outDir, 'index.html'))) throw new Error(`vite build produced no ${join(outDir, 'index.html')}`);
  return outDir;
}

export function removeBuild(dir: string | undefined): void {
  if (dir !== undefined && dir.startsWith(tmpdir())) rmSync(dir, { recursive: true, force: true });
}

export async function launchChromium(): Promise<Browser> {
  if (!hasChromium) throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run installs it with apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Saves a full-page screenshot to test-artifacts/browser/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Everything the page reports as wrong: uncaught errors, console errors, failed requests. */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    // WebSockets torn down by a server restart are expected; anything else is not.
    if (!req.url().includes('/ws')) problems.push(`request failed: ${req.method()} ${new URL(req.url()).pathname} (${req.failure()?.errorText ?? '?'})`);
  });
  return problems;
}
