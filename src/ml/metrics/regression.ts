export interface RegressionMetrics {
  rmse: number;
  mae: number;
  r2: number;
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i] / n;
  let se = 0;
  let ae = 0;
  let st = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    se += e * e;
    ae += Math.abs(e);
    st += (yTrue[i] - mean) ** 2;
  }
  // scikit-learn: R² is 1 for a perfect fit of a constant target, 0 otherwise.
  const r2 = st === 0 ? (se === 0 ? 1 : 0) : 1 - se / st;
  return { rmse: Math.sqrt(se / n), mae: ae / n, r2 };
}
