import { ModelOpsError } from '../../core/errors';
import { REVISION_CHAIN } from './mlflow-ddl.generated';

/**
 * The one table of MLflow schema revisions the product knows: each release head (the alembic
 * revision a set of MLflow releases leaves a store at), oldest first, from
 * test/fixtures/mlflow/schemas/release-heads.tsv. Opening a store, `modelops db info|upgrade`,
 * `--schema` and the tests all read it.
 */
export interface MlflowHead {
  /** Short name, as `--schema` takes it: '2.10', '3.13'. */
  label: string;
  revision: string;
  /** The releases that have this head, for people: '2.10.0–2.12.2'. */
  releases: string;
  /** The same, as inclusive [first, last] version ranges. */
  ranges: readonly (readonly [string, string])[];
}

const head = (label: string, revision: string, ...ranges: [string, string][]): MlflowHead => ({
  label,
  revision,
  ranges,
  releases: ranges.map(([a, b]) => (a === b ? a : `${a}–${b}`)).join(', '),
});

export const MLFLOW_HEADS: readonly MlflowHead[] = [
  head('2.10', 'acf3f17fdcc7', ['2.10.0', '2.12.2']),
  head('2.13.0', '867495a8f9d4', ['2.13.0', '2.13.0']),
  head('2.14', '5b0e9adcef9c', ['2.13.1', '2.14.3']),
  head('2.16', '4465047574b1', ['2.15.0', '2.16.2']),
  head('2.17', 'f5a4f2784254', ['2.17.0', '2.17.2']),
  head('2.22', '0584bdc529eb', ['2.18.0', '2.22.x']),
  head('3.0', '6953534de441', ['3.0.0', '3.0.0'], ['3.1.0', '3.1.0']),
  head('3.1', 'bda7b8c39065', ['3.0.1', '3.0.x'], ['3.1.1', '3.1.4']),
  head('3.2', '770bee3ae1dd', ['3.2.0', '3.2.x']),
  head('3.3', '1a0cddfcaa16', ['3.3.0', '3.3.2']),
  head('3.4', '71994744cf8e', ['3.4.0', '3.4.x']),
  head('3.7', 'bf29a5ff90ea', ['3.5.0', '3.7.x']),
  head('3.8', '1bd49d398cd23', ['3.8.0', '3.8.1']),
  head('3.9', 'd3e4f5a6b7c8', ['3.9.0', '3.9.x']),
  head('3.10', '1b5f0d9ad7c1', ['3.10.0', '3.10.1']),
  head('3.11', 'c3d6457b6d8a', ['3.11.1', '3.11.x']),
  head('3.12', '7d34483879f0', ['3.12.0', '3.12.x']),
  head('3.13', 'da6fb0208061', ['3.13.0', '3.13.x']),
];

/** The head new stores get: the newest the product knows, so a current MLflow opens them without migrating. */
export const NEWEST_HEAD: MlflowHead = MLFLOW_HEADS[MLFLOW_HEADS.length - 1]!;

/** The MLflow REST API `modelops server` speaks (its GET /version). */
export const SERVER_API_HEAD: MlflowHead = MLFLOW_HEADS[0]!;
export const SERVER_API_RELEASE = '2.10.2';

export function headOfRevision(revision: string): MlflowHead | undefined {
  return MLFLOW_HEADS.find((h) => h.revision === revision);
}

/** Position in MLflow's revision chain (2.10.2's head = 0), or undefined for a revision the product has never seen. */
export function chainPosition(revision: string): number | undefined {
  const i = REVISION_CHAIN.indexOf(revision);
  return i < 0 ? undefined : i;
}

function versionKey(v: string): number[] {
  return v.split('.').map((p) => (p === 'x' ? Number.MAX_SAFE_INTEGER : Number(p)));
}

function compareVersions(a: string, b: string): number {
  const x = versionKey(a);
  const y = versionKey(b);
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The head an MLflow release (or a head's label) leaves a store at: '2.17.1' → 2.17's, '3.13' → 3.13's. */
export function headForRelease(release: string): MlflowHead {
  const r = release.trim();
  const byLabel = MLFLOW_HEADS.find((h) => h.label === r);
  if (byLabel) return byLabel;
  if (!/^\d+\.\d+(\.\d+)?$/.test(r)) throw unknownRelease(release);
  const full = r.split('.').length === 2 ? `${r}.0` : r;
  const found = MLFLOW_HEADS.find((h) => h.ranges.some(([a, b]) => compareVersions(full, a) >= 0 && compareVersions(full, b) <= 0));
  if (!found) throw unknownRelease(release);
  return found;
}

function unknownRelease(release: string): ModelOpsError {
  return new ModelOpsError(
    'INVALID_PARAMETER_VALUE',
    `unknown MLflow release '${release}': the product knows the schemas of MLflow ${MLFLOW_HEADS[0]!.ranges[0]![0]} to ${NEWEST_HEAD.label} (${MLFLOW_HEADS.map((h) => h.label).join(', ')})`,
    { location: 'schema' },
  );
}
