import * as vscode from 'vscode';
import { ModelOpsError, errorMessage, redactSecrets } from '../core/errors';

/** Structured log lines into the "ModelOps" output channel: `event key=value ...`. */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** The newest lines, for the integration tests (an output channel cannot be read back). */
  private readonly tail: string[] = [];

  constructor() {
    this.channel = vscode.window.createOutputChannel('ModelOps', { log: true });
  }

  info(event: string, fields: Record<string, unknown> = {}): void {
    this.channel.info(this.keep(format(event, fields)));
  }

  warn(event: string, fields: Record<string, unknown> = {}): void {
    this.channel.warn(this.keep(format(event, fields)));
  }

  /** The last lines logged, oldest first. */
  recent(): readonly string[] {
    return this.tail;
  }

  /** Every line is redacted here (a store URL's password never reaches the output channel). */
  private keep(raw: string): string {
    const line = redactSecrets(raw);
    this.tail.push(line);
    if (this.tail.length > 500) this.tail.splice(0, this.tail.length - 500);
    return line;
  }

  error(event: string, e: unknown, fields: Record<string, unknown> = {}): void {
    const extra: Record<string, unknown> = { ...fields, error: errorMessage(e) };
    if (e instanceof ModelOpsError) {
      extra.code = e.code;
      if (e.location !== undefined) extra.location = e.location;
    }
    this.channel.error(this.keep(format(event, extra)));
    if (e instanceof Error && e.stack && !(e instanceof ModelOpsError)) this.channel.error(redactSecrets(e.stack));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

function format(event: string, fields: Record<string, unknown>): string {
  const parts = [event];
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    parts.push(`${k}=${/[\s"]/.test(s) ? JSON.stringify(s) : s}`);
  }
  return parts.join(' ');
}
