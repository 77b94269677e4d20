/**
 * min and max of one metric over every step, for every active run of an experiment, in one
 * aggregate query over MLflow's `metrics` table. The TrackingStore has no such call: reading each
 * run's history instead costs one indexed scan of the key per run (about 15 s for 10,000 runs
 * here), so the runs table uses this when its store is a workspace file, and the histories
 * otherwise (an MLflow server). No vscode import.
 */
import type { StoreFile } from '../../store/sql/store-file';

export type RangeQuery = (key: string) => Promise<Map<string, { min: number; max: number }>>;

export function fileRangeQuery(file: StoreFile, experimentId: string): RangeQuery {
  return (key) =>
    file.read((db) => {
      const rows = db.all(
        `SELECT m.run_uuid AS id, MIN(m.value) AS lo, MAX(m.value) AS hi FROM metrics m JOIN runs r ON r.run_uuid = m.run_uuid
         WHERE m."key" = ? AND m.is_nan = 0 AND r.experiment_id = ? AND r.lifecycle_stage = 'active' GROUP BY m.run_uuid`,
        [key, Number(experimentId)],
      );
      return new Map(rows.map((r) => [String(r.id), { min: Number(r.lo), max: Number(r.hi) }]));
    });
}
