import * as vscode from 'vscode';
import { ModelOpsError, errorMessage } from '../../core/errors';
import type { Log } from '../log';
import type { Ui } from '../ui';
import type { CommandId } from './ids';

export interface CommandRun {
  /** Reports progress in the notification (increment in percent, as VS Code expects). */
  report(message: string, increment?: number): void;
  readonly token: vscode.CancellationToken;
}

export type CommandHandler = (run: CommandRun, ...args: unknown[]) => unknown;

export interface CommandOptions {
  /**
   * A cancellable progress notification with this title, shown from the command's first progress
   * report — after its prompts, so no [Cancel] button sits beside an open quick pick — until it ends.
   */
  progressTitle?: string;
}

/** A progress notification that appears on the first report and closes when the command ends. */
class LazyProgress {
  private progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
  private pending: { message?: string; increment?: number } | undefined;
  private finish: (() => void) | undefined;
  shown = false;

  constructor(
    private readonly title: string,
    private readonly source: vscode.CancellationTokenSource,
    private readonly onShown: (shown: boolean) => void,
  ) {}

  report(message: string, increment?: number): void {
    if (!this.shown) this.start();
    if (this.progress) this.progress.report({ message, increment });
    else this.pending = { message, increment: (this.pending?.increment ?? 0) + (increment ?? 0) };
  }

  private start(): void {
    this.shown = true;
    this.onShown(true);
    const done = new Promise<void>((resolve) => (this.finish = resolve));
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: this.title, cancellable: true }, (progress, token) => {
      const forward = token.onCancellationRequested(() => this.source.cancel());
      this.progress = progress;
      if (this.pending) progress.report(this.pending);
      this.pending = undefined;
      return done.finally(() => forward.dispose());
    });
  }

  /** Closes the notification: the command's result (or failure) is said after it, never under it. */
  end(): void {
    this.finish?.();
    if (this.shown) this.onShown(false);
  }
}

const SHOW_OUTPUT = 'Show Output';

/**
 * The one wrapper every command runs through: progress with cancellation, a log line per start
 * and end, and failures turned into a short message with a "Show Output" action. It never
 * rethrows, so nothing reaches the extension host; it resolves to the handler's value or undefined.
 */
export class CommandRunner implements vscode.Disposable {
  /** One per command in flight, so a deactivating extension can ask them to stop at their next check. */
  private readonly running = new Set<vscode.CancellationTokenSource>();

  constructor(
    private readonly log: Log,
    private readonly ui: () => Ui,
  ) {}

  register(id: CommandId, handler: CommandHandler, options: CommandOptions = {}): vscode.Disposable {
    return vscode.commands.registerCommand(id, (...args: unknown[]) => this.execute(id, handler, options, args));
  }

  async execute(id: CommandId, handler: CommandHandler, options: CommandOptions, args: unknown[]): Promise<unknown> {
    const t0 = Date.now();
    this.log.info('command.start', { id });
    // The handler's token follows the notification's Cancel button and cancelAll().
    const source = new vscode.CancellationTokenSource();
    this.running.add(source);
    const title = options.progressTitle;
    const progress = title ? new LazyProgress(title, source, (shown) => (shown ? this.progressShown.add(title) : this.progressShown.delete(title))) : undefined;
    try {
      const result = await handler({ report: (message, increment) => progress?.report(message, increment), token: source.token }, ...args);
      progress?.end();
      this.log.info('command.end', { id, ms: Date.now() - t0 });
      return result;
    } catch (e) {
      progress?.end();
      if (e instanceof ModelOpsError && e.code === 'CANCELLED') {
        this.log.info('command.cancelled', { id, ms: Date.now() - t0 });
        // Work the user saw start and stopped is said to have stopped; a dismissed prompt ends quietly.
        if (progress?.shown || source.token.isCancellationRequested) void this.ui().info(`ModelOps: ${cancelledText(e.message)}`);
        return undefined;
      }
      this.log.error('command.failed', e, { id, ms: Date.now() - t0 });
      void this.showFailure(e);
      return undefined;
    } finally {
      this.running.delete(source);
      source.dispose();
    }
  }

  /** Titles of the progress notifications on screen (the tests check none shows during prompts). */
  readonly progressShown = new Set<string>();

  /** Cancels every command in flight (as their Cancel buttons would); each resolves as cancelled. */
  cancelAll(): void {
    for (const source of this.running) source.cancel();
  }

  dispose(): void {
    this.cancelAll();
  }

  /** A short message naming what failed; the details are in the output channel. */
  async showFailure(e: unknown): Promise<void> {
    const text = e instanceof ModelOpsError ? e.message : `Unexpected error: ${errorMessage(e)}`;
    const choice = await this.ui().error(`ModelOps: ${text}`, SHOW_OUTPUT);
    if (choice === SHOW_OUTPUT) this.log.show();
  }
}

/** `training was cancelled` → `Training was cancelled.` */
function cancelledText(message: string): string {
  const t = message.trim() || 'Cancelled';
  return `${t[0]!.toUpperCase()}${t.slice(1)}${/[.!]$/.test(t) ? '' : '.'}`;
}

/** Throws the project's cancellation error when the user cancelled. */
export function throwIfCancelled(token: vscode.CancellationToken): void {
  if (token.isCancellationRequested) throw new ModelOpsError('CANCELLED', 'Cancelled.');
}
