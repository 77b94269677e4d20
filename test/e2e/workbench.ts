// Page object for code-server's workbench, driven in headless Chromium by playwright-core.
// The e2e tests speak in user terms (open the ModelOps sidebar, run a palette command, right-click
// a tree item) and this class holds the selectors, which change with VS Code versions.
import { chromium } from 'playwright-core';
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface E2eEnv {
  url: string;
  workspace: string;
  screenshots: string;
}

/** Set by scripts/test-e2e.mjs, which starts code-server with the packaged .vsix installed. */
export function e2eEnv(): E2eEnv {
  const url = process.env.MODELOPS_E2E_URL;
  const workspace = process.env.MODELOPS_E2E_WORKSPACE;
  const screenshots = process.env.MODELOPS_E2E_SCREENSHOTS;
  if (!url || !workspace || !screenshots) throw new Error('run the e2e tests through scripts/test-e2e.mjs (npm run test:e2e)');
  return { url, workspace, screenshots };
}

export class Workbench {
  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly env: E2eEnv,
  ) {}

  static async open(env: E2eEnv): Promise<Workbench> {
    const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'modelops-e2e-')), {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      viewport: { width: 1400, height: 860 },
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${env.url}/?folder=${encodeURIComponent(env.workspace)}`);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    mkdirSync(env.screenshots, { recursive: true });
    return new Workbench(context, page, env);
  }

  /** Clicks the ModelOps icon in the activity bar and waits for its views. */
  async openModelOpsSidebar(): Promise<void> {
    const icon = this.page.locator('.activitybar [aria-label^="ModelOps"]').first();
    await icon.waitFor({ timeout: 60_000 });
    if (!(await this.viewHeader('Experiments').isVisible())) await icon.click();
    await this.viewHeader('Experiments').waitFor({ timeout: 30_000 });
  }

  viewHeader(name: string): Locator {
    return this.page.locator('.pane-header', { hasText: name }).first();
  }

  /** Expands a view in the sidebar when it is collapsed. */
  async expandView(name: string): Promise<void> {
    const header = this.viewHeader(name);
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  }

  /** A row of a tree view whose label is exactly `label`. */
  treeItem(label: string): Locator {
    const name = this.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) });
    return this.page.locator('.pane-body .monaco-list-row', { has: name }).first();
  }

  /** Expands a collapsed tree row (a click toggles it). */
  async expandTreeItem(label: string): Promise<void> {
    const row = this.treeItem(label);
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }

  statusBarItem(text: string): Locator {
    return this.page.locator('.statusbar-item', { hasText: text }).first();
  }

  quickInputTitle(text: string): Locator {
    return this.page.locator('.quick-input-widget .quick-input-title', { hasText: text }).first();
  }

  /** Ctrl+P, the file name, Enter. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor({ state: 'visible', timeout: 15_000 });
    await this.quickInput().fill(name);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tab', { hasText: name }).first().waitFor({ timeout: 15_000 });
  }

  async focusEditorGroup(n: number): Promise<void> {
    await this.page.keyboard.press(`Control+${n}`);
  }

  /**
   * Hovers the after-line decoration of the line holding `lineText` in the first editor group and
   * returns the hover widget. (View lines are absolutely positioned, so they are found by text, and
   * the decoration is CSS generated content just right of the line's text.)
   */
  async hoverInlineDecoration(lineText: string): Promise<Locator> {
    const editor = this.page.locator('.editor-group-container').first();
    const row = editor.locator('.view-lines .view-line', { hasText: lineText }).first();
    await row.waitFor({ timeout: 15_000 });
    let right = 0;
    let y = 0;
    for (const span of await row.locator('span').all()) {
      const box = await span.boundingBox();
      if (box && box.width > 0 && box.x + box.width > right) {
        right = box.x + box.width;
        y = box.y + box.height / 2;
      }
    }
    if (right === 0) throw new Error(`the line '${lineText}' is not rendered`);
    await this.page.mouse.move(right - 20, y);
    const hover = this.page.locator('.monaco-hover:not(.hidden)', { hasText: 'Prediction' }).first();
    await hover.waitFor({ timeout: 15_000 });
    return hover;
  }

  async dismissNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  /** F1, type the command's title, Enter. Leaves the palette to the command's own prompts. */
  async runCommand(title: string): Promise<void> {
    // On a loaded machine the palette sometimes opens before its command list is filled and keeps showing the
    // typed text unmatched, or closes again as the workbench moves focus (a tree revealing the run a command
    // just finished): close it and open it again, twice at most, before giving up.
    for (let attempt = 1; ; attempt++) {
      const retry = (e: unknown): false => {
        if (attempt >= 3) throw e;
        return false;
      };
      await this.page.keyboard.press('F1');
      const input = this.quickInput();
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      const typed = await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, retry);
      const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
      const shown = typed && (await row.waitFor({ timeout: 15_000 }).then(() => true, retry));
      if (shown) break;
      await this.page.keyboard.press('Escape');
    }
    await this.page.keyboard.press('Enter');
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget input').first();
  }

  /** Waits for a quick pick row with this label and picks it. */
  async pickQuickItem(label: string): Promise<void> {
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
  }

  notification(text: string): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item', { hasText: text }).first();
  }

  /** Waits until no view in the sidebar shows its progress bar (a tree refresh re-renders rows). */
  async sidebarIdle(): Promise<void> {
    await this.waitUntil(
      'the sidebar views finished refreshing',
      async () => (await this.page.locator('.sidebar .monaco-progress-container.active').count()) === 0,
    );
    await this.page.waitForTimeout(300);
  }

  /** Right-clicks a tree row and hovers a context-menu entry; returns the entry (click it to run). */
  async contextMenu(row: Locator, entry: string): Promise<Locator> {
    await this.sidebarIdle();
    await row.click({ button: 'right' });
    const item = this.page.locator('.context-view .action-item', { hasText: entry }).first();
    await item.waitFor({ timeout: 15_000 });
    await item.hover();
    return item;
  }

  /**
   * The page inside the visible webview editor (VS Code nests it: an outer iframe per webview, the
   * page in its `#active-frame`).
   */
  webview(): FrameLocator {
    return this.page.locator('iframe.webview.ready:visible').last().contentFrame().frameLocator('#active-frame');
  }

  /** Polls `check` until it holds (UI state settles asynchronously); fails after `ms`. */
  async waitUntil(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
    const end = Date.now() + ms;
    while (!(await check().catch(() => false))) {
      if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
      await this.page.waitForTimeout(200);
    }
  }

  /** Saves test/e2e/screenshots/<name>.png and returns its path. */
  async screenshot(name: string): Promise<string> {
    const file = join(this.env.screenshots, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
