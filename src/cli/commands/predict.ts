import type { Stores } from '../../pipeline/model-resolve';
import { predict } from '../../pipeline/predict';
import { resolveStoreLocation } from '../../store/open';
import type { CommandSpec } from '../command';
import { formatNumber, formatTable } from '../output';
import { modelUriOption, registryStores, stringOption } from './registry-context';
import { decimalMark, decimalOption, intOption, requiredString } from '../option-values';

/** `modelops predict`: score a CSV with a model URI (or the seed's `--name churn --stage Production`). */
export const predictCommand: CommandSpec = {
  path: ['predict'],
  loadsData: true,
  summary: 'score a CSV file with a model (models:/name/Production, models:/name@alias, models:/name/3, runs:/<id>/model, a directory)',
  options: {
    model: { type: 'string', value: '<uri>', description: 'model URI or model directory' },
    name: { type: 'string', value: '<model>', description: 'registered model, with --stage, --version or --alias' },
    stage: { type: 'string', value: '<stage>', description: 'shorthand: --name churn --stage Production' },
    version: { type: 'string', value: '<n>', description: 'shorthand: --name churn --version 3' },
    alias: { type: 'string', value: '<alias>', description: 'shorthand: --name churn --alias champion' },
    data: { type: 'string', value: '<file.csv>', required: true, description: 'rows to score' },
    out: { type: 'string', value: '<file.csv>', description: 'write the rows with prediction columns here (atomically)' },
    proba: { type: 'boolean', description: 'add one probability column per class' },
    decimal: decimalOption,
    limit: { type: 'string', value: '<n>', description: 'rows shown when there is no --out (default 20)' },
    threads: { type: 'string', value: '<n>', int: { min: 1 }, description: 'worker threads for large files (default 1)' },
  },
  async run(ctx) {
    const uri = modelUriOption(ctx);
    const data = requiredString(ctx, 'data');
    const out = stringOption(ctx, 'out');
    // A plain directory needs no store: predicting must work without a workspace store.
    const stores: Stores | null = uri.kind === 'path' ? null : await registryStores(ctx);
    const threads = intOption(ctx, 'threads');
    const location = resolveStoreLocation(ctx.storeUri, ctx.io.cwd);
    const r = await predict(stores, {
      model: uri,
      data,
      cwd: ctx.io.cwd,
      // Checked before the model is loaded: never over the store, its side files or its folder.
      protect: location.kind === 'sqlite' ? { store: location.path } : {},
      proba: ctx.options.proba === true,
      ...(decimalMark(ctx) ? { decimal: decimalMark(ctx)! } : {}),
      signal: ctx.signal,
      ...(out ? { out } : {}),
      ...(threads ? { threads } : {}),
    });
    for (const n of r.notes) ctx.io.stderr.write(`note: ${n.message}\n`);
    if (ctx.json) return void ctx.printJson(r);
    const s = r.summary;
    const what = r.model.version ? `${r.model.name} version ${r.model.version} (${r.model.stage})` : r.model.uri;
    if (!out) {
      const limit = Number(stringOption(ctx, 'limit') ?? 20);
      const rows = r.predictions.slice(0, Number.isInteger(limit) && limit > 0 ? limit : 20).map((p, i) => ({ i, p }));
      ctx.print(
        formatTable(rows, [
          { header: 'ROW', value: (x) => String(x.i + 1), right: true },
          { header: r.predictionColumn.toUpperCase(), value: (x) => (typeof x.p === 'number' ? formatNumber(x.p) : x.p) },
          ...(r.probabilities
            ? r.classes.map((c, k) => ({ header: `P(${c})`, value: (x: { i: number }) => r.probabilities![x.i]![k]!.toFixed(3), right: true }))
            : []),
        ]),
      );
      if (r.predictions.length > rows.length) ctx.print(`… ${r.predictions.length - rows.length} more rows (use --out to write them all)`);
    } else ctx.print(`wrote ${r.outPath}`);
    const dist = s.classCounts
      ? Object.entries(s.classCounts)
          .map(([c, n]) => `${c} ${n} (${((100 * n) / Math.max(1, s.rows)).toFixed(1)}%)`)
          .join(', ')
      : s.range
        ? `min ${formatNumber(s.range.min)}, mean ${formatNumber(s.range.mean)}, max ${formatNumber(s.range.max)}`
        : '';
    ctx.print(`${s.rows} rows scored with ${what} in ${s.milliseconds.toFixed(0)} ms (${Math.round(s.rowsPerSecond)} rows/s); ${dist}`);
  },
};
