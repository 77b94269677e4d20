import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPromotionReview } from '../../../../src/extension/webviews/promotion-data';
import { promoteModelVersion } from '../../../../src/pipeline/promote';
import { registerModel } from '../../../../src/pipeline/register';
import { retrain } from '../../../../src/pipeline/retrain';
import { train } from '../../../../src/pipeline/train';
import { promotionStateCheck } from '../../../../src/shared/promotion-protocol';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';
import { churnCsv } from '../../pipeline/workspace';

/** The Review panel's drift section reads what the retraining pipeline's step 1 measured, from the new version's training data. */
let dir: string;
let db: Stores;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-review-drift-'));
  db = await openStores(join(dir, '.modelops', 'mlflow.db'));
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a version the pipeline promoted to Staging carries the drift of its training data against Production', async () => {
  writeFileSync(join(dir, 'v1.csv'), churnCsv(600, 1));
  const first = await train(db.tracking, {
    data: join(dir, 'v1.csv'),
    target: 'churned',
    experiment: 'churn',
    cv: 0,
    params: { rf: { nEstimators: 10 } },
    threads: 1,
  });
  await registerModel(db, { runId: first.runId, name: 'churn', actor: 'alice', validation: { workspace: dir } });
  await promoteModelVersion(db, { name: 'churn', version: '1', approve: true, comment: 'v1', actor: 'alice' });
  writeFileSync(join(dir, 'v2.csv'), churnCsv(600, 2));
  const { report } = await retrain(db, { name: 'churn', data: 'v2.csv', actor: 'ci', workspace: dir });
  assert.deepEqual(report.registered, { version: '2', stage: 'Staging' });

  const review = await loadPromotionReview(db, 'churn', '2');
  promotionStateCheck({ status: 'ready', review }, 'state'); // what the panel accepts
  const training = review.candidate.datasets.find((d) => d.context === 'training');
  assert.equal(training?.driftReference, 'models:/churn/1');
  const measured = report.dataValidation.drift!.columns;
  assert.deepEqual(
    training?.drift,
    measured.map((d) => ({
      column: d.column,
      score: d.score,
      drifted: d.drifted,
      test: { ks: 'Kolmogorov–Smirnov', chisquare: 'chi-squared', wasserstein: 'Wasserstein (normed)', jensenshannon: 'Jensen–Shannon' }[d.test],
      threshold: d.threshold,
      psi: d.psi,
    })),
  );
  assert.equal(review.production?.datasets[0]?.drift, undefined, 'the first version was trained without a pipeline');
});
