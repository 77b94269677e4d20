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
  /** Shown as a cancellable progress notification while the command runs. */
  progressTitle?: string;
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
    try {
      const result = options.progressTitle
        ? await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: options.progressTitle, cancellable: true },
            (progress, token) => {
              const forward = token.onCancellationRequested(() => source.cancel());
              return Promise.resolve(handler({ report: (message, increment) => progress.report({ message, increment }), token: source.token }, ...args)).finally(() =>
                forward.dispose(),
              );
            },
          )
        : await handler({ report: () => undefined, token: source.token }, ...args);
      this.log.info('command.end', { id, ms: Date.now() - t0 });
      return result;
    } catch (e) {
      if (e instanceof ModelOpsError && e.code === 'CANCELLED') {
        this.log.info('command.cancelled', { id, ms: Date.now() - t0 });
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

/** Throws the project's cancellation error when the user cancelled. */
export function throwIfCancelled(token: vscode.CancellationToken): void {
  if (token.isCancellationRequested) throw new ModelOpsError('CANCELLED', 'Cancelled.');
}
