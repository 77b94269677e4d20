// bench/predict: rows/s of `modelops predict` on 100,000 churn-like rows, beside scikit-learn's predict on
// the same model type (soft vote of a 100-tree random forest and 5-NN), trained on the same churn.csv.
// Run: `node bench/run.mjs predict [rows]` (build first with `npm run build` to include the CLI wall time).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { predict } from '../../src/pipeline/predict';
import { train } from '../../src/pipeline/train';
import { openStores } from '../../src/store/open';
import { example } from '../../test/repo-paths';

const ROWS = Number(process.argv[2] ?? 100_000);
const SOURCE = example('churn.csv');
const PYTHON = '/usr/bin/python3';

/** churn.csv's rows drawn with replacement (fixed seed), with fresh ids: same distributions, any size. */
function churnLike(rows: number): string {
  const lines = readFileSync(SOURCE, 'utf8').trim().split('\n');
  const header = lines[0]!;
  const body = lines.slice(1);
  let s = 12345;
  const rand = (): number => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const out = [header];
  for (let i = 0; i < rows; i++) {
    const row = body[Math.floor(rand() * body.length)]!;
    out.push(`X${String(i).padStart(6, '0')}${row.slice(row.indexOf(','))}`);
  }
  return out.join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-bench-predict-'));
  try {
    const data = join(dir, 'churn-like.csv');
    writeFileSync(data, churnLike(ROWS));
    const db = await openStores(join(dir, '.modelops', 'mlflow.db'));
    const { tracking } = db;
    process.stderr.write(`training the ensemble (rf 100 trees + knn 5) on ${SOURCE}...\n`);
    // One thread: the bundle has no forest worker script beside it (training time is not measured here).
    const trained = await train(tracking, { data: SOURCE, target: 'churned', cv: 0, seed: 42, workspace: dir, threads: 1 });
    const modelDir = await tracking.artifactLocalPath(trained.runId, 'model');
    await db.close();

    const ours: { score: number; total: number }[] = [];
    let predictions: (string | number)[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await predict(null, { model: modelDir, data, out: join(dir, 'ours.csv'), proba: true });
      ours.push({ score: r.summary.milliseconds / 1000, total: (performance.now() - t0) / 1000 });
      predictions = r.predictions;
    }
    // Two worker threads (the bundled worker script from `npm run build`).
    let parallelScore: number | undefined;
    const worker = join(resolve('dist'), 'predict-worker.js');
    if (existsSync(worker)) {
      process.env.MODELOPS_PREDICT_WORKER = worker;
      const r = await predict(null, { model: modelDir, data, threads: 2 });
      parallelScore = r.summary.milliseconds / 1000;
    }
    const cli = join(resolve('dist'), 'cli.js');
    let cliSeconds: number | undefined;
    if (existsSync(cli)) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [cli, 'predict', '--model', modelDir, '--data', data, '--out', join(dir, 'cli.csv'), '--proba'], {
        encoding: 'utf8',
      });
      if (r.status === 0) cliSeconds = (performance.now() - t0) / 1000;
      else process.stderr.write(`modelops predict failed: ${r.stderr}\n`);
    }

    process.stderr.write('running the scikit-learn peer...\n');
    // The peer trains on the same file; its timings cover prediction only (read → predict_proba → write).
    const peer = spawnSync(PYTHON, [join(__dirname, '..', '..', 'bench', 'predict', 'peer_sklearn.py'), SOURCE, data, join(dir, 'peer.csv'), 'churned'], {
      encoding: 'utf8',
      cwd: resolve('.'),
    });
    let sk: { score_s: number; end_to_end_s: number } | undefined;
    if (peer.status === 0) sk = JSON.parse(peer.stdout.trim().split('\n').at(-1)!) as { score_s: number; end_to_end_s: number };
    else process.stderr.write(`peer failed (is python3-sklearn installed for ${PYTHON}?): ${peer.stderr}\n`);

    let agreement: number | undefined;
    if (sk) {
      const peerLabels = readFileSync(join(dir, 'peer.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').at(-3));
      agreement = predictions.filter((p, i) => String(p) === peerLabels[i]).length / predictions.length;
    }

    const score = median(ours.map((o) => o.score));
    const total = median(ours.map((o) => o.total));
    const rate = (sec: number | undefined): string => (sec === undefined ? 'n/a' : `${Math.round(ROWS / sec).toLocaleString('en-US')} rows/s`);
    const pad = (s: string, n: number): string => s.padEnd(n);
    console.log(`\nbench/predict: ${ROWS.toLocaleString('en-US')} churn-like rows, ensemble rf(100 trees) + knn(5), soft vote; ${cpus().length} cores`);
    console.log(`${pad('measure', 46)}${pad('ModelOps', 22)}scikit-learn ${sk ? '(1.2, n_jobs=1)' : ''}`);
    console.log(`${pad('scoring only (predict_proba)', 46)}${pad(rate(score), 22)}${rate(sk?.score_s)}`);
    console.log(`${pad('scoring only, 2 worker threads', 46)}${pad(rate(parallelScore), 22)}`);
    console.log(`${pad('read CSV + check + score + write CSV', 46)}${pad(rate(total), 22)}${rate(sk?.end_to_end_s)}`);
    console.log(`${pad('`modelops predict` CLI wall time (node start)', 46)}${pad(rate(cliSeconds), 22)}`);
    if (agreement !== undefined) console.log(`prediction agreement with scikit-learn: ${(agreement * 100).toFixed(1)}%`);
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      join('bench', 'results', `predict-${Date.now()}.json`),
      JSON.stringify(
        { rows: ROWS, ours: { scoreSeconds: score, parallelScoreSeconds: parallelScore, endToEndSeconds: total, cliSeconds }, sklearn: sk ?? null, agreement },
        null,
        2,
      ) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
