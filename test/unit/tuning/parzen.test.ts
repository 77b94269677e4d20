import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Column } from '../../../src/tuning/samplers/parzen';
import { buildParzen, erf, logPdfParzen } from '../../../src/tuning/samplers/parzen';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const cdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

describe('Parzen estimator kernels', () => {
  test('a density divides by σ, a height does not (the prior alone: σ = the range of 4)', () => {
    // With no observations the estimator is its prior: a normal at 0 with σ = 4, truncated to [−2, 2].
    const x: Column = { d: { type: 'float', low: -2, high: 2 }, values: [] };
    const logZ = Math.log(cdf(0.5) - cdf(-0.5));
    for (const at of [0, 1.2]) {
      const q = -0.5 * (at / 4) ** 2 - LOG_SQRT_2PI - logZ;
      const density = logPdfParzen(buildParzen([x], 1, { scott: false, height: false }), [at]);
      const height = logPdfParzen(buildParzen([x], 1, { scott: false, height: true }), [at]);
      assert.ok(Math.abs(density - (q - Math.log(4))) < 1e-9, `density at ${at}: ${density}`);
      assert.ok(Math.abs(height - q) < 1e-9, `height at ${at}: ${height}`);
    }
  });

  test('stepped params are scored by their mass either way', () => {
    const n: Column = { d: { type: 'int', low: 1, high: 9 }, values: [3, 4, 7] };
    for (const v of [1, 4, 9])
      assert.equal(
        logPdfParzen(buildParzen([n], 1, { scott: false, height: true }), [v]),
        logPdfParzen(buildParzen([n], 1, { scott: false, height: false }), [v]),
      );
  });
});
