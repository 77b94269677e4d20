// The runs table's host side on a real store: 10,000 runs × 200 columns (100 params, 90 metrics,
// 10 tags) in one experiment, read, filtered and summarised as the panel does. Bundled and run by
// bench/webview/run.mjs on the Node it is given (node:sqlite where that Node has it, as the
// extension host of VS Code does). Prints one JSON line of figures.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExperimentRuns } from '../../src/extension/webviews/runs-data';
import { openStores } from '../../src/store/open';

interface Spec {
  file: string;
  runs: number;
  params: number;
  metrics: number;
  tags: number;
}

/** Raw inserts in one transaction (createRun 10,000 times would time the store's durability, not the table). */
async function build(spec: Spec): Promise<void> {
  mkdirSync(dirname(spec.file), { recursive: true });
  const tmp = `${spec.file}.building`;
  rmSync(tmp, { force: true });
  const stores = await openStores(tmp);
  try {
    const experimentId = await stores.tracking.createExperiment('bench-table');
    await stores.file!.write((sql) => {
      const t0 = Date.UTC(2026, 0, 1);
      for (let i = 0; i < spec.runs; i++) {
        const id = randomBytes(16).toString('hex');
        const start = t0 + i * 1000;
        sql.run(
          `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time, source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', 'bench', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)`,
          [id, `run-${i}`, start, start + 900, `/tmp/none/${id}`, Number(experimentId)],
        );
        sql.run('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', ['mlflow.runName', `run-${i}`, id]);
        for (let k = 0; k < spec.tags; k++) sql.run('INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)', [`tag_${k}`, `v${(i + k) % 7}`, id]);
        for (let k = 0; k < spec.params; k++)
          sql.run('INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)', [
            k === 0 ? 'model' : `param_${k}`,
            k === 0 ? (i % 2 ? 'knn' : 'rf') : String((i * (k + 1)) % 13),
            id,
          ]);
        for (let k = 0; k < spec.metrics; k++) {
          const v = ((i * 31 + k * 17) % 1000) / 100;
          // Two steps, so min and max differ from the latest value.
          sql.run('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)', [`metric_${k}`, v / 2, start, id]);
          sql.run('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 1, 0)', [`metric_${k}`, v, start + 1, id]);
          sql.run('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 1, 0, ?)', [`metric_${k}`, v, start + 1, id]);
        }
      }
    });
  } finally {
    await stores.close();
  }
  renameSync(tmp, spec.file);
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const v = await fn();
  return [v, performance.now() - t0];
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
  let built = 0;
  if (!existsSync(spec.file)) [, built] = await time(() => build(spec));
  const stores = await openStores(spec.file, { create: false });
  try {
    const experiment = (await stores.tracking.getExperimentByName('bench-table'))!;
    const runs = new ExperimentRuns(stores.tracking, experiment.experimentId, undefined, (key) => stores.tracking.metricRanges!(experiment.experimentId, key));
    const slow = new ExperimentRuns(stores.tracking, experiment.experimentId);
    let firstPage = 0;
    const t0 = performance.now();
    await runs.load(() => {
      if (!firstPage) firstPage = performance.now() - t0;
    });
    const loadAll = performance.now() - t0;
    // What the page pulls, serialised as postMessage does.
    const [bytes, pull] = await time(async () => {
      let n = 0;
      let since = 0;
      for (;;) {
        const c = runs.changesSince(since);
        n += JSON.stringify(c).length;
        since = c.stamp;
        if (!c.more) return n;
      }
    });
    const filters = ['metrics.metric_1 > 5', "params.model = 'rf'", "attributes.run_name ILIKE '%run-99%'"];
    const filtered: { filter: string; matched: number; ms: number }[] = [];
    for (const f of filters) {
      const [ids, ms] = await time(() => runs.matching(f));
      filtered.push({ filter: f, matched: ids.length, ms });
    }
    const [, range] = await time(() => runs.metricRange('metric_0'));
    // Without the aggregate query (a store that is an MLflow server): every run's history read.
    await slow.load(() => undefined);
    const [, rangeByHistory] = await time(() => slow.metricRange('metric_0'));
    const [, refresh] = await time(() => runs.refresh(Date.now() + 120_000));
    console.log(
      JSON.stringify({ engine: stores.file?.engine.name, runs: runs.size, built, firstPage, loadAll, pull, bytes, filtered, range, rangeByHistory, refresh }),
    );
  } finally {
    await stores.close();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
