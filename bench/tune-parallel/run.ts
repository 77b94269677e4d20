// bench/tune-parallel: wall time of `modelops tune` (dist/cli.js) with --n-jobs 1 against --n-jobs 2
// (or more) for the same trials. The random sampler and no pruner make both sessions fit exactly
// the same params on the same folds, so the only difference is how many trials run at once.
// Run: `npm run build && node bench/run.mjs tune-parallel [--data FILE] [--target COL] [--trials N]
// [--jobs 1,2] [--repeats N]` (default examples/churn.csv, churned, 8 trials, 1 repeat). Prints
// the load average before and after: on a shared machine the figures move with it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const cli = resolve('dist', 'cli.js');
const data = resolve(arg('--data', join('examples', 'churn.csv')));
const target = arg('--target', 'churned');
const trials = arg('--trials', '8');
const jobs = arg('--jobs', '1,2').split(',').map(Number);
const repeats = Number(arg('--repeats', '1'));
const threads = arg('--threads', '');
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** One session in a fresh store; its wall time in seconds and its best value. */
function session(nJobs: number): { seconds: number; best: number; complete: number } {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-bench-njobs-'));
  try {
    const args = [
      cli,
      'tune',
      '--data',
      data,
      '--target',
      target,
      '--trials',
      trials,
      '--sampler',
      'random',
      '--pruner',
      'none',
      '--n-jobs',
      String(nJobs),
      '--json',
    ];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`--n-jobs ${nJobs} failed (${r.status}): ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { best?: { value: number }; trials: { state: string }[] };
    return { seconds, best: out.best?.value ?? NaN, complete: out.trials.filter((t) => t.state === 'COMPLETE').length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
  console.log(
    `bench/tune-parallel: ${data}, target ${target}, ${trials} trials (random sampler, no pruner), ${threads ? `--threads ${threads}` : 'default threads'}, ${availableParallelism()} core(s), node ${process.version}`,
  );
  console.log(`load average before: ${load()}`);
  const times = new Map<number, number[]>(jobs.map((j) => [j, []]));
  for (let r = 0; r < repeats; r++) {
    // Alternate the order so a change of load does not always favour the same setting.
    for (const j of r % 2 ? [...jobs].reverse() : jobs) {
      const s = session(j);
      times.get(j)!.push(s.seconds);
      console.log(`  --n-jobs ${j}: ${s.seconds.toFixed(2)} s, ${s.complete} complete, best ${s.best.toFixed(6)}`);
    }
  }
  const med = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  const base = med(times.get(jobs[0]!)!);
  for (const j of jobs)
    console.log(`--n-jobs ${j}: median ${med(times.get(j)!).toFixed(2)} s (${(base / med(times.get(j)!)).toFixed(2)}× of --n-jobs ${jobs[0]})`);
  console.log(`load average after: ${load()}`);
}

main();
