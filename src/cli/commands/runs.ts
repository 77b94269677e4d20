import { ModelOpsError } from '../../core/errors';
import type { Run, ViewType } from '../../core/tracking';
import { TAG } from '../../core/tracking';
import type { CommandContext, CommandSpec, OptionSpec } from '../command';
import { intOption } from '../option-values';
import { formatDuration, formatFields, formatNumber, formatTable, formatTime } from '../output';
import { resolveExperimentId } from './experiments';
import { allExperimentIds } from '../../pipeline/artifact-check';

/** `modelops runs list|show|search|delete|restore`. */

const searchOptions: Record<string, OptionSpec> = {
  experiment: { type: 'string', short: 'e', multiple: true, value: '<id|name>', description: 'experiment(s) to search (default: all active experiments)' },
  filter: { type: 'string', value: '<expr>', description: 'MLflow filter, e.g. "metrics.acc > 0.9 and params.model = \'rf\'"' },
  'order-by': { type: 'string', multiple: true, value: '<col [ASC|DESC]>', description: 'sort, e.g. "metrics.acc DESC" (repeatable)' },
  'max-results': { type: 'string', value: '<n>', int: { min: 1 }, description: 'rows per page (default 100)' },
  'page-token': { type: 'string', value: '<token>', description: 'continue from a previous page' },
  all: { type: 'boolean', description: 'include deleted runs' },
  deleted: { type: 'boolean', description: 'only deleted runs' },
  columns: { type: 'string', value: '<m1,p.x,...>', description: 'metric/param columns to show (default: the first few metrics)' },
};

function viewType(ctx: CommandContext): ViewType {
  if (ctx.options.all === true) return 'ALL';
  if (ctx.options.deleted === true) return 'DELETED_ONLY';
  return 'ACTIVE_ONLY';
}

async function experimentIds(ctx: CommandContext): Promise<string[]> {
  const given = (ctx.options.experiment as string[] | undefined) ?? [];
  if (given.length > 0) return Promise.all(given.map((g) => resolveExperimentId(ctx, g)));
  return allExperimentIds(await ctx.trackingStore(), 'ACTIVE_ONLY');
}

function maxResults(ctx: CommandContext): number {
  return intOption(ctx, 'max-results') ?? 100;
}

function runTable(ctx: CommandContext, runs: Run[]): string {
  const wanted =
    typeof ctx.options.columns === 'string'
      ? ctx.options.columns
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean)
      : undefined;
  const metricKeys = wanted ?? [...new Set(runs.flatMap((r) => r.data.metrics.map((m) => m.key)))].slice(0, 4);
  return formatTable(runs, [
    { header: 'RUN ID', value: (r) => r.info.runId },
    { header: 'NAME', value: (r) => r.info.runName, max: 28 },
    { header: 'EXP', value: (r) => r.info.experimentId, right: true },
    { header: 'STATUS', value: (r) => r.info.status + (r.info.lifecycleStage === 'deleted' ? ' (deleted)' : '') },
    { header: 'STARTED', value: (r) => formatTime(r.info.startTime) },
    { header: 'DURATION', value: (r) => formatDuration(r.info.startTime, r.info.endTime), right: true },
    { header: 'PARENT', value: (r) => (r.data.tags.find((t) => t.key === TAG.parentRunId)?.value ?? '').slice(0, 8) },
    ...metricKeys.map((k) => {
      const isParam = k.startsWith('p.') || k.startsWith('params.');
      const key = k.replace(/^(p|params|m|metrics)\./, '');
      return {
        header: k,
        right: !isParam,
        max: 24,
        value: (r: Run): string => {
          if (isParam) return r.data.params.find((p) => p.key === key)?.value ?? '';
          const m = r.data.metrics.find((x) => x.key === key);
          return m ? formatNumber(m.value) : '';
        },
      };
    }),
  ]);
}

async function search(ctx: CommandContext): Promise<void> {
  const store = await ctx.trackingStore();
  const page = await store.searchRuns({
    experimentIds: await experimentIds(ctx),
    filter: ctx.options.filter as string | undefined,
    orderBy: ctx.options['order-by'] as string[] | undefined,
    runViewType: viewType(ctx),
    maxResults: maxResults(ctx),
    pageToken: ctx.options['page-token'] as string | undefined,
  });
  if (ctx.json) return ctx.printJson({ runs: page.items, ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) });
  if (page.items.length === 0) return ctx.print('no runs');
  ctx.print(runTable(ctx, page.items));
  if (page.nextPageToken) ctx.print(`more: --page-token ${page.nextPageToken}`);
}

const list: CommandSpec = {
  path: ['runs', 'list'],
  summary: 'list runs, newest first',
  options: searchOptions,
  run: search,
};

const searchCmd: CommandSpec = {
  path: ['runs', 'search'],
  summary: 'search runs with MLflow\'s filter syntax, e.g. --filter "metrics.acc > 0.9" --order-by "metrics.acc DESC"',
  options: searchOptions,
  run: search,
};

const show: CommandSpec = {
  path: ['runs', 'show'],
  summary: 'show one run: info, params, latest metrics, tags, datasets',
  args: '<run-id>',
  async run(ctx) {
    const runId = ctx.args[0];
    if (!runId) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'missing <run-id>');
    const store = await ctx.trackingStore();
    const run = await store.getRun(runId);
    if (ctx.json) return ctx.printJson(run);
    const i = run.info;
    ctx.print(
      formatFields([
        ['run id', i.runId],
        ['name', i.runName],
        ['experiment', i.experimentId],
        ['status', i.status],
        ['lifecycle', i.lifecycleStage],
        ['user', i.userId],
        ['started', formatTime(i.startTime)],
        ['ended', formatTime(i.endTime)],
        ['artifacts', i.artifactUri],
      ]),
    );
    const section = (title: string, rows: (readonly [string, string])[]): void => {
      if (rows.length > 0) ctx.print(`\n${title}\n${formatFields(rows.map(([k, v]) => [`  ${k}`, v] as const))}`.trimEnd());
    };
    section(
      'params',
      run.data.params.map((p) => [p.key, p.value] as const),
    );
    section(
      'metrics (latest)',
      run.data.metrics.map((m) => [m.key, `${formatNumber(m.value)}  (step ${m.step})`] as const),
    );
    section(
      'tags',
      run.data.tags.map((t) => [t.key, t.value] as const),
    );
    section(
      'datasets',
      run.inputs.map((d) => [d.name, `${d.digest}  ${d.source}`] as const),
    );
  },
};

function lifecycle(action: 'delete' | 'restore'): CommandSpec {
  return {
    path: ['runs', action],
    summary: action === 'delete' ? 'mark runs deleted (restorable)' : 'restore deleted runs',
    args: '<run-id>...',
    writes: true,
    async run(ctx) {
      if (ctx.args.length === 0) throw new ModelOpsError('INVALID_PARAMETER_VALUE', 'missing <run-id>');
      const store = await ctx.trackingStore();
      for (const id of ctx.args) {
        if (action === 'delete') await store.deleteRun(id);
        else await store.restoreRun(id);
      }
      if (ctx.json) return ctx.printJson({ runIds: ctx.args, lifecycleStage: action === 'delete' ? 'deleted' : 'active' });
      ctx.print(`${action === 'delete' ? 'deleted' : 'restored'} ${ctx.args.length} run(s)`);
    },
  };
}

export const runCommands: readonly CommandSpec[] = [list, show, searchCmd, lifecycle('delete'), lifecycle('restore')];
