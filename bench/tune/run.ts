// bench/tune: ModelOps' tuning beside Optuna's (run by /usr/bin/python3 in the same bench run).
//  1. Samplers on analytic objectives (Branin, Hartmann-6, a mixed float/log-int/categorical bowl):
//     TPE and random × seeds × 50 trials; median best value found and sampler time per trial
//     (the optimize loop minus the objective's own time).
//  2. End to end: `modelops tune` (dist/cli.js, TPE + median pruner, 3-fold CV) on breast_cancer and
//     churn beside Optuna TPE + MedianPruner tuning scikit-learn's RF + kNN soft vote.
// Run: `node bench/run.mjs tune [--quick] [--only analytic|e2e]` (`npm run build` first for part 2).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../../src/ml/dataset/dataset';
import { cvFolds } from '../../src/pipeline/cross-validate';
import { Study } from '../../src/tuning/study';
import type { Sampler } from '../../src/tuning/samplers/sampler';
import { RandomSampler } from '../../src/tuning/samplers/random';
import { TpeSampler } from '../../src/tuning/samplers/tpe';
import type { AnalyticObjective } from './objectives';
import { OBJECTIVES } from './objectives';

const PYTHON = '/usr/bin/python3';
const PEER = join('bench', 'tune', 'peer_optuna.py');
const SAMPLERS = ['tpe', 'random'] as const;
type SamplerKind = (typeof SAMPLERS)[number];

interface SideRuns {
  best: number[];
  msPerTrial: number[];
}
type Analytic = Record<string, Record<SamplerKind, SideRuns>>;

interface Target {
  what: string;
  ok: boolean;
  detail: string;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x: number, digits = 4): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

function makeSampler(kind: SamplerKind, seed: number): Sampler {
  return kind === 'tpe' ? new TpeSampler(seed) : new RandomSampler(seed);
}

async function oneStudy(o: AnalyticObjective, kind: SamplerKind, seed: number, trials: number): Promise<{ best: number; msPerTrial: number }> {
  const study = new Study({ name: `${o.name}-${kind}-${seed}`, direction: 'minimize', space: o.space, sampler: makeSampler(kind, seed) });
  let spent = 0;
  const t0 = performance.now();
  await study.optimize(
    async (trial) => {
      const t = performance.now();
      const v = o.fn(trial.params);
      spent += performance.now() - t;
      return v;
    },
    { nTrials: trials },
  );
  const loop = performance.now() - t0;
  const best = study.bestTrial?.value;
  if (best === undefined) throw new Error(`${o.name}/${kind}/seed ${seed}: no complete trial`);
  return { best, msPerTrial: (loop - spent) / trials };
}

async function oursAnalytic(seeds: number, trials: number): Promise<Analytic> {
  const out: Analytic = {};
  for (const o of OBJECTIVES) {
    await oneStudy(o, 'tpe', 1000, trials); // untimed warm-up (JIT), as the peer warms up too
    out[o.name] = { tpe: { best: [], msPerTrial: [] }, random: { best: [], msPerTrial: [] } };
    for (const kind of SAMPLERS) {
      for (let seed = 0; seed < seeds; seed++) {
        const r = await oneStudy(o, kind, seed, trials);
        out[o.name][kind].best.push(r.best);
        out[o.name][kind].msPerTrial.push(r.msPerTrial);
      }
    }
  }
  return out;
}

function runPeer(args: string[]): unknown {
  const r = spawnSync(PYTHON, [PEER, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${PYTHON} ${PEER} ${args.join(' ')} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as unknown;
}

function printTable(table: string[][], leftCols: number): void {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i < leftCols ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

async function partAnalytic(quick: boolean, targets: Target[]): Promise<Record<string, unknown>[]> {
  const seeds = quick ? 3 : 10;
  const trials = 50;
  console.log(`part 1 — samplers on analytic objectives (minimise): ${seeds} seeds × ${trials} trials per objective and sampler;`);
  console.log('figures are medians over the seeds; ms/trial is the optimize loop minus the objective, per trial\n');
  process.stderr.write('part 1: ModelOps samplers...\n');
  const ours = await oursAnalytic(seeds, trials);
  process.stderr.write('part 1: Optuna samplers...\n');
  const peer = (runPeer(['analytic', String(seeds), String(trials)]) as { analytic: Analytic }).analytic;
  const rows: Record<string, unknown>[] = [];
  const table = [['objective', 'sampler', 'optimum', 'best ours', 'best Optuna', 'ms/trial ours', 'ms/trial Optuna', 'overhead ratio']];
  for (const o of OBJECTIVES) {
    for (const kind of SAMPLERS) {
      const a = ours[o.name][kind];
      const b = peer[o.name][kind];
      const row = {
        objective: o.name,
        sampler: kind,
        optimum: o.optimum,
        bestOurs: median(a.best),
        bestOptuna: median(b.best),
        msOurs: median(a.msPerTrial),
        msOptuna: median(b.msPerTrial),
        ours: a,
        optuna: b,
      };
      rows.push(row);
      table.push([
        o.name,
        kind,
        fmt(o.optimum),
        fmt(row.bestOurs),
        fmt(row.bestOptuna),
        fmt(row.msOurs, 3),
        fmt(row.msOptuna, 3),
        `${fmt(row.msOurs / row.msOptuna, 2)}×`,
      ]);
    }
  }
  printTable(table, 2);
  for (const o of OBJECTIVES) {
    const ourTpe = median(ours[o.name].tpe.best);
    const optTpe = median(peer[o.name].tpe.best);
    const gap = median(peer[o.name].random.best) - o.optimum;
    const allowed = 0.1 * gap;
    targets.push({
      what: `${o.name}: TPE median best within 10% of (Optuna random − optimum) of Optuna TPE's`,
      ok: ourTpe - optTpe <= allowed,
      detail: `${fmt(ourTpe)} vs ${fmt(optTpe)} (${ourTpe - optTpe >= 0 ? '+' : ''}${fmt(ourTpe - optTpe)}, allowed +${fmt(allowed)})`,
    });
  }
  for (const r of rows) {
    const msOurs = r.msOurs as number;
    const msOptuna = r.msOptuna as number;
    targets.push({
      what: `${String(r.objective)}/${String(r.sampler)}: sampler overhead per trial ≤ Optuna's`,
      ok: msOurs <= msOptuna,
      detail: `${fmt(msOurs, 3)} ms vs ${fmt(msOptuna, 3)} ms`,
    });
  }
  return rows;
}

interface CliTuneJson {
  study: string;
  metric: string;
  direction: string;
  best?: { number: number; value: number; params: Record<string, unknown>; runId?: string };
  trials: { number: number; state: string; value?: number; params: Record<string, unknown> }[];
  elapsedMs: number;
}
interface PeerE2e {
  best: { number: number; value: number; params: Record<string, unknown> };
  complete: number;
  pruned: number;
  optimizeMs: number;
  inProcessMs: number;
}

const E2E_SETS = [
  { name: 'breast_cancer', target: 'diagnosis' },
  { name: 'churn', target: 'churned' },
];
const CV = 3;
const SEED = 42;

function timedSpawn(cmd: string, args: string[]): { stdout: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${String(r.status)}):\n${r.stderr}`);
  return { stdout: r.stdout, seconds };
}

function partE2e(quick: boolean, targets: Target[]): Record<string, unknown>[] | undefined {
  const trials = quick ? 8 : 20;
  const cli = resolve('dist', 'cli.js');
  console.log(`part 2 — end to end: ${trials} trials, TPE (seed ${SEED}) + median pruner, ${CV}-fold stratified CV accuracy, RF + kNN soft vote;`);
  console.log('ours: `node dist/cli.js tune ... --json` with its default search space and threads, a fresh store per run;');
  console.log('Optuna: TPESampler + MedianPruner over the same space, scikit-learn RandomForest + StandardScaler→KNeighbors VotingClassifier(soft), n_jobs=1;');
  console.log('wall = process start to exit (node start + store writes / python imports); loop = the optimize loop alone\n');
  // A dist/ built before `modelops tune` existed has no such command: say so rather than fail.
  const help = existsSync(cli) ? spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' }).stdout : '';
  if (!/^\s+tune\s/m.test(help)) {
    console.log(
      `  skipped: ${existsSync(cli) ? `${cli} has no tune command` : `${cli} is missing`} — run \`npm run build\` first (or \`npm run bench -- tune\`)`,
    );
    return undefined;
  }
  const work = mkdtempSync(join(tmpdir(), 'modelops-bench-tune-'));
  const rows: Record<string, unknown>[] = [];
  try {
    for (const set of E2E_SETS) {
      const data = resolve('examples', `${set.name}.csv`);
      // The peer gets the feature columns as ModelOps reads them (id-like and constant columns dropped).
      const ds = loadDataset(data, { target: set.target });
      const numeric = ds.schema.features.filter((f) => f.kind === 'numeric').map((f) => f.name);
      const categorical = ds.schema.features.filter((f) => f.kind !== 'numeric').map((f) => f.name);
      const store = join(work, set.name, 'mlflow.db');
      mkdirSync(join(work, set.name), { recursive: true });
      process.stderr.write(`part 2: ${set.name} — modelops tune (${trials} trials)...\n`);
      const o = timedSpawn(process.execPath, [
        cli,
        'tune',
        '--data',
        data,
        '--target',
        set.target,
        '--trials',
        String(trials),
        '--cv',
        String(CV),
        '--seed',
        String(SEED),
        '--sampler',
        'tpe',
        '--pruner',
        'median',
        '--store',
        store,
        '--json',
      ]);
      const ours = JSON.parse(o.stdout) as CliTuneJson;
      if (!ours.best) throw new Error(`modelops tune on ${set.name}: no trial completed`);
      process.stderr.write(`part 2: ${set.name} — Optuna + scikit-learn (${trials} trials)...\n`);
      const spec = join(work, `${set.name}.spec.json`);
      // The same folds on both sides (the ones modelops tune uses), so the accuracies differ by the
      // search and the models, not by which rows landed in which fold.
      const folds = cvFolds(ds, CV, SEED).map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }));
      writeFileSync(spec, JSON.stringify({ data, target: set.target, numeric, categorical, trials, cv: CV, seed: SEED, folds }));
      const p = timedSpawn(PYTHON, [PEER, 'e2e', spec]);
      const peer = JSON.parse(p.stdout.trim().split('\n').pop() as string) as PeerE2e;
      const count = (state: string): number => ours.trials.filter((t) => t.state === state).length;
      const row = {
        dataset: set.name,
        rows: ds.frame.nRows,
        features: ds.schema.features.length,
        trials,
        bestOurs: ours.best.value,
        bestOptuna: peer.best.value,
        paramsOurs: ours.best.params,
        paramsOptuna: peer.best.params,
        completeOurs: count('COMPLETE'),
        prunedOurs: count('PRUNED'),
        completeOptuna: peer.complete,
        prunedOptuna: peer.pruned,
        wallOurs: o.seconds,
        wallOptuna: p.seconds,
        loopOurs: ours.elapsedMs / 1000,
        loopOptuna: peer.optimizeMs / 1000,
      };
      rows.push(row);
      const diff = row.bestOurs - row.bestOptuna;
      targets.push({
        what: `${set.name}: best CV accuracy within 0.01 of Optuna + scikit-learn's`,
        ok: diff >= -0.01,
        detail: `${fmt(row.bestOurs)} vs ${fmt(row.bestOptuna)} (${diff >= 0 ? '+' : ''}${fmt(diff)})`,
      });
      targets.push({
        what: `${set.name}: tuning wall time no slower than Optuna + scikit-learn`,
        ok: row.wallOurs <= row.wallOptuna,
        detail: `${fmt(row.wallOurs, 2)} s vs ${fmt(row.wallOptuna, 2)} s (${fmt(row.wallOurs / row.wallOptuna, 2)}×)`,
      });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const table = [
    [
      'dataset',
      'rows×features',
      'best acc ours',
      'best acc Optuna',
      'Δ',
      'complete/pruned ours',
      'complete/pruned Optuna',
      'wall ours s',
      'wall Optuna s',
      'wall ratio',
      'loop ours s',
      'loop Optuna s',
    ],
  ];
  for (const r of rows) {
    const n = (k: string): number => r[k] as number;
    table.push([
      String(r.dataset),
      `${n('rows')}×${n('features')}`,
      fmt(n('bestOurs')),
      fmt(n('bestOptuna')),
      `${n('bestOurs') - n('bestOptuna') >= 0 ? '+' : ''}${fmt(n('bestOurs') - n('bestOptuna'))}`,
      `${n('completeOurs')}/${n('prunedOurs')}`,
      `${n('completeOptuna')}/${n('prunedOptuna')}`,
      fmt(n('wallOurs'), 2),
      fmt(n('wallOptuna'), 2),
      `${fmt(n('wallOurs') / n('wallOptuna'), 2)}×`,
      fmt(n('loopOurs'), 2),
      fmt(n('loopOptuna'), 2),
    ]);
  }
  printTable(table, 2);
  for (const r of rows) console.log(`  ${String(r.dataset)} best params — ours: ${JSON.stringify(r.paramsOurs)}; Optuna: ${JSON.stringify(r.paramsOptuna)}`);
  return rows;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const at = process.argv.indexOf('--only');
  const only = at > 0 ? process.argv[at + 1] : undefined;
  if (only !== undefined && only !== 'analytic' && only !== 'e2e') throw new Error(`--only: expected analytic or e2e (got ${only ?? 'nothing'})`);
  const check = spawnSync(PYTHON, ['-c', 'import optuna, sklearn; print(optuna.__version__, sklearn.__version__)'], { encoding: 'utf8' });
  if (check.status !== 0) {
    const why = check.error ? check.error.message : (check.stderr.trim().split('\n').pop() ?? '');
    throw new Error(`${PYTHON} cannot import optuna and scikit-learn (${why}): apt-get install python3-optuna python3-sklearn`);
  }
  const [optunaVersion, sklearnVersion] = check.stdout.trim().split(' ');
  console.log(
    `bench/tune — ModelOps vs Optuna ${optunaVersion} + scikit-learn ${sklearnVersion} (${PYTHON}), ${cpus().length} CPU(s), node ${process.version}${quick ? ', --quick' : ''}\n`,
  );
  const targets: Target[] = [];
  const result: Record<string, unknown> = { date: new Date().toISOString(), cpus: cpus().length, quick, optuna: optunaVersion, sklearn: sklearnVersion };
  if (only !== 'e2e') result.analytic = await partAnalytic(quick, targets);
  if (only !== 'analytic') {
    if (only !== 'e2e') console.log('');
    result.e2e = partE2e(quick, targets) ?? null;
  }
  console.log('\ntargets:');
  for (const t of targets) console.log(`  ${t.ok ? 'MET    ' : 'NOT MET'}  ${t.what}: ${t.detail}`);
  result.targets = targets;
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `tune-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`\nresults saved to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
