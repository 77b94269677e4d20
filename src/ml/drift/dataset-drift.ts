import type { Cell } from '../dataset/dataset';
import type { ColumnDrift } from './column-drift';
import { columnDrift } from './column-drift';
import type { TrainingProfile } from './sketch';
import { categoryValues, numericValues } from './sketch';

/** Evidently's `drift_share`: the dataset drifts when at least this share of its columns do. */
export const DEFAULT_DRIFT_SHARE = 0.5;

export interface DriftOptions {
  share?: number;
  /** Per column: a threshold replacing the test's default, or the column left out. */
  columns?: Readonly<Record<string, { threshold?: number; ignore?: boolean }>>;
}

export interface DatasetDrift {
  referenceRows: number;
  columns: ColumnDrift[];
  /** Columns of the reference not tested, and why. */
  skipped: { column: string; reason: string }[];
  drifted: number;
  total: number;
  share: number;
  shareThreshold: number;
  datasetDrifted: boolean;
}

/**
 * The drift of the new data against a model's training profile, column by column (every feature
 * the model was trained on), and of the dataset as a whole.
 */
export function datasetDrift(profile: TrainingProfile, cellsOf: (column: string) => ArrayLike<Cell> | undefined, options: DriftOptions = {}): DatasetDrift {
  const columns: ColumnDrift[] = [];
  const skipped: DatasetDrift['skipped'] = [];
  for (const ref of profile.columns) {
    const own = options.columns?.[ref.name];
    if (own?.ignore) {
      skipped.push({ column: ref.name, reason: 'ignored by the pipeline file' });
      continue;
    }
    const cells = cellsOf(ref.name);
    if (!cells) {
      skipped.push({ column: ref.name, reason: 'not in the new data' });
      continue;
    }
    const values = ref.kind === 'numeric' ? numericValues(cells).values : categoryValues(cells, ref.kind).values;
    if (values.length === 0 || ref.count === 0) {
      skipped.push({ column: ref.name, reason: values.length === 0 ? 'no values in the new data' : 'no values in the training data' });
      continue;
    }
    columns.push(columnDrift(ref, values, own?.threshold));
  }
  const drifted = columns.filter((c) => c.drifted).length;
  const shareThreshold = options.share ?? DEFAULT_DRIFT_SHARE;
  const share = columns.length === 0 ? 0 : drifted / columns.length;
  return {
    referenceRows: profile.rows,
    columns,
    skipped,
    drifted,
    total: columns.length,
    share,
    shareThreshold,
    datasetDrifted: columns.length > 0 && share >= shareThreshold,
  };
}
