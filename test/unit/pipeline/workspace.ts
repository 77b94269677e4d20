import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetFromText, frameToRows } from '../../../src/ml/dataset/dataset';
import { Ensemble } from '../../../src/ml/ensemble/ensemble';
import { saveModel } from '../../../src/ml/ensemble/model-package';
import type { MemberSpec } from '../../../src/ml/estimators';
import type { Stores } from '../../../src/pipeline/model-resolve';
import type { Stores as OpenedStores } from '../../../src/store/open';
import { openStores } from '../../../src/store/open';

/** Churn-like rows: churn is likely with many support tickets and the basic plan. Deterministic. */
export function churnCsv(rows: number, seed: number, options: { extraPlan?: string } = {}): string {
  let s = seed >>> 0 || 1;
  const rand = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const plans = ['basic', 'plus', 'pro'];
  const lines = ['customer_id,plan,tenure_months,support_tickets,monthly_charges,churned'];
  for (let i = 0; i < rows; i++) {
    const plan = options.extraPlan && i % 10 === 3 ? options.extraPlan : plans[Math.floor(rand() * 3)]!;
    const tickets = Math.floor(rand() * 6);
    const tenure = 1 + Math.floor(rand() * 60);
    const charges = (20 + rand() * 80).toFixed(2);
    const risk = tickets / 5 + (plan === 'basic' ? 0.3 : 0) - tenure / 120 + (rand() - 0.5) * 0.3;
    lines.push(`C${String(i).padStart(5, '0')},${plan},${tenure},${tickets},${charges},${risk > 0.45 ? 'yes' : 'no'}`);
  }
  return lines.join('\n') + '\n';
}

export const GOOD: MemberSpec[] = [{ type: 'rf', params: { nEstimators: 15 } }];
export const WEAK: MemberSpec[] = [{ type: 'dummy' }];

export interface TestWorkspace {
  dir: string;
  stores: Stores;
  /** Every store of the workspace file (its path: `db.file.path`). */
  db: OpenedStores;
  /** Trains on fresh churn-like rows, logs the model under the run's `model/` artifact, returns the run id. */
  trainRun(
    members: MemberSpec[],
    options?: { seed?: number; dropColumn?: string; metrics?: Record<string, number>; example?: boolean; target?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function openWorkspace(): Promise<TestWorkspace> {
  const dir = mkdtempSync(join(tmpdir(), 'modelops-pipeline-'));
  const db = await openStores(join(dir, '.modelops', 'mlflow.db'));
  const { tracking, registry } = db;
  const experimentId = await tracking.createExperiment('churn');
  writeFileSync(join(dir, 'holdout.csv'), churnCsv(200, 99));
  let n = 0;
  return {
    dir,
    db,
    stores: { tracking, registry },
    async trainRun(members, options = {}) {
      let text = churnCsv(400, options.seed ?? 7);
      if (options.dropColumn) {
        const rows = text
          .trim()
          .split('\n')
          .map((l) => l.split(','));
        const c = rows[0]!.indexOf(options.dropColumn);
        text = rows.map((r) => r.filter((_, i) => i !== c).join(',')).join('\n') + '\n';
      }
      const data = datasetFromText(text, 'train.csv', { target: options.target ?? 'churned' });
      const model = await Ensemble.fit(data.frame, data.target, data.schema.features, { members, seed: 1, threads: 1 });
      const run = await tracking.createRun({ experimentId });
      const out = join(dir, `tmp-model-${n++}`, 'model');
      mkdirSync(out, { recursive: true });
      const example = options.example ? frameToRows(data.frame, 5) : undefined;
      saveModel(out, model, { runId: run.info.runId, ...(example ? { inputExample: example } : {}) });
      await tracking.logArtifact(run.info.runId, out);
      if (options.metrics) {
        await tracking.logBatch(run.info.runId, {
          metrics: Object.entries(options.metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
        });
      }
      await tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
      return run.info.runId;
    },
    async close() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function writeGates(ws: TestWorkspace, gates: unknown): void {
  mkdirSync(join(ws.dir, '.modelops'), { recursive: true });
  writeFileSync(join(ws.dir, '.modelops', 'gates.json'), JSON.stringify(gates));
}
