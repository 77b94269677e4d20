/** Model registry entities, shaped like MLflow's (mlflow/entities/model_registry). */
import type { Stage } from './stages';
import type { Tag } from './tracking';

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

export interface ModelVersion {
  name: string;
  /** A positive integer, as a string (MLflow's REST shape). */
  version: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  currentStage: Stage;
  description: string;
  userId: string;
  source: string;
  runId: string;
  status: ModelVersionStatus;
  statusMessage: string;
  runLink: string;
  tags: Tag[];
  aliases: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string;
  /** The highest version in each stage (MLflow's `latest_versions`). */
  latestVersions: ModelVersion[];
  tags: Tag[];
  aliases: RegisteredModelAlias[];
}

/** What happened, in the audit trail. */
export type AuditAction = 'register' | 'validate' | 'transition' | 'approve' | 'reject' | 'archive' | 'alias_set' | 'alias_delete' | 'rename' | 'delete';

/** One row of the promotion audit trail (`modelops_registry_audit`). */
export interface AuditEntry {
  id: number;
  /** Milliseconds since the epoch. */
  time: number;
  /** OS user name, or the editor account name passed in by the extension. */
  actor: string;
  action: AuditAction;
  name: string;
  version: string | null;
  fromStage: string | null;
  toStage: string | null;
  alias: string | null;
  comment: string | null;
  /** The validation report the change relied on. */
  reportId: string | null;
}

/** What a caller supplies for an audit row; the store fills id, time and the model name/version. */
export interface AuditInput {
  actor: string;
  action?: AuditAction;
  comment?: string;
  reportId?: string;
}
