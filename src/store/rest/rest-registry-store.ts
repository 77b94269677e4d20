import { ModelOpsError } from '../../core/errors';
import { modelVersionFromJson, registeredModelFromJson } from '../../core/mlflow-wire';
import type { AuditEntry, AuditInput, ModelVersion, RegisteredModel } from '../../core/registry';
import { STAGES, canonicalStage, transitionTarget } from '../../core/stages';
import type { Page, Tag } from '../../core/tracking';
import type { ValidationReport } from '../../registry/report';
import { reportsOf, REPORT_TAG_PREFIX } from '../../registry/registry-tags';
import type { CreateVersionOptions, DeleteAudit, RegistryHistory, RegistryStore, SearchQuery, TransitionAudit, ValidationOutcome } from '../registry-store';
import { validateAlias, validateModelName, validateTag, validateTagKey, validateVersion } from '../sqlite/registry-rows';
import type { TrackingStore } from '../tracking-store';
import type { MlflowClient } from './mlflow-client';
import { RegistryHistoryWriter } from './registry-history';
import type { LedgerEntry } from './registry-ledger';
import { RegistryLedger } from './registry-ledger';
import { StageMover } from './stage-mover';

/**
 * The model registry on an MLflow tracking server (MLflow 2.10.2's REST API): models, versions, stages with
 * `archive_existing_versions`, aliases, tags and paged searches are MLflow's own; what MLflow has no table for is kept
 * as MLflow data on the server — the audit trail in ledger runs (registry-ledger.ts), validation reports and stage
 * requests as version tags (src/registry/registry-tags.ts) — so every workspace on the server sees the same history.
 *
 * MLflow has no transactions across calls: a change is made first and its audit entry appended right after; a stage
 * change the product asks for (validation → Staging, approval → Production) is announced on the version first
 * (stage-mover.ts), which is what lets `modelops server` accept it. The actor is the user the server authenticates
 * (basic auth) when there is one.
 */
export class RestRegistryStore implements RegistryStore {
  private readonly ledger: RegistryLedger;
  private readonly mover: StageMover;
  private readonly history: RegistryHistoryWriter;

  constructor(
    private readonly client: MlflowClient,
    tracking: TrackingStore,
  ) {
    this.ledger = new RegistryLedger(tracking);
    this.mover = new StageMover(
      client,
      this.ledger,
      (a) => this.actor(a),
      (n, v) => this.getModelVersion(n, v),
      (n) => this.versionsOf(n),
    );
    this.history = new RegistryHistoryWriter(
      this.ledger,
      (n, v) => this.getModelVersion(n, v),
      (n, v, t) => this.setModelVersionTag(n, v, t),
    );
  }

  /** Who acts: the server's authenticated user when the client has one, else who the caller says. */
  private actor(audit: AuditInput): string {
    return this.client.username ?? audit.actor;
  }

  private entry(audit: AuditInput, action: LedgerEntry['action'], fields: Partial<LedgerEntry>): LedgerEntry {
    return {
      time: Date.now(),
      actor: this.actor(audit),
      action: audit.action ?? action,
      version: null,
      fromStage: null,
      toStage: null,
      alias: null,
      comment: audit.comment ?? null,
      reportId: audit.reportId ?? null,
      ...fields,
    };
  }

  // ---- registered models ---------------------------------------------------------------------

  async createRegisteredModel(name: string, options: { tags?: Tag[]; description?: string } = {}): Promise<RegisteredModel> {
    validateModelName(name);
    for (const t of options.tags ?? []) validateTag(t);
    const r = await this.client.call('POST', 'registered-models/create', {
      name,
      tags: options.tags ?? [],
      ...(options.description !== undefined ? { description: options.description } : {}),
    });
    return registeredModelFromJson(r.registered_model);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    return registeredModelFromJson((await this.client.call('GET', 'registered-models/get', { name })).registered_model);
  }

  async renameRegisteredModel(name: string, newName: string, audit?: AuditInput): Promise<RegisteredModel> {
    validateModelName(newName);
    const r = await this.client.call('POST', 'registered-models/rename', { name, new_name: newName });
    if (name !== newName) await this.ledger.rename(name, newName);
    if (audit) await this.ledger.append(newName, [this.entry({ ...audit, comment: audit.comment ?? `renamed from ${name}` }, 'rename', {})]);
    return registeredModelFromJson(r.registered_model);
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return registeredModelFromJson((await this.client.call('PATCH', 'registered-models/update', { name, description })).registered_model);
  }

  async deleteRegisteredModel(name: string, audit?: DeleteAudit): Promise<void> {
    if (audit?.keepProduction) {
      const prod = (await this.versionsOf(name)).filter((v) => v.currentStage === 'Production').map((v) => v.version);
      if (prod.length > 0) throw productionRefusal(name, prod);
    }
    await this.client.call('DELETE', 'registered-models/delete', { name });
    if (audit) await this.ledger.append(name, [this.entry({ ...audit, comment: audit.comment ?? 'registered model deleted' }, 'delete', {})]);
  }

  async searchRegisteredModels(q: SearchQuery = {}): Promise<Page<RegisteredModel>> {
    const r = await this.client.call('GET', 'registered-models/search', searchFields(q));
    const items = ((r.registered_models as unknown[]) ?? []).map(registeredModelFromJson);
    return { items, ...(typeof r.next_page_token === 'string' && r.next_page_token !== '' && items.length > 0 ? { nextPageToken: r.next_page_token } : {}) };
  }

  async setRegisteredModelTag(name: string, tag: Tag): Promise<void> {
    validateTag(tag);
    await this.client.call('POST', 'registered-models/set-tag', { name, key: tag.key, value: tag.value });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    validateTagKey(key);
    await this.client.call('DELETE', 'registered-models/delete-tag', { name, key });
  }

  async getLatestVersions(name: string, stages?: string[]): Promise<ModelVersion[]> {
    const wanted = stages && stages.length > 0 ? stages.map(canonicalStage) : [...STAGES];
    const r = await this.client.call('POST', 'registered-models/get-latest-versions', { name, stages: wanted });
    return this.withAliases(((r.model_versions as unknown[]) ?? []).map(modelVersionFromJson));
  }

  // ---- model versions ------------------------------------------------------------------------

  async createModelVersion(o: CreateVersionOptions): Promise<ModelVersion> {
    validateModelName(o.name);
    for (const t of o.tags ?? []) validateTag(t);
    const r = await this.client.call('POST', 'model-versions/create', {
      name: o.name,
      source: o.source,
      ...(o.runId ? { run_id: o.runId } : {}),
      tags: o.tags ?? [],
      ...(o.runLink ? { run_link: o.runLink } : {}),
      ...(o.description !== undefined ? { description: o.description } : {}),
    });
    const v = modelVersionFromJson(r.model_version);
    if (o.audit)
      await this.ledger.append(o.name, [this.entry(o.audit, 'register', { time: v.creationTimestamp || Date.now(), version: v.version, toStage: 'None' })]);
    return v;
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    validateModelName(name);
    validateVersion(version);
    return modelVersionFromJson((await this.client.call('GET', 'model-versions/get', { name, version: String(Number(version)) })).model_version);
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    const r = await this.client.call('PATCH', 'model-versions/update', { name, version: String(validateVersion(version)), description });
    return modelVersionFromJson(r.model_version);
  }

  async deleteModelVersion(name: string, version: string, audit?: DeleteAudit): Promise<void> {
    const current = await this.getModelVersion(name, version);
    if (audit?.keepProduction && current.currentStage === 'Production') throw productionRefusal(name, [current.version]);
    await this.client.call('DELETE', 'model-versions/delete', { name, version: current.version });
    if (audit) await this.ledger.append(name, [this.entry(audit, 'delete', { version: current.version, fromStage: current.currentStage })]);
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const r = await this.client.call('GET', 'model-versions/get-download-uri', { name, version: String(validateVersion(version)) });
    return String(r.artifact_uri ?? '');
  }

  async searchModelVersions(q: SearchQuery = {}): Promise<Page<ModelVersion>> {
    const r = await this.client.call('GET', 'model-versions/search', searchFields(q));
    const items = await this.withAliases(((r.model_versions as unknown[]) ?? []).map(modelVersionFromJson));
    return { items, ...(typeof r.next_page_token === 'string' && r.next_page_token !== '' && items.length > 0 ? { nextPageToken: r.next_page_token } : {}) };
  }

  async setModelVersionTag(name: string, version: string, tag: Tag): Promise<void> {
    validateTag(tag);
    await this.client.call('POST', 'model-versions/set-tag', { name, version: String(validateVersion(version)), key: tag.key, value: tag.value });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    validateTagKey(key);
    await this.client.call('DELETE', 'model-versions/delete-tag', { name, version: String(validateVersion(version)), key });
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: string,
    archiveExistingVersions: boolean,
    audit?: TransitionAudit,
  ): Promise<ModelVersion> {
    const target = transitionTarget(stage, archiveExistingVersions);
    return this.mover.move(name, version, target, archiveExistingVersions, audit);
  }

  // ---- aliases -------------------------------------------------------------------------------

  private async aliasVersion(name: string, alias: string): Promise<string | undefined> {
    return (await this.getRegisteredModel(name)).aliases.find((a) => a.alias === alias)?.version;
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string, audit?: AuditInput): Promise<void> {
    validateAlias(alias);
    const before = audit ? await this.aliasVersion(name, alias) : undefined;
    const v = String(validateVersion(version));
    await this.client.call('POST', 'registered-models/alias', { name, alias, version: v });
    if (audit)
      await this.ledger.append(name, [this.entry(audit, 'alias_set', { version: v, alias, fromStage: before ? `v${before}` : null, toStage: `v${v}` })]);
  }

  async deleteRegisteredModelAlias(name: string, alias: string, audit?: AuditInput): Promise<void> {
    validateAlias(alias);
    const before = await this.aliasVersion(name, alias);
    await this.client.call('DELETE', 'registered-models/alias', { name, alias });
    if (audit && before) await this.ledger.append(name, [this.entry(audit, 'alias_delete', { version: before, alias, fromStage: `v${before}` })]);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateAlias(alias);
    return modelVersionFromJson((await this.client.call('GET', 'registered-models/alias', { name, alias })).model_version);
  }

  // ---- audit trail and validation reports ---------------------------------------------------

  getAuditTrail(name: string, version?: string): Promise<AuditEntry[]> {
    if (version !== undefined) validateVersion(version);
    return this.ledger.trail(name, version);
  }

  async recordAudit(name: string, version: string | null, audit: AuditInput): Promise<AuditEntry> {
    const stage = version !== null ? (await this.getModelVersion(name, version)).currentStage : (await this.getRegisteredModel(name), null);
    const v = version === null ? null : String(Number(version));
    const entry = this.entry(audit, 'transition', { version: v, fromStage: stage, toStage: stage });
    await this.ledger.append(name, [entry]);
    const trail = await this.ledger.trail(name);
    return [...trail].reverse().find((e) => e.time === entry.time && e.action === entry.action && e.version === v) ?? { id: trail.length, name, ...entry };
  }

  async recordValidation(outcome: ValidationOutcome, audit: AuditInput): Promise<ModelVersion> {
    return this.mover.recordValidation(outcome, audit, this.history);
  }

  async getValidationReport(reportId: string): Promise<ValidationReport> {
    if (/^[0-9A-Za-z_-]+$/.test(reportId)) {
      const found = await this.searchModelVersions({ filter: `tags.\`${REPORT_TAG_PREFIX}${reportId}\` LIKE '%'`, maxResults: 10 });
      for (const v of found.items) {
        const r = reportsOf(v).find((x) => x.reportId === reportId);
        if (r) return r;
      }
    }
    throw new ModelOpsError('RESOURCE_DOES_NOT_EXIST', `Validation report ${reportId} not found`, { location: reportId });
  }

  async listValidationReports(name: string, version: string): Promise<ValidationReport[]> {
    return reportsOf(await this.getModelVersion(name, version));
  }

  importHistory(name: string, history: RegistryHistory): Promise<{ audit: number; reports: number }> {
    return this.history.importHistory(name, history);
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** Every live version of a model (MLflow pages version searches). */
  private async versionsOf(name: string): Promise<ModelVersion[]> {
    const out: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchModelVersions({ filter: `name = '${name.replace(/'/g, "\\'")}'`, maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /** MLflow leaves aliases out of version searches and latest versions: they are filled in from each model. */
  private async withAliases(versions: ModelVersion[]): Promise<ModelVersion[]> {
    const names = [...new Set(versions.filter((v) => v.aliases.length === 0).map((v) => v.name))];
    if (names.length === 0) return versions;
    const byName = new Map<string, Map<string, string[]>>();
    for (const n of names) {
      const m = await this.getRegisteredModel(n).catch(() => undefined);
      const map = new Map<string, string[]>();
      for (const a of m?.aliases ?? []) map.set(a.version, [...(map.get(a.version) ?? []), a.alias].sort());
      byName.set(n, map);
    }
    return versions.map((v) => (v.aliases.length > 0 ? v : { ...v, aliases: byName.get(v.name)?.get(v.version) ?? [] }));
  }
}

function searchFields(q: SearchQuery): Record<string, unknown> {
  return {
    ...(q.filter ? { filter: q.filter } : {}),
    ...(q.maxResults !== undefined ? { max_results: q.maxResults } : {}),
    ...(q.orderBy?.length ? { order_by: q.orderBy } : {}),
    ...(q.pageToken ? { page_token: q.pageToken } : {}),
  };
}

function productionRefusal(name: string, versions: string[]): ModelOpsError {
  const which = versions.length === 1 ? `version ${versions[0]} of '${name}' is` : `versions ${versions.join(', ')} of '${name}' are`;
  return new ModelOpsError(
    'INVALID_STATE',
    `${which} in Production and cannot be deleted: archive ${versions.length === 1 ? 'it' : 'them'} first (modelops archive --name ${name} --version ${versions[0]})`,
    { location: `models:/${name}/${versions[0]}` },
  );
}
