import { parseArgs } from 'node:util';
import { ModelOpsError, errorMessage, isUserError, redactSecrets } from '../core/errors';
import { VERSION } from '../core/version';
import type { Stores } from '../store/open';
import { openStores } from '../store/open';
import { chooseTrackingUri, locationOf } from '../store/tracking-uri';
import type { CliIO, CommandContext, CommandSpec, OptionSpec, OptionValue } from './command';
import { toParseArgsOptions } from './command';
import { checkOptionValues } from './option-check';
import { COMMANDS } from './command-table';

export type { CliIO } from './command';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  store: {
    type: 'string',
    value: '<path|uri>',
    description:
      'store: a file, sqlite:///<path> or an MLflow tracking server http(s)://host:port (default $MODELOPS_STORE, else $MLFLOW_TRACKING_URI, else .modelops/mlflow.db)',
  },
  schema: {
    type: 'string',
    value: '<release>',
    description: 'MLflow release whose schema a NEW store gets (default the newest known; e.g. 2.17 for a team pinned to MLflow 2.17)',
  },
  json: { type: 'boolean', description: 'print JSON instead of tables' },
  help: { type: 'boolean', short: 'h', description: 'show help' },
};

export { DEFAULT_STORE } from '../store/tracking-uri';

/** Signals that end a command cleanly the first time. */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Exit codes: 0 ok, 1 user error (clear message, no stack), 2 internal error. */
export async function runCli(argv: string[], io: CliIO, commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  let opened: Promise<Stores> | undefined;
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  try {
    const found = findOrAnswer(argv, io, commands);
    if (typeof found === 'number') return found;
    const { command, values, args } = parseCommandLine(argv, found);
    const ctx = commandContext(io, controller.signal, command, values, args, (stores) => (opened ??= stores()));
    // `once`: the first Ctrl-C (or SIGTERM, SIGHUP: a closed terminal, `kill`, CI's timeout) cancels
    // the command cleanly (runs end KILLED, nothing half-written); a second one gets node's default
    // and ends the process.
    for (const signal of STOP_SIGNALS) process.once(signal, onSigint);
    const code = await command.run(ctx);
    await closeAll(opened);
    opened = undefined;
    return typeof code === 'number' ? code : 0;
  } catch (e) {
    await closeAll(opened).catch(() => undefined);
    if (isUserError(e)) {
      io.stderr.write(`modelops: ${errorMessage(e)}\n`);
      return 1;
    }
    io.stderr.write(`modelops: internal error: ${errorMessage(e)}\n`);
    if (io.env.MODELOPS_DEBUG && e instanceof Error && e.stack) io.stderr.write(`${redactSecrets(e.stack)}\n`);
    return 2;
  } finally {
    for (const signal of STOP_SIGNALS) process.removeListener(signal, onSigint);
  }
}

/** The command the words name, or the exit code once the version, help or usage has been written. */
function findOrAnswer(argv: string[], io: CliIO, commands: readonly CommandSpec[]): CommandSpec | number {
  const words = commandWords(argv);
  // `--version` is the program's version only without a command: `promote --version 3` is a model version.
  if ((words.length === 0 && argv.includes('--version')) || argv[0] === 'version') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const command = findCommand(commands, words);
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  if (command) {
    if (!wantsHelp) return command;
    io.stdout.write(commandHelp(command));
    return 0;
  }
  if (words.length === 0 || (wantsHelp && commands.some((c) => c.path[0] === words[0]))) {
    io.stdout.write(usage(commands, words[0]));
    return 0;
  }
  const group = commands.filter((c) => c.path[0] === words[0]);
  if (group.length > 0 && words.length === 1) {
    io.stderr.write(usage(commands, words[0]));
    return 1;
  }
  const what = group.length > 0 ? `unknown command '${words.slice(0, 2).join(' ')}'` : `unknown command '${words[0]}'`;
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${what} (see modelops --help)`);
}

function parseCommandLine(argv: string[], command: CommandSpec): { command: CommandSpec; values: Record<string, OptionValue>; args: string[] } {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: toParseArgsOptions({ ...GLOBAL_OPTIONS, ...(command.options ?? {}) }),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${errorMessage(e)} (see modelops ${command.path.join(' ')} --help)`);
  }
  const values = parsed.values as Record<string, OptionValue>;
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    if (values[name] === undefined && spec.default !== undefined) values[name] = spec.default;
  }
  checkOptionValues(command, values);
  return { command, values, args: parsed.positionals.slice(command.path.length) };
}

function openCommandStores(
  io: CliIO,
  command: CommandSpec,
  values: Record<string, OptionValue>,
  choice: ReturnType<typeof chooseTrackingUri>,
): Promise<Stores> {
  return Promise.resolve(locationOf(choice, io.cwd))
    .then(() =>
      openStores(choice.uri, {
        env: io.env,
        cwd: io.cwd,
        create: command.writes === true,
        engine: io.env.MODELOPS_STORE_ENGINE,
        ...(typeof values.schema === 'string' ? { schema: values.schema } : {}),
        ...(io.env.MODELOPS_WORKSPACE ? { workspace: io.env.MODELOPS_WORKSPACE } : {}),
      }),
    )
    .then((s) => {
      // A store at a revision newer than any this version knows, opened read-write: said once.
      if (s.file?.schema.notice) io.stderr.write(`modelops: ${s.file.schema.notice}\n`);
      return s;
    });
}

/** What a command sees; `remember` keeps the stores it opens (once) so that runCli closes them. */
function commandContext(
  io: CliIO,
  signal: AbortSignal,
  command: CommandSpec,
  values: Record<string, OptionValue>,
  args: string[],
  remember: (open: () => Promise<Stores>) => Promise<Stores>,
): CommandContext {
  const choice = chooseTrackingUri({ uri: typeof values.store === 'string' ? values.store : undefined, source: 'option' }, io.env);
  const storeUri = choice.uri;
  const ctx: CommandContext = {
    io,
    signal,
    args,
    options: values,
    json: values.json === true,
    storeUri,
    storeSource: choice.source,
    stores: () => remember(() => openCommandStores(io, command, values, choice)),
    trackingStore: async () => (await ctx.stores()).tracking,
    print: (text) => {
      io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    printJson: (value) => {
      io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    },
  };
  return ctx;
}

async function closeAll(opened: Promise<Stores> | undefined): Promise<void> {
  if (opened) await (await opened).close();
}

/** The leading non-option words: `modelops --store x runs search ...` → ['runs', 'search', ...]. */
function commandWords(argv: string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--store' || a === '--schema') {
      i++;
      continue;
    }
    if (a.startsWith('-')) {
      if (words.length > 0) break;
      continue;
    }
    words.push(a);
    if (words.length >= 3) break;
  }
  return words;
}

function findCommand(commands: readonly CommandSpec[], words: string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const c of commands) {
    if (c.path.length <= words.length && c.path.every((w, i) => words[i] === w)) {
      if (!best || c.path.length > best.path.length) best = c;
    }
  }
  return best;
}

function usage(commands: readonly CommandSpec[], group?: string): string {
  const shown = commands.filter((c) => !group || c.path[0] === group || !commands.some((x) => x.path[0] === group));
  const names = shown.map((c) => `${c.path.join(' ')}${c.args ? ` ${c.args}` : ''}`);
  const w = Math.max(...names.map((n) => n.length));
  const lines = shown.map((c, i) => `  ${names[i]!.padEnd(w)}  ${c.summary}`);
  return `usage: modelops <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nglobal options:\n${optionLines(GLOBAL_OPTIONS)}\n`;
}

function commandHelp(c: CommandSpec): string {
  const opts = c.options && Object.keys(c.options).length > 0 ? `\noptions:\n${optionLines(c.options)}\n` : '';
  return `usage: modelops ${c.path.join(' ')}${c.args ? ` ${c.args}` : ''} [options]\n\n${c.summary}\n${opts}\nglobal options:\n${optionLines(GLOBAL_OPTIONS)}\n`;
}

function optionLines(options: Record<string, OptionSpec>): string {
  const names = Object.entries(options).map(([n, o]) => `${o.short ? `-${o.short}, ` : ''}--${n}${o.value ? ` ${o.value}` : ''}`);
  const w = Math.max(...names.map((n) => n.length));
  return Object.values(options)
    .map((o, i) => `  ${names[i]!.padEnd(w)}  ${o.description}${o.required ? ' (required)' : ''}`)
    .join('\n');
}
