import type { ParseArgsConfig } from 'node:util';
import type { Stores } from '../store/open';
import type { TrackingStore } from '../store/tracking-store';
import type { TrackingUriSource } from '../store/tracking-uri';

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export type OptionValue = string | boolean | string[] | undefined;

/** One option of a command, as node:util parseArgs takes it, plus its help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: string | boolean;
  /** Placeholder in help, e.g. `<expr>`. */
  value?: string;
  description: string;
  /** The command refuses to run without it (checked by the runner, option-check.ts). */
  required?: boolean;
  /** An integer, within these bounds when given. */
  int?: { min?: number; max?: number };
  /** One of these values. */
  choices?: readonly string[];
}

/** What a command gets: its arguments, the global options, lazily opened stores, output helpers. */
export interface CommandContext {
  io: CliIO;
  /** Positionals after the command words. */
  args: string[];
  options: Record<string, OptionValue>;
  /** `--json`: print machine-readable JSON on stdout instead of tables. */
  json: boolean;
  /** Aborted by the first Ctrl-C (a second one ends the process as usual). */
  signal: AbortSignal;
  /** The store: `--store`, else MODELOPS_STORE, else MLFLOW_TRACKING_URI, else `.modelops/mlflow.db` (src/store/tracking-uri.ts). */
  storeUri: string;
  /** Where `storeUri` came from. */
  storeSource: TrackingUriSource;
  /** The stores of `--store` (tracking, registry, studies): opened on first call, closed when the command ends. Read-only commands never create a file. */
  stores(): Promise<Stores>;
  /** Shorthand for `(await stores()).tracking`. */
  trackingStore(): Promise<TrackingStore>;
  /** Writes a line (or lines) to stdout. */
  print(text: string): void;
  /** Writes `value` as JSON to stdout. */
  printJson(value: unknown): void;
}

/**
 * A CLI command. To add one: create `src/cli/commands/<group>.ts` exporting CommandSpec(s) and add
 * them to COMMANDS in `src/cli/command-table.ts`.
 */
export interface CommandSpec {
  /** The words that select it: `['experiments', 'list']`, `['train']`. */
  path: readonly string[];
  summary: string;
  /** Positionals synopsis for help, e.g. `<experiment-id>`. */
  args?: string;
  options?: Record<string, OptionSpec>;
  /** True when the command changes the store (it may then create the store file). */
  writes?: boolean;
  /** True when the command loads a whole data file: the process then keeps V8's young generation small (src/core/young-generation.ts). */
  loadsData?: boolean;
  /** Returns the exit code (default 0). Throw ModelOpsError for user errors (exit 1). */
  run(ctx: CommandContext): Promise<number | void>;
}

export function toParseArgsOptions(options: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  const out: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  return out;
}
