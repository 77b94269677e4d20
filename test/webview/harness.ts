/**
 * Browser test harness: serves the built panel bundles (dist/webview) with the very HTML the
 * extension produces (src/extension/webviews/html.ts) from 127.0.0.1, and drives Debian's
 * chromium through playwright-core, with test/webview/fake-host.js standing in for VS Code.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import type { BrowserContext, Page } from 'playwright-core';
import { panelHtml } from '../../src/extension/webviews/html';
import type { ThemeName } from './themes';
import { themeBodyClass, themeCss } from './themes';
import { generateHistory } from './run-builders';

export const REPO = resolve(__dirname, '..', '..', '..');
export const SCREENSHOTS = join(REPO, 'test', 'webview', 'screenshots');
const DIST = join(REPO, 'dist', 'webview');
const CHROMIUM = process.env.MODELOPS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type PanelName = 'compare' | 'promotion' | 'runs' | 'run' | 'study' | 'space';

export interface Fixture {
  /** The first message the fake host sends after the webview's ready notification. */
  initial?: unknown;
  histories?: Record<string, unknown>;
  replies?: Record<string, unknown>;
  savedState?: unknown;
  holdRequests?: boolean;
  /** Runs table: the rows the fake host serves to `runs/changes`, and its page size. */
  runs?: unknown;
  changesPage?: number;
  /** Runs table: run ids (or an error) per filter text. */
  filters?: Record<string, unknown>;
  /** Run page: artifact listings per folder, previews per path, history length. */
  artifacts?: Record<string, unknown>;
  previews?: Record<string, unknown>;
  historySteps?: number;
  /** Answers cross as JSON text, as through VS Code's postMessage (the benchmark). */
  serialize?: boolean;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export class Harness {
  private constructor(
    private readonly server: Server,
    private readonly browser: BrowserContext,
    private readonly userDataDir: string,
    readonly origin: string,
  ) {}

  static async start(): Promise<Harness> {
    if (!existsSync(join(DIST, 'compare.js'))) throw new Error(`${DIST}/compare.js is missing: run npm run build first`);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const page = /^\/(compare|promotion|runs|run|study|space)\.html$/.exec(url.pathname);
      if (page) {
        const theme = (url.searchParams.get('theme') ?? 'dark') as ThemeName;
        const html = panelHtml({
          title: page[1],
          cspSource: origin(),
          nonce: 'testnonce' + Date.now(),
          scriptUri: `/dist/${page[1]}.js`,
          styleUri: `/dist/${page[1]}.css`,
        })
          // VS Code injects its theme as variables and a body class; a stylesheet from the same origin does that here.
          .replace('</head>', `<link rel="stylesheet" href="/theme/${theme}.css">\n</head>`)
          .replace('<body>', `<body class="${themeBodyClass(theme)}">`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
        return;
      }
      const themeMatch = /^\/theme\/(dark|light|high-contrast)\.css$/.exec(url.pathname);
      if (themeMatch) {
        res.writeHead(200, { 'content-type': 'text/css' }).end(themeCss(themeMatch[1] as ThemeName));
        return;
      }
      if (url.pathname.startsWith('/dist/')) {
        const file = normalize(join(DIST, url.pathname.slice('/dist/'.length)));
        if (file.startsWith(DIST) && existsSync(file)) {
          res.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' }).end(readFileSync(file));
          return;
        }
      }
      // Chromium asks for /favicon.ico on its own; VS Code webviews never do.
      res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const origin = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const userDataDir = mkdtempSync(join(tmpdir(), 'modelops-chromium-'));
    // A persistent context on a new, empty profile folder: nothing from any other browser session.
    const browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
    });
    return new Harness(server, browser, userDataDir, origin());
  }

  async open(panel: PanelName, fixture: Fixture, theme: ThemeName = 'dark', viewport = { width: 1280, height: 900 }): Promise<OpenPanel> {
    const page = await this.browser.newPage();
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: theme === 'light' ? 'light' : 'dark' });
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // The history generator runs in the page, so 1,000 metrics × 1,000 steps need not be injected.
    const generator = `window.__generateHistory = (${generateHistory.toString()});`;
    await page.addInitScript({
      content: `window.__fixture = ${JSON.stringify(fixture)};\n${generator}\n${readFileSync(join(REPO, 'test', 'webview', 'fake-host.js'), 'utf8')}`,
    });
    await page.goto(`${this.origin}/${panel}.html?theme=${theme}`);
    return new OpenPanel(page, errors, dialogs);
  }

  async stop(): Promise<void> {
    await this.browser.close();
    await new Promise<void>((ok) => this.server.close(() => ok()));
    rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

export class OpenPanel {
  constructor(
    readonly page: Page,
    readonly errors: string[],
    readonly dialogs: string[],
  ) {}

  /** Messages the webview posted to the (fake) host, oldest first. */
  posted(): Promise<{ kind: string; method?: string; id?: number; params?: Record<string, unknown> }[]> {
    return this.page.evaluate('window.__posted');
  }

  deliver(message: unknown): Promise<void> {
    return this.page.evaluate(`window.__deliver(${JSON.stringify(message)})`);
  }

  /**
   * Waits until `expression` is truthy in the page. Not page.waitForFunction: when its first check
   * is false it polls by eval-ing the string inside the page, which the panel's CSP (no
   * 'unsafe-eval') refuses; page.evaluate goes through the debugger protocol, which CSP does not govern.
   */
  async waitFor(expression: string, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await this.page.evaluate(`Boolean(${expression})`))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  cspViolations(): Promise<string[]> {
    return this.page.evaluate('window.__cspViolations');
  }

  async screenshot(name: string): Promise<void> {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await this.page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  close(): Promise<void> {
    return this.page.close();
  }
}
