// bench/pruners: the time our pruners take to decide, beside Optuna's (run by /usr/bin/python3 in the
// same bench run), on one synthetic study: x uniform in [0, 1] (random sampler), maximised, each
// trial reporting x·(1 + s/steps) at steps 0..steps−1 and asking the pruner after each report.
// Prints ms of pruner time per trial (summed over its reports) and the trials pruned on each side
// (the x streams differ, so the counts are close, not equal).
// Run: `node bench/run.mjs pruners [--trials 1000] [--steps 3]`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { PRUNERS } from '../../src/tuning/catalogue';
import { RandomSampler } from '../../src/tuning/samplers/random';
import { Study } from '../../src/tuning/study';

const PYTHON = '/usr/bin/python3';
const NAMES = ['median', 'successive-halving', 'hyperband'];

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}

async function ours(name: string, n: number, steps: number): Promise<{ msPerTrial: number; pruned: number }> {
  const pruner = PRUNERS.find((p) => p.name === name)!.create({ seed: 1, study: 'bench' });
  const study = new Study({ name: 'bench', direction: 'maximize', space: { x: { type: 'float', low: 0, high: 1 } }, sampler: new RandomSampler(1), pruner });
  let ms = 0;
  const decide = study.shouldPrune.bind(study);
  study.shouldPrune = (t) => {
    const t0 = performance.now();
    const stop = decide(t);
    ms += performance.now() - t0;
    return stop;
  };
  await study.optimize(
    async (t) => {
      const x = t.params.x as number;
      for (let s = 0; s < steps; s++) await t.report(s, x * (1 + s / steps));
      return x;
    },
    { nTrials: n },
  );
  return { msPerTrial: ms / n, pruned: study.trials.filter((t) => t.state === 'PRUNED').length };
}

async function main(): Promise<void> {
  const n = arg('--trials', 1000);
  const steps = arg('--steps', 3);
  const peer = spawnSync(PYTHON, [join('bench', 'pruners', 'peer_optuna.py'), String(n), String(steps), NAMES.join(',')], { encoding: 'utf8' });
  if (peer.status !== 0)
    throw new Error(`${PYTHON} bench/pruners/peer_optuna.py failed (apt-get install python3-optuna?): ${peer.stderr.trim().split('\n').pop() ?? ''}`);
  const theirs = JSON.parse(peer.stdout) as { optuna: string; runs: Record<string, { msPerTrial: number; pruned: number }> };
  console.log(
    `bench/pruners — ${n} trials × ${steps} steps, ModelOps vs Optuna ${theirs.optuna}; ${cpus().length} CPU(s), load ${loadavg()[0].toFixed(1)}, node ${process.version}`,
  );
  console.log('pruner               ms/trial ours / Optuna   pruned ours / Optuna');
  const rows: Record<string, unknown> = {};
  for (const name of NAMES) {
    const o = await ours(name, n, steps);
    const t = theirs.runs[name];
    rows[name] = { ours: o, optuna: t };
    console.log(
      `${name.padEnd(20)} ${o.msPerTrial.toFixed(3).padStart(8)} / ${t.msPerTrial.toFixed(3).padEnd(13)} ${String(o.pruned).padStart(6)} / ${t.pruned}`,
    );
  }
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `pruners-${Date.now()}.json`);
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), trials: n, steps, optuna: theirs.optuna, load: loadavg()[0], rows }, null, 2)}\n`);
  console.log(`results saved to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
