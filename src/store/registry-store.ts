import type { AuditEntry, AuditInput, ModelVersion, RegisteredModel } from '../core/registry';
import type { Stage } from '../core/stages';
import type { Page, Tag } from '../core/tracking';
import type { ValidationReport } from '../registry/report';

/** Audit input for a stage change, optionally guarded: the version must still be in `expectStage`. */
export type TransitionAudit = AuditInput & { expectStage?: Stage };

/** Audit input for a delete; with `keepProduction` it is refused while the version (or any version of the model) is in Production. */
export type DeleteAudit = AuditInput & { keepProduction?: boolean };

export interface SearchQuery {
  /** MLflow's search filter: `name = 'x'`, `name LIKE 'ch%'`, `run_id = '…'`, `tags.k = 'v'`, joined by AND. */
  filter?: string;
  maxResults?: number;
  /** e.g. `['name ASC']`, `['last_updated_timestamp DESC']`. */
  orderBy?: string[];
  pageToken?: string;
}

/** A stage change recorded with the validation report that caused it, in one transaction. */
export interface ValidationOutcome {
  report: ValidationReport;
  /** The stage the version goes to (may equal its current stage: nothing moves). */
  toStage: Stage;
}

/** A model's history made in another store, to copy (`modelops sync`). */
export interface RegistryHistory {
  /** Oldest first, as `getAuditTrail` gives it. */
  audit: AuditEntry[];
  reports: ValidationReport[];
}

/** A new version: the model's name, where its files are, the run it came from, and the audit of who made it. */
export interface CreateVersionOptions {
  name: string;
  source: string;
  runId?: string;
  tags?: Tag[];
  runLink?: string;
  description?: string;
  audit?: AuditInput;
}

/**
 * The model registry: MLflow's model-registry AbstractStore (same names, same semantics, same
 * messages), plus the audit trail and validation reports that MLflow has no table for.
 *
 * Every method that changes a stage or an alias takes an `audit` input and writes the audit row in
 * the same transaction as the change.
 */
export interface RegistryStore {
  // registered models
  createRegisteredModel(name: string, options?: { tags?: Tag[]; description?: string }): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  renameRegisteredModel(name: string, newName: string, audit?: AuditInput): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  deleteRegisteredModel(name: string, audit?: DeleteAudit): Promise<void>;
  searchRegisteredModels(query?: SearchQuery): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, tag: Tag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  /** The highest version in each requested stage (all stages when none given). */
  getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]>;

  // model versions
  createModelVersion(options: CreateVersionOptions): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  deleteModelVersion(name: string, version: string, audit?: DeleteAudit): Promise<void>;
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;
  searchModelVersions(query?: SearchQuery): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: Tag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /**
   * MLflow's `transition_model_version_stage`: `archiveExistingVersions` (only for Staging and
   * Production) moves every other version in the target stage to Archived in the same transaction.
   * No lifecycle policy here: callers (src/registry/promotion.ts) check it first.
   */
  transitionModelVersionStage(name: string, version: string, stage: string, archiveExistingVersions: boolean, audit?: TransitionAudit): Promise<ModelVersion>;

  // aliases: one version per alias
  setRegisteredModelAlias(name: string, alias: string, version: string, audit?: AuditInput): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string, audit?: AuditInput): Promise<void>;
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  // modelops extras (modelops_* tables)
  /** Audit trail of a model (of one version when given), oldest first. */
  getAuditTrail(name: string, version?: string): Promise<AuditEntry[]>;
  /** Records an event that changes no stage (a rejection, a failed validation). */
  recordAudit(name: string, version: string | null, audit: AuditInput): Promise<AuditEntry>;
  /** Stores the report, moves the version to `toStage` when it differs, writes the audit row: one transaction. */
  recordValidation(outcome: ValidationOutcome, audit: AuditInput): Promise<ModelVersion>;
  getValidationReport(reportId: string): Promise<ValidationReport>;
  /** Reports of one version, newest first. */
  listValidationReports(name: string, version: string): Promise<ValidationReport[]>;
  /**
   * Adds the audit entries (with their own times and actors) and reports of `history` that this store lacks, for
   * `modelops sync`; an entry is the same when everything but its id is. Returns how many were added.
   */
  importHistory(name: string, history: RegistryHistory): Promise<{ audit: number; reports: number }>;
}
