/** Classification metrics, defined as scikit-learn defines them (macro averages, OvR AUC). */

export interface ClassificationMetrics {
  accuracy: number;
  balanced_accuracy: number;
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  /** NaN when it is undefined (a class absent from the evaluated rows). */
  roc_auc: number;
  log_loss: number;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) m[yTrue[i]][yPred[i]]++;
  return m;
}

/** Area under the ROC curve of scores for a binary target (ties get half credit). */
/** 1 where the row is of class `c` (typed: a large test fold makes no boxed list per class). */
function oneVsRest(yTrue: ArrayLike<number>, c: number): Uint8Array {
  const out = new Uint8Array(yTrue.length);
  for (let i = 0; i < out.length; i++) out[i] = yTrue[i] === c ? 1 : 0;
  return out;
}

function classColumn(proba: Float64Array, n: number, k: number, c: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = proba[i * k + c]!;
  return out;
}

/** `positive`: per row, whether (true or 1) it is of the positive class. */
export function binaryAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  const n = score.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++)
      if (positive[order[t]]) {
        nPos++;
        rankSum += avgRank;
      }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** ROC curve points (false positive rate, true positive rate) of one class against the rest. */
/** `positive`: per row, whether (true or 1) it is of the positive class. */
export function rocCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): { fpr: number[]; tpr: number[] } {
  const n = score.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => score[b] - score[a]);
  let P = 0;
  for (let i = 0; i < n; i++) if (positive[i]) P++;
  const N = n - P;
  const fpr = [0];
  const tpr = [0];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < n; i++) {
    if (positive[order[i]]) tp++;
    else fp++;
    if (i + 1 === n || score[order[i + 1]] !== score[order[i]]) {
      fpr.push(N ? fp / N : 0);
      tpr.push(P ? tp / P : 0);
    }
  }
  return { fpr, tpr };
}

/**
 * @param yTrue class index per row
 * @param proba row-major n × k probabilities
 */
export function classificationMetrics(yTrue: ArrayLike<number>, proba: Float64Array, k: number): ClassificationMetrics {
  const n = yTrue.length;
  const yPred = new Int32Array(n);
  let correct = 0;
  let ll = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (proba[i * k + j] > proba[i * k + best]) best = j;
    yPred[i] = best;
    if (best === yTrue[i]) correct++;
    let s = 0;
    for (let j = 0; j < k; j++) s += proba[i * k + j];
    const p = Math.min(1 - 1e-15, Math.max(1e-15, proba[i * k + yTrue[i]] / (s || 1)));
    ll -= Math.log(p);
  }
  const cm = confusionMatrix(yTrue, yPred, k);
  const present: number[] = [];
  for (let c = 0; c < k; c++) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < k; j++) {
      row += cm[c][j];
      col += cm[j][c];
    }
    if (row > 0 || col > 0) present.push(c);
  }
  let prec = 0;
  let rec = 0;
  let f1 = 0;
  let bal = 0;
  let nTrueClasses = 0;
  for (const c of present) {
    let row = 0;
    let col = 0;
    for (let j = 0; j < k; j++) {
      row += cm[c][j];
      col += cm[j][c];
    }
    const tp = cm[c][c];
    const p = col ? tp / col : 0;
    const r = row ? tp / row : 0;
    prec += p;
    rec += r;
    f1 += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    if (row > 0) {
      bal += r;
      nTrueClasses++;
    }
  }
  let auc: number;
  if (k === 2) {
    auc = binaryAuc(oneVsRest(yTrue, 1), classColumn(proba, n, 2, 1));
  } else {
    let s = 0;
    for (let c = 0; c < k; c++) s += binaryAuc(oneVsRest(yTrue, c), classColumn(proba, n, k, c));
    auc = s / k;
  }
  const m = present.length || 1;
  return {
    accuracy: correct / n,
    balanced_accuracy: nTrueClasses ? bal / nTrueClasses : 0,
    precision_macro: prec / m,
    recall_macro: rec / m,
    f1_macro: f1 / m,
    roc_auc: auc,
    log_loss: ll / n,
  };
}
