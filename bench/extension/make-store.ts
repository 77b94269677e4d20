// Writes a store with `n` finished runs in one experiment (one transaction of raw inserts: going
// through createRun 10,000 times would time the store's durability, not the tree).
import { randomBytes } from 'node:crypto';
import { openStores } from '../../src/store/open';

export async function makeStore(file: string, n: number): Promise<string> {
  const stores = await openStores(file);
  const db = stores.file!;
  try {
    const experimentId = await stores.tracking.createExperiment('bench-10k');
    const artifactRoot = db.artifactRoot;
    await db.write((sql) => {
      const t0 = Date.UTC(2026, 0, 1);
      const run = `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
           source_version, lifecycle_stage, artifact_uri, experiment_id) VALUES (?, ?, 'LOCAL', 'bench', '', 'bench', 'FINISHED', ?, ?, '', 'active', ?, ?)`;
      const tag = 'INSERT INTO tags ("key", value, run_uuid) VALUES (?, ?, ?)';
      const param = 'INSERT INTO params ("key", value, run_uuid) VALUES (?, ?, ?)';
      const metric = 'INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, 0, 0)';
      const latest = 'INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, 0, 0, ?)';
      for (let i = 0; i < n; i++) {
        const id = randomBytes(16).toString('hex');
        const start = t0 + i * 1000;
        const name = `run-${String(i).padStart(5, '0')}`;
        sql.run(run, [id, name, start, start + 900, `${artifactRoot}/${experimentId}/${id}/artifacts`, Number(experimentId)]);
        sql.run(tag, ['mlflow.runName', name, id]);
        sql.run(param, ['models', 'rf,knn', id]);
        sql.run(param, ['rf.nEstimators', String(50 + (i % 5) * 50), id]);
        for (const [k, v] of [
          ['accuracy', 0.8 + (i % 200) / 1000],
          ['f1_macro', 0.78 + (i % 150) / 1000],
        ] as const) {
          sql.run(metric, [k, v, start, id]);
          sql.run(latest, [k, v, start, id]);
        }
      }
    });
    return experimentId;
  } finally {
    await stores.close();
  }
}
