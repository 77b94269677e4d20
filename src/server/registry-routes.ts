import { posix } from 'node:path';
import { uriScheme } from '../core/artifact-uri';
import { ModelOpsError } from '../core/errors';
import type { AuditInput } from '../core/registry';
import type { Json } from '../core/mlflow-wire';
import { modelVersionJson, registeredModelJson } from '../core/mlflow-wire';
import type { Stage } from '../core/stages';
import { canonicalStage } from '../core/stages';
import type { SearchQuery } from '../store/registry-store';
import type { Fields } from './fields';
import { optBool, optInt, optStr, optText, str, stringList, tags } from './fields';
import { productTransition } from './product-transition';
import type { Route, RouteContext } from './route';
import { done, registryOf } from './route';

/**
 * MLflow 2.10.2's model-registry REST API over the workspace registry, with this product's lifecycle on top
 * (src/registry/lifecycle.ts): versions reach Staging by passing validation and Production only by a human approval,
 * so `transition-stage` to Staging or Production is refused with what to run instead; every other change MLflow
 * allows (to Archived, back to None) is made. A Production version cannot be deleted through the API. Every
 * registration, stage change, alias change, rename and delete made here is in the audit trail with the caller's
 * identity (src/server/security.ts).
 */
const GET = ['GET'] as const;
const POST = ['POST'] as const;

function audit(c: RouteContext, extra: Partial<AuditInput> = {}): AuditInput {
  return { actor: c.actor, comment: 'through the MLflow REST API (modelops server)', ...extra };
}

function search(f: Fields): SearchQuery {
  return { filter: optText(f, 'filter'), maxResults: optInt(f, 'max_results'), orderBy: stringList(f, 'order_by'), pageToken: optText(f, 'page_token') };
}

const pageJson = <T>(key: string, page: { items: T[]; nextPageToken?: string }, map: (x: T) => Json): Json => ({
  ...(page.items.length ? { [key]: page.items.map(map) } : {}),
  ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}),
});

/**
 * MLflow's `_validate_non_local_source_contains_relative_paths`: a source with a scheme must name an absolute path
 * with no `.`/`..` segment and no NUL, once percent-decoded until stable (so `%2e%2e%2f` and `%00` are caught).
 */
export function checkNonLocalSource(source: string): void {
  let s = source;
  for (let i = 0; i < 20; i++) {
    let next: string;
    try {
      next = decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      break;
    }
    if (next === s) break;
    s = next;
  }
  const afterScheme = s.replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:/, '');
  const withoutAuthority = afterScheme.startsWith('//') ? afterScheme.slice(2).replace(/^[^/]*/, '') : afterScheme;
  const path = withoutAuthority
    .replace(/[?#].*$/s, '')
    .replace(/\/+$/, '')
    .replace(/\/+/g, '/');
  const refuse = (): never => {
    throw new ModelOpsError(
      'INVALID_PARAMETER_VALUE',
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`,
      { location: 'source' },
    );
  };
  if (path.includes('\0')) refuse();
  if (path !== '' && (!path.startsWith('/') || posix.normalize(path) !== path)) refuse();
}

function isLocalSource(source: string): boolean {
  const scheme = uriScheme(source);
  return scheme === undefined || scheme === 'file';
}

function refusePromotion(name: string, version: string, current: Stage, stage: Stage): never {
  throw new ModelOpsError(
    'INVALID_STATE',
    `version ${version} of '${name}' (${current}) cannot be moved to ${stage} through the MLflow API here: this workspace's versions reach Staging by passing validation (modelops validate --name ${name} --version ${version}) and Production by a human approval (modelops promote --name ${name} --version ${version} --to Production --approve --comment "…", or Promote to Production in the editor), from this machine or any ModelOps pointed at this server; archiving and moving back to None are allowed`,
    { location: `models:/${name}/${version}` },
  );
}

const MODEL_ROUTES: Record<string, Route> = {
  'registered-models/create': {
    methods: POST,
    handle: async (c, f) => ({
      registered_model: registeredModelJson(
        await registryOf(c).createRegisteredModel(str(f, 'name'), { tags: tags(f), description: optStr(f, 'description') }),
      ),
    }),
  },
  'registered-models/get': {
    methods: GET,
    handle: async (c, f) => ({ registered_model: registeredModelJson(await registryOf(c).getRegisteredModel(str(f, 'name'))) }),
  },
  'registered-models/rename': {
    methods: POST,
    handle: async (c, f) => {
      const name = str(f, 'name');
      return {
        registered_model: registeredModelJson(
          await registryOf(c).renameRegisteredModel(name, str(f, 'new_name'), audit(c, { comment: `renamed from ${name} through the MLflow REST API` })),
        ),
      };
    },
  },
  'registered-models/update': {
    methods: ['PATCH'],
    handle: async (c, f) => ({
      registered_model: registeredModelJson(await registryOf(c).updateRegisteredModel(str(f, 'name'), optStr(f, 'description') ?? '')),
    }),
  },
  'registered-models/delete': {
    methods: ['DELETE'],
    handle: (c, f) => done(registryOf(c).deleteRegisteredModel(str(f, 'name'), { ...audit(c), keepProduction: true })),
  },
  'registered-models/search': {
    methods: GET,
    handle: async (c, f) => pageJson('registered_models', await registryOf(c).searchRegisteredModels(search(f)), registeredModelJson),
  },
  'registered-models/set-tag': {
    methods: POST,
    handle: (c, f) => {
      const name = str(f, 'name');
      return done(registryOf(c).setRegisteredModelTag(name, { key: str(f, 'key'), value: optStr(f, 'value') ?? '' }));
    },
  },
  'registered-models/delete-tag': { methods: ['DELETE'], handle: (c, f) => done(registryOf(c).deleteRegisteredModelTag(str(f, 'name'), str(f, 'key'))) },
  'registered-models/get-latest-versions': {
    methods: ['GET', 'POST'],
    handle: async (c, f): Promise<Json> => {
      const stages = stringList(f, 'stages');
      const versions = await registryOf(c).getLatestVersions(str(f, 'name'), stages.length ? stages : undefined);
      return versions.length ? { model_versions: versions.map((v) => modelVersionJson(v, false)) } : {};
    },
  },
  'registered-models/alias': {
    methods: ['GET', 'POST', 'DELETE'],
    handle: async (c, f) => {
      const r = registryOf(c);
      const name = str(f, 'name');
      const alias = str(f, 'alias');
      // One path, three verbs (MLflow's).
      if (c.method === 'GET') return { model_version: modelVersionJson(await r.getModelVersionByAlias(name, alias)) };
      if (c.method === 'DELETE') return done(r.deleteRegisteredModelAlias(name, alias, audit(c)));
      return done(r.setRegisteredModelAlias(name, alias, str(f, 'version'), audit(c)));
    },
  },
};

const VERSION_ROUTES: Record<string, Route> = {
  'model-versions/create': {
    methods: POST,
    handle: async (c, f) => {
      const name = str(f, 'name');
      const source = str(f, 'source');
      const runId = optText(f, 'run_id');
      if (!isLocalSource(source)) checkNonLocalSource(source);
      const v = await registryOf(c).createModelVersion({
        name,
        source,
        runId,
        tags: tags(f),
        runLink: optStr(f, 'run_link'),
        description: optStr(f, 'description'),
        audit: audit(c),
      });
      return { model_version: modelVersionJson(v) };
    },
  },
  'model-versions/get': {
    methods: GET,
    handle: async (c, f) => ({ model_version: modelVersionJson(await registryOf(c).getModelVersion(str(f, 'name'), str(f, 'version'))) }),
  },
  'model-versions/update': {
    methods: ['PATCH'],
    handle: async (c, f) => {
      const name = str(f, 'name');
      const version = str(f, 'version');
      return { model_version: modelVersionJson(await registryOf(c).updateModelVersion(name, version, optStr(f, 'description') ?? '')) };
    },
  },
  'model-versions/delete': {
    methods: ['DELETE'],
    handle: (c, f) => {
      const name = str(f, 'name');
      return done(registryOf(c).deleteModelVersion(name, str(f, 'version'), { ...audit(c), keepProduction: true }));
    },
  },
  'model-versions/get-download-uri': {
    methods: GET,
    handle: async (c, f) => ({ artifact_uri: await registryOf(c).getModelVersionDownloadUri(str(f, 'name'), str(f, 'version')) }),
  },
  'model-versions/search': {
    methods: GET,
    handle: async (c, f) => pageJson('model_versions', await registryOf(c).searchModelVersions(search(f)), (v) => modelVersionJson(v, false)),
  },
  'model-versions/set-tag': {
    methods: POST,
    handle: (c, f) => {
      const name = str(f, 'name');
      const version = str(f, 'version');
      return done(registryOf(c).setModelVersionTag(name, version, { key: str(f, 'key'), value: optStr(f, 'value') ?? '' }));
    },
  },
  'model-versions/delete-tag': {
    methods: ['DELETE'],
    handle: (c, f) => done(registryOf(c).deleteModelVersionTag(str(f, 'name'), str(f, 'version'), str(f, 'key'))),
  },
  'model-versions/transition-stage': {
    methods: POST,
    handle: async (c, f) => {
      const r = registryOf(c);
      const name = str(f, 'name');
      const version = str(f, 'version');
      const stage = canonicalStage(str(f, 'stage'));
      const archiveExisting = optBool(f, 'archive_existing_versions') ?? false;
      const found = await r.getModelVersion(name, version);
      const current = found.currentStage;
      if ((stage === 'Staging' || stage === 'Production') && !c.openTransitions) {
        const moved = await productTransition(c, r, found, stage, archiveExisting, refusePromotion);
        return { model_version: modelVersionJson(moved!) };
      }
      const action = stage === 'Archived' ? 'archive' : 'transition';
      const moved = await r.transitionModelVersionStage(name, version, stage, archiveExisting, { ...audit(c, { action }), expectStage: current });
      return { model_version: modelVersionJson(moved) };
    },
  },
};

export const REGISTRY_ROUTES: ReadonlyMap<string, Route> = new Map(Object.entries({ ...MODEL_ROUTES, ...VERSION_ROUTES }));
