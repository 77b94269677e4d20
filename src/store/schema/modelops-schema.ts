/**
 * Tables for what MLflow has no table for, all prefixed `modelops_`. MLflow only checks
 * `alembic_version`, so it ignores them (and `mlflow db upgrade` leaves them alone).
 *
 * APPEND-ONLY, IN ORDER: to add tables, append your statements at the end of MODELOPS_SCHEMA_DDL
 * (one entry per statement, `CREATE TABLE IF NOT EXISTS modelops_<area>_<thing>` /
 * `CREATE INDEX IF NOT EXISTS ...`). Never edit or reorder an entry once committed: files already in
 * users' workspaces were created with it. A column added later needs a new, separate migration
 * entry in MODELOPS_MIGRATIONS below, not an edit here.
 *
 * The statements run on every new store, and on an existing MLflow-created file at its first write
 * (reads of such a file see the tables empty, created in memory only).
 */
export const MODELOPS_SCHEMA_DDL: readonly string[] = [
  // store (issue 2): key/value facts about the file, e.g. which modelops schema it carries.
  `CREATE TABLE IF NOT EXISTS modelops_meta (
  "key" VARCHAR(250) NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
)`,
  // --- append new tables below this line, with a comment naming the owning area ---
  // registry (issue 4): the promotion audit trail, one row per stage change, alias change, approval or rejection.
  `CREATE TABLE IF NOT EXISTS modelops_registry_audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time BIGINT NOT NULL,
  actor VARCHAR(256) NOT NULL,
  action VARCHAR(32) NOT NULL,
  name VARCHAR(256) NOT NULL,
  version INTEGER,
  from_stage VARCHAR(20),
  to_stage VARCHAR(20),
  alias VARCHAR(256),
  comment TEXT,
  report_id VARCHAR(36)
)`,
  `CREATE INDEX IF NOT EXISTS index_modelops_registry_audit_name_version ON modelops_registry_audit (name, version)`,
  // registry (issue 4): validation reports (each gate: expected, actual, outcome), referenced from the audit trail.
  `CREATE TABLE IF NOT EXISTS modelops_registry_validation_reports (
  report_id VARCHAR(36) NOT NULL PRIMARY KEY,
  name VARCHAR(256) NOT NULL,
  version INTEGER NOT NULL,
  created_time BIGINT NOT NULL,
  passed BOOLEAN NOT NULL,
  report TEXT NOT NULL
)`,
  `CREATE INDEX IF NOT EXISTS index_modelops_registry_validation_reports_name_version ON modelops_registry_validation_reports (name, version)`,
  // tuning: studies (Optuna's) and their trials; each trial is also a nested MLflow run.
  `CREATE TABLE IF NOT EXISTS modelops_tuning_studies (
  name VARCHAR(256) NOT NULL PRIMARY KEY,
  experiment_id INTEGER NOT NULL,
  direction VARCHAR(8) NOT NULL,
  metric VARCHAR(250) NOT NULL,
  sampler VARCHAR(32) NOT NULL,
  pruner VARCHAR(32) NOT NULL,
  search_space TEXT NOT NULL,
  settings TEXT NOT NULL,
  run_uuid VARCHAR(32) NOT NULL,
  created_time BIGINT NOT NULL
)`,
  `CREATE TABLE IF NOT EXISTS modelops_tuning_trials (
  study_name VARCHAR(256) NOT NULL,
  number INTEGER NOT NULL,
  state VARCHAR(8) NOT NULL,
  params TEXT NOT NULL,
  value DOUBLE PRECISION,
  intermediate TEXT NOT NULL,
  run_uuid VARCHAR(32),
  start_time BIGINT,
  end_time BIGINT,
  PRIMARY KEY (study_name, number)
)`,
];

/** Later schema changes to `modelops_*` tables: `[id, sql]`, applied once each, recorded in modelops_meta. */
export const MODELOPS_MIGRATIONS: readonly (readonly [string, string])[] = [
  // schema versions (issue 11): MLflow ≥ 3.10 keeps names unique per workspace; so do our rows about them.
  ['workspace-audit', "ALTER TABLE modelops_registry_audit ADD COLUMN workspace VARCHAR(63) NOT NULL DEFAULT 'default'"],
  ['workspace-reports', "ALTER TABLE modelops_registry_validation_reports ADD COLUMN workspace VARCHAR(63) NOT NULL DEFAULT 'default'"],
  ['workspace-studies', "ALTER TABLE modelops_tuning_studies ADD COLUMN workspace VARCHAR(63) NOT NULL DEFAULT 'default'"],
  // Why a FAIL trial failed (Optuna's fail_reason).
  ['trial-fail-reason', 'ALTER TABLE modelops_tuning_trials ADD COLUMN fail_reason TEXT'],
];
