// bench/ml: ModelOps' random forest and kNN beside scikit-learn's (run by /usr/bin/python3 in the
// same bench run, n_jobs=1 and 2) on the same matrix and the same 5-fold indices. Prints score
// (accuracy or R²), fit and predict times, peak memory, the ratios and the targets.
// Run: `node bench/run.mjs ml` (add `--quick` to skip the 50,000-row set, `--only a,b` to run only those sets).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadDataset } from '../../src/ml/dataset/dataset';
import { makeClassification } from '../../src/ml/dataset/synthetic';
import { kFold } from '../../src/ml/dataset/split';
import { Ensemble } from '../../src/ml/ensemble/ensemble';
import { saveModel } from '../../src/ml/ensemble/model-package';
import { Preprocessor } from '../../src/ml/ensemble/preprocess';
import type { Matrix } from '../../src/ml/estimator';
import { takeMatrixRows } from '../../src/ml/estimator';
import { RandomForest } from '../../src/ml/forest/random-forest';
import { Knn } from '../../src/ml/knn/knn';

const PYTHON = '/usr/bin/python3';
const TARGETS: Record<string, string> = { iris: 'species', wine: 'cultivar', breast_cancer: 'diagnosis', diabetes: 'progression', churn: 'churned' };

interface Prepared {
  name: string;
  task: 'classification' | 'regression';
  X: Matrix;
  y: Float64Array;
}

interface Side {
  score: number[];
  fit: number[];
  predict: number[];
}
interface Result {
  rf: Side;
  knn: Side;
  maxrss_mb: number;
}

function prepare(name: string): Prepared {
  if (name === 'synthetic_50k') {
    const s = makeClassification({ nRows: 50_000, seed: 7 });
    const n = s.rows.length;
    const d = s.header.length;
    const data = new Float32Array(n * d);
    for (let c = 0; c < d; c++) for (let r = 0; r < n; r++) data[c * n + r] = s.rows[r][c];
    return { name, task: 'classification', X: { nRows: n, nCols: d, data }, y: Float64Array.from(s.labels) };
  }
  const ds = loadDataset(resolve('examples', `${name}.csv`), { target: TARGETS[name] });
  // Same matrix for both libraries: our preprocessing (median imputation, one-hot) on all rows.
  const X = Preprocessor.fit(ds.frame, ds.schema.features).transform(ds.frame);
  if (ds.target.labels) {
    const classes = [...new Set(ds.target.labels)].sort();
    return { name, task: 'classification', X, y: Float64Array.from(ds.target.labels, (l) => classes.indexOf(l)) };
  }
  return { name, task: 'regression', X, y: ds.target.values as Float64Array };
}

function score(task: string, truth: Float64Array, pred: Float64Array): number {
  if (task === 'classification') {
    let c = 0;
    for (let i = 0; i < truth.length; i++) if (truth[i] === pred[i]) c++;
    return c / truth.length;
  }
  let mean = 0;
  for (const v of truth) mean += v / truth.length;
  let se = 0;
  let st = 0;
  for (let i = 0; i < truth.length; i++) {
    se += (truth[i] - pred[i]) ** 2;
    st += (truth[i] - mean) ** 2;
  }
  return 1 - se / st;
}

/** Child-process mode: our estimators on one dataset, one thread count; prints JSON. */
async function ours(dataFile: string, foldsFile: string, threads: number): Promise<void> {
  const d = JSON.parse(readFileSync(dataFile, 'utf8')) as { task: 'classification' | 'regression'; n: number; d: number; colMajor: number[]; y: number[] };
  const folds = JSON.parse(readFileSync(foldsFile, 'utf8')) as { train: number[]; test: number[] }[];
  const X: Matrix = { nRows: d.n, nCols: d.d, data: Float32Array.from(d.colMajor) };
  const y = Float64Array.from(d.y);
  const out: Result = { rf: { score: [], fit: [], predict: [] }, knn: { score: [], fit: [], predict: [] }, maxrss_mb: 0 };
  {
    // One untimed warm-up (JIT compilation), as the peer warms up too.
    const f = folds[0];
    const Xtr = takeMatrixRows(X, f.train.slice(0, 500));
    const ytr = Float64Array.from(f.train.slice(0, 500), (i) => y[i]);
    const Xte = takeMatrixRows(X, f.test.slice(0, 200));
    const rf = new RandomForest(d.task, { seed: 0, nEstimators: 10 });
    await rf.fit(Xtr, ytr, { threads: 1 });
    rf.predict(Xte);
    const knn = new Knn(d.task);
    await knn.fit(Xtr, ytr);
    knn.predict(Xte);
  }
  for (const f of folds) {
    const Xtr = takeMatrixRows(X, f.train);
    const Xte = takeMatrixRows(X, f.test);
    const ytr = Float64Array.from(f.train, (i) => y[i]);
    const yte = Float64Array.from(f.test, (i) => y[i]);
    const rf = new RandomForest(d.task, { seed: 0 });
    let t = performance.now();
    await rf.fit(Xtr, ytr, { threads });
    out.rf.fit.push((performance.now() - t) / 1000);
    t = performance.now();
    const p = rf.predict(Xte);
    out.rf.predict.push((performance.now() - t) / 1000);
    out.rf.score.push(score(d.task, yte, p));
    if (threads === 1) {
      const knn = new Knn(d.task);
      t = performance.now();
      await knn.fit(Xtr, ytr);
      out.knn.fit.push((performance.now() - t) / 1000);
      t = performance.now();
      const q = knn.predict(Xte);
      out.knn.predict.push((performance.now() - t) / 1000);
      out.knn.score.push(score(d.task, yte, q));
    }
  }
  out.maxrss_mb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
const f3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
const ratio = (a: number, b: number): string => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : 'n/a');

function runChild(cmd: string, args: string[]): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Result;
}

function dirSize(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return ours(process.argv[3], process.argv[4], Number(process.argv[5]));
  const quick = process.argv.includes('--quick');
  const all = ['iris', 'wine', 'breast_cancer', 'diabetes', 'churn', ...(quick ? [] : ['synthetic_50k'])];
  const at = process.argv.indexOf('--only');
  const only = at > 0 ? (process.argv[at + 1] ?? '').split(',') : undefined;
  const unknown = only?.filter((n) => !all.includes(n)) ?? [];
  if (unknown.length) throw new Error(`--only: unknown set(s) ${unknown.join(', ')}; choose from ${all.join(', ')}`);
  const names = only ? all.filter((n) => only.includes(n)) : all;
  const work = mkdtempSync(join(tmpdir(), 'modelops-bench-ml-'));
  const sk = spawnSync(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' });
  if (sk.status !== 0) throw new Error(`${PYTHON} has no scikit-learn: apt-get install -y python3-sklearn`);
  console.log(`bench/ml — ModelOps vs scikit-learn ${sk.stdout.trim()} (${PYTHON}), ${cpus().length} CPU(s), node ${process.version}`);
  console.log('same matrix, same 5-fold indices (seed 42); RF 100 trees, default parameters; kNN k=5 on standardized features;');
  console.log('each side runs in its own process after one untimed warm-up fit/predict on 500 rows\n');
  const rows: Record<string, unknown>[] = [];
  const targets: { what: string; ok: boolean; detail: string }[] = [];
  try {
    for (const name of names) {
      const p = prepare(name);
      const folds = kFold(p.X.nRows, 5, 42, p.task === 'classification' ? p.y : undefined);
      const dataFile = join(work, `${name}.json`);
      const foldsFile = join(work, `${name}.folds.json`);
      const rowMajor: number[][] = [];
      for (let r = 0; r < p.X.nRows; r++) {
        const row: number[] = [];
        for (let c = 0; c < p.X.nCols; c++) row.push(p.X.data[c * p.X.nRows + r]);
        rowMajor.push(row);
      }
      writeFileSync(dataFile, JSON.stringify({ task: p.task, n: p.X.nRows, d: p.X.nCols, colMajor: Array.from(p.X.data), X: rowMajor, y: Array.from(p.y) }));
      writeFileSync(foldsFile, JSON.stringify(folds.map((f) => ({ train: Array.from(f.train), test: Array.from(f.test) }))));
      process.stderr.write(`${name}: ${p.X.nRows}×${p.X.nCols} ...\n`);
      const o1 = runChild(process.execPath, [__filename, '--child', dataFile, foldsFile, '1']);
      const o2 = runChild(process.execPath, [__filename, '--child', dataFile, foldsFile, '2']);
      const s1 = runChild(PYTHON, [join('bench', 'ml', 'peer_sklearn.py'), dataFile, foldsFile, '1']);
      const s2 = runChild(PYTHON, [join('bench', 'ml', 'peer_sklearn.py'), dataFile, foldsFile, '2']);
      const metric = p.task === 'classification' ? 'acc' : 'R²';
      const nTest = p.X.nRows; // every row is predicted once over the 5 folds
      rows.push({
        name,
        metric,
        rf: [mean(o1.rf.score), mean(s1.rf.score)],
        fit: [sum(o1.rf.fit), sum(o2.rf.fit), sum(s1.rf.fit), sum(s2.rf.fit)],
        pred: [nTest / sum(o1.rf.predict), nTest / sum(s1.rf.predict), nTest / sum(s2.rf.predict)],
        knn: [mean(o1.knn.score), mean(s1.knn.score)],
        knnPred: [sum(o1.knn.predict), sum(s1.knn.predict), sum(s2.knn.predict)],
        mem: [o1.maxrss_mb, o2.maxrss_mb, s1.maxrss_mb, s2.maxrss_mb],
      });
      const diff = mean(o1.rf.score) - mean(s1.rf.score);
      const tol = p.task === 'classification' ? 0.01 : 0.02;
      targets.push({
        what: `${name}: RF ${metric} within ${tol} of scikit-learn`,
        ok: diff >= -tol,
        detail: `${f3(mean(o1.rf.score))} vs ${f3(mean(s1.rf.score))} (${diff >= 0 ? '+' : ''}${diff.toFixed(3)})`,
      });
      targets.push({
        what: `${name}: kNN predict within 2× of scikit-learn`,
        ok: sum(o1.knn.predict) <= 2 * Math.min(sum(s1.knn.predict), sum(s2.knn.predict)),
        detail: `${f3(sum(o1.knn.predict))} s vs ${f3(Math.min(sum(s1.knn.predict), sum(s2.knn.predict)))} s`,
      });
      if (name === 'synthetic_50k') {
        targets.push({
          what: 'synthetic_50k: RF fit no slower than scikit-learn n_jobs=1',
          ok: sum(o2.rf.fit) <= sum(s1.rf.fit),
          detail: `ours ${f3(sum(o2.rf.fit))} s (2 threads), ${f3(sum(o1.rf.fit))} s (1 thread) vs ${f3(sum(s1.rf.fit))} s`,
        });
        const ourRate = nTest / sum(o1.rf.predict);
        const skRate = Math.max(nTest / sum(s1.rf.predict), nTest / sum(s2.rf.predict));
        targets.push({
          what: 'synthetic_50k: RF predict throughput ≥ scikit-learn',
          ok: ourRate >= skRate,
          detail: `${Math.round(ourRate)} vs ${Math.round(skRate)} rows/s (best of n_jobs 1, 2)`,
        });
        // Model size: 100 trees on all 50,000 rows, as saved.
        const rf = new RandomForest('classification', { seed: 0 });
        await rf.fit(p.X, p.y);
        const rfBytes = Buffer.byteLength(JSON.stringify(rf.toJSON()));
        const labels = Array.from(p.y, (v) => `c${v}`);
        const columns: Record<string, number[]> = {};
        for (let c = 0; c < p.X.nCols; c++) columns[`x${c}`] = Array.from(p.X.data.subarray(c * p.X.nRows, (c + 1) * p.X.nRows));
        const ens = await Ensemble.fit(
          { nRows: p.X.nRows, columns },
          { name: 'y', task: 'classification', labels },
          Object.keys(columns).map((n) => ({ name: n, kind: 'numeric' as const })),
          { members: [{ type: 'rf' }, { type: 'knn' }], seed: 0 },
        );
        const dir = join(work, 'model');
        saveModel(dir, ens);
        const onlyRf = await Ensemble.fit(
          { nRows: p.X.nRows, columns },
          { name: 'y', task: 'classification', labels },
          Object.keys(columns).map((n) => ({ name: n, kind: 'numeric' as const })),
          { members: [{ type: 'rf' }], seed: 0 },
        );
        const dirRf = join(work, 'model-rf');
        saveModel(dirRf, onlyRf);
        targets.push({
          what: '100-tree model on 50,000 rows under 5 MB on disk',
          ok: dirSize(dirRf) < 5e6,
          detail: `RF payload ${(rfBytes / 1e6).toFixed(2)} MB (${rf.nodeCount} nodes); model dir RF only ${(dirSize(dirRf) / 1e6).toFixed(2)} MB; RF+kNN ensemble ${(dirSize(dir) / 1e6).toFixed(2)} MB (kNN keeps its 50,000 training rows)`,
        });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const table = [
    [
      'dataset',
      'metric',
      'RF ours',
      'RF sk',
      'fit ours 1t',
      'fit ours 2t',
      'fit sk j1',
      'fit sk j2',
      'fit ratio (ours 2t / sk j1)',
      'pred rows/s ours',
      'pred sk j1',
      'pred sk j2',
      'kNN ours',
      'kNN sk',
      'kNN pred ours s',
      'kNN sk j1',
      'kNN sk j2',
      'kNN ratio',
      'peak MB ours 1t/2t',
      'peak MB sk j1/j2',
    ],
    ...rows.map((r) => {
      const rf = r.rf as number[];
      const fit = r.fit as number[];
      const pred = r.pred as number[];
      const knn = r.knn as number[];
      const kp = r.knnPred as number[];
      const mem = r.mem as number[];
      return [
        String(r.name),
        String(r.metric),
        f3(rf[0]),
        f3(rf[1]),
        f3(fit[0]),
        f3(fit[1]),
        f3(fit[2]),
        f3(fit[3]),
        ratio(fit[1], fit[2]),
        String(Math.round(pred[0])),
        String(Math.round(pred[1])),
        String(Math.round(pred[2])),
        f3(knn[0]),
        f3(knn[1]),
        f3(kp[0]),
        f3(kp[1]),
        f3(kp[2]),
        ratio(kp[0], Math.min(kp[1], kp[2])),
        `${Math.round(mem[0])}/${Math.round(mem[1])}`,
        `${Math.round(mem[2])}/${Math.round(mem[3])}`,
      ];
    }),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const r of table) console.log(r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  console.log('\nfit/predict times are totals over the 5 folds, in seconds; predict rows/s over all rows predicted once.\n');
  console.log('targets:');
  for (const t of targets) console.log(`  ${t.ok ? 'MET    ' : 'NOT MET'}  ${t.what}: ${t.detail}`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `ml-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), cpus: cpus().length, rows, targets }, null, 2));
  console.log(`\nresults saved to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
