import { ModelOpsError } from '../core/errors';
import type { Json } from '../core/mlflow-wire';
import { modelVersionJson, registeredModelJson } from '../core/mlflow-wire';
import { canonicalStage } from '../core/stages';
import { checkTransition } from '../registry/lifecycle';
import type { RegistryStore } from '../store/registry-store';
import type { Fields, Route } from './tracking-routes';
import { list, optInt, optStr, str, tags } from './tracking-routes';

/**
 * MLflow 2.10.2's model-registry REST API over the workspace registry. One deliberate difference:
 * this product's lifecycle (src/registry/lifecycle.ts) — versions reach Staging by passing the
 * validation gates and Production only by a human approval, both with an audit trail — so
 * `transition-stage` accepts only archiving; anything else is refused with what to run instead.
 * Alias and rename changes are audited with the actor below.
 */
export const REST_ACTOR = 'mlflow-client (modelops server)';
const audit = { actor: REST_ACTOR };

const search = (f: Fields): { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string } => ({
  filter: optStr(f, 'filter'),
  maxResults: optInt(f, 'max_results'),
  orderBy: list(f, 'order_by').map(String),
  pageToken: optStr(f, 'page_token'),
});

const done = async (p: Promise<unknown>): Promise<Json> => {
  await p;
  return {};
};

const GET = ['GET'] as const;
const POST = ['POST'] as const;

export const REGISTRY_ROUTES: Record<string, Route<RegistryStore>> = {
  'registered-models/create': {
    methods: POST,
    handle: async (r, f) => ({ registered_model: registeredModelJson(await r.createRegisteredModel(str(f, 'name'), { tags: tags(f), description: optStr(f, 'description') })) }),
  },
  'registered-models/get': { methods: GET, handle: async (r, f) => ({ registered_model: registeredModelJson(await r.getRegisteredModel(str(f, 'name'))) }) },
  'registered-models/rename': {
    methods: POST,
    handle: async (r, f) => ({ registered_model: registeredModelJson(await r.renameRegisteredModel(str(f, 'name'), str(f, 'new_name'), audit)) }),
  },
  'registered-models/update': {
    methods: ['PATCH'],
    handle: async (r, f) => ({ registered_model: registeredModelJson(await r.updateRegisteredModel(str(f, 'name'), optStr(f, 'description') ?? '')) }),
  },
  'registered-models/delete': { methods: ['DELETE'], handle: (r, f) => done(r.deleteRegisteredModel(str(f, 'name'))) },
  'registered-models/search': {
    methods: GET,
    handle: async (r, f) => {
      const page = await r.searchRegisteredModels(search(f));
      return { ...(page.items.length ? { registered_models: page.items.map(registeredModelJson) } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  'registered-models/set-tag': { methods: POST, handle: (r, f) => done(r.setRegisteredModelTag(str(f, 'name'), { key: str(f, 'key'), value: String(f.value ?? '') })) },
  'registered-models/delete-tag': { methods: ['DELETE'], handle: (r, f) => done(r.deleteRegisteredModelTag(str(f, 'name'), str(f, 'key'))) },
  'registered-models/get-latest-versions': {
    methods: ['GET', 'POST'],
    handle: async (r, f) => {
      const stages = list(f, 'stages').map(String);
      const versions = await r.getLatestVersions(str(f, 'name'), stages.length ? stages : undefined);
      const out: Record<string, Json> = {};
      if (versions.length) out.model_versions = versions.map((v) => modelVersionJson(v, false));
      return out;
    },
  },
  'registered-models/alias': {
    methods: ['GET', 'POST', 'DELETE'],
    handle: async (r, f, method) => {
      // One path, three verbs (MLflow's).
      if (method === 'GET') return { model_version: modelVersionJson(await r.getModelVersionByAlias(str(f, 'name'), str(f, 'alias'))) };
      if (method === 'DELETE') return done(r.deleteRegisteredModelAlias(str(f, 'name'), str(f, 'alias'), audit));
      return done(r.setRegisteredModelAlias(str(f, 'name'), str(f, 'alias'), str(f, 'version'), audit));
    },
  },
  'model-versions/create': {
    methods: POST,
    handle: async (r, f) => ({
      model_version: modelVersionJson(
        await r.createModelVersion({ name: str(f, 'name'), source: str(f, 'source'), runId: optStr(f, 'run_id'), tags: tags(f), runLink: optStr(f, 'run_link'), description: optStr(f, 'description'), audit }),
      ),
    }),
  },
  'model-versions/get': { methods: GET, handle: async (r, f) => ({ model_version: modelVersionJson(await r.getModelVersion(str(f, 'name'), str(f, 'version'))) }) },
  'model-versions/update': {
    methods: ['PATCH'],
    handle: async (r, f) => ({ model_version: modelVersionJson(await r.updateModelVersion(str(f, 'name'), str(f, 'version'), optStr(f, 'description') ?? '')) }),
  },
  'model-versions/delete': { methods: ['DELETE'], handle: (r, f) => done(r.deleteModelVersion(str(f, 'name'), str(f, 'version'))) },
  'model-versions/get-download-uri': { methods: GET, handle: async (r, f) => ({ artifact_uri: await r.getModelVersionDownloadUri(str(f, 'name'), str(f, 'version')) }) },
  'model-versions/search': {
    methods: GET,
    handle: async (r, f) => {
      const page = await r.searchModelVersions(search(f));
      return { ...(page.items.length ? { model_versions: page.items.map((v) => modelVersionJson(v, false)) } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
    },
  },
  'model-versions/set-tag': { methods: POST, handle: (r, f) => done(r.setModelVersionTag(str(f, 'name'), str(f, 'version'), { key: str(f, 'key'), value: String(f.value ?? '') })) },
  'model-versions/delete-tag': { methods: ['DELETE'], handle: (r, f) => done(r.deleteModelVersionTag(str(f, 'name'), str(f, 'version'), str(f, 'key'))) },
  'model-versions/transition-stage': {
    methods: POST,
    handle: async (r, f) => {
      const name = str(f, 'name');
      const version = str(f, 'version');
      const stage = canonicalStage(str(f, 'stage'));
      const current = (await r.getModelVersion(name, version)).currentStage;
      if (stage !== 'Archived') {
        throw new ModelOpsError(
          'INVALID_STATE',
          `version ${version} of '${name}' (${current}) cannot be moved to ${stage} through the MLflow API here: this workspace's versions reach Staging by passing validation (modelops validate --name ${name} --version ${version}) and Production by a human approval (modelops promote --name ${name} --version ${version} --to Production --approve --comment "…", or Promote to Production in the editor); archiving is allowed`,
          { location: `models:/${name}/${version}` },
        );
      }
      checkTransition({ name, version, from: current, to: 'Archived', via: 'archive' });
      return { model_version: modelVersionJson(await r.transitionModelVersionStage(name, version, stage, false, { ...audit, action: 'archive', expectStage: current })) };
    },
  },
};
