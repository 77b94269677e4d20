import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelOpsError } from '../../../../src/core/errors';
import { kindFromName, mlmodelView, previewArtifact } from '../../../../src/extension/webviews/artifact-preview';
import { listArtifactEntries, loadHistories, loadRunPage } from '../../../../src/extension/webviews/run-data';
import { artifactPreviewCheck, runPageCheck } from '../../../../src/shared/run-protocol';
import type { Stores } from '../../../../src/store/open';
import { openStores } from '../../../../src/store/open';
import { HOSTILE_NAME } from '../../../webview/builders';

let dir: string;
let db: Stores;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelops-run-page-'));
  db = await openStores(join(dir, 'mlflow.db'));
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const MLMODEL = `artifact_path: model
flavors:
  modelops_ensemble:
    data: model.json
  python_function:
    loader_module: loader
model_uuid: 4110f6a8597b4aac871c3f995bec0d28
run_id: RUN
signature:
  inputs: '[{"type": "double", "name": "sepal_length", "required": true}, {"type": "string", "name": "hint", "required": false}]'
  outputs: '[{"type": "string", "name": "species", "required": true}]'
  params: null
utc_time_created: 2026-12-01 20:26:06.715000
`;

async function runWithArtifacts(): Promise<string> {
  const { tracking } = db;
  const exp = await tracking.createExperiment(`exp-${Math.random()}`);
  const run = await tracking.createRun({ experimentId: exp, runName: 'page-run' });
  const src = join(dir, `src-${run.info.runId}`);
  mkdirSync(join(src, 'model'), { recursive: true });
  writeFileSync(join(src, 'model', 'MLmodel'), MLMODEL.replace('RUN', run.info.runId));
  writeFileSync(join(src, 'metrics.json'), '{"a":1,"b":[1,2]}');
  writeFileSync(join(src, 'broken.json'), '{"a":');
  writeFileSync(join(src, 'preds.csv'), 'id,label\n1,<b>x</b>\n2,"=1+1"\n');
  writeFileSync(join(src, 'plot.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  writeFileSync(join(src, 'fake.png'), 'not a png');
  writeFileSync(join(src, 'image.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]));
  writeFileSync(join(src, 'notes'), 'plain text without an extension\n');
  writeFileSync(join(src, 'weights.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
  for (const f of ['model', 'metrics.json', 'broken.json', 'preds.csv', 'plot.svg', 'fake.png', 'image.png', 'notes', 'weights.bin'])
    await tracking.logArtifact(run.info.runId, join(src, f));
  return run.info.runId;
}

describe('run page data', () => {
  test('the page has the run, its parent and children, datasets with digest and profile, and the versions registered from it', async () => {
    const { tracking, registry } = db;
    const exp = await tracking.createExperiment('page');
    const parent = await tracking.createRun({ experimentId: exp, runName: HOSTILE_NAME });
    const run = await tracking.createRun({
      experimentId: exp,
      runName: 'child',
      parentRunId: parent.info.runId,
      tags: [{ key: 'mlflow.note.content', value: 'a note' }],
    });
    await tracking.logBatch(run.info.runId, { params: [{ key: 'k', value: '3' }], metrics: [{ key: 'acc', value: NaN, step: 2, timestamp: 5 }] });
    await tracking.logInputs(run.info.runId, [
      {
        name: 'iris',
        digest: '91eb642c',
        sourceType: 'local',
        source: '{"uri":"/data/iris.csv"}',
        schema: '{"mlflow_colspec":[{"type":"double","name":"x"}]}',
        profile: '{"num_rows":150,"columns":[{"name":"x","type":"numeric","missing":0,"min":1,"max":2},{"name":"y","type":"target","counts":{"a":3,"b":9}}]}',
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
      },
    ]);
    await registry.createRegisteredModel('m');
    await registry.createModelVersion({ name: 'm', source: 'runs:/x/model', runId: run.info.runId });
    const page = await loadRunPage(db, run.info.runId);
    assert.deepEqual(page.parent, { runId: parent.info.runId, runName: HOSTILE_NAME });
    assert.equal(page.note, 'a note');
    assert.ok(!page.tags.some((t) => t.key === 'mlflow.note.content'), 'the note is shown as the note, not as a tag');
    assert.deepEqual(page.metrics, [{ key: 'acc', value: null, step: 2, timestamp: 5 }]);
    assert.deepEqual(page.datasets[0], {
      name: 'iris',
      digest: '91eb642c',
      sourceType: 'local',
      source: '/data/iris.csv',
      context: 'training',
      schema: [{ name: 'x', type: 'double' }],
      rows: 150,
      profileColumns: [
        { name: 'x', type: 'numeric', missing: 0, min: 1, max: 2 },
        { name: 'y', type: 'target', top: 'b (9), a (3)', distinct: 2 },
      ],
    });
    assert.deepEqual(
      page.versions.map((v) => [v.name, v.version]),
      [['m', '1']],
    );
    const parentPage = await loadRunPage(db, parent.info.runId);
    assert.deepEqual(parentPage.children, [{ runId: run.info.runId, runName: 'child' }]);
    assert.deepEqual(runPageCheck(JSON.parse(JSON.stringify(page)), 'run'), page, 'what is sent passes the page’s validation');
  });

  test('histories come sorted by step with their timestamps; NaN is null', async () => {
    const { tracking } = db;
    const run = await tracking.createRun({ experimentId: '0' });
    await tracking.logBatch(run.info.runId, {
      metrics: [2, 0, 1].map((step) => ({ key: 'loss', value: step === 1 ? NaN : step, step, timestamp: 100 + step })),
    });
    assert.deepEqual(await loadHistories(tracking, run.info.runId, ['loss']), [
      { key: 'loss', steps: [0, 1, 2], timestamps: [100, 101, 102], values: [0, null, 2] },
    ]);
  });

  test('artifacts preview by kind: pretty JSON, CSV rows as text, MLmodel with its signature, images as data URIs', async () => {
    const runId = await runWithArtifacts();
    const { tracking } = db;
    const entries = await listArtifactEntries(tracking, runId, '');
    assert.ok(entries.some((e) => e.path === 'model' && e.isDir));
    const json = await previewArtifact(tracking, runId, 'metrics.json');
    assert.equal(json.text, '{\n  "a": 1,\n  "b": [\n    1,\n    2\n  ]\n}');
    const broken = await previewArtifact(tracking, runId, 'broken.json');
    assert.equal(broken.kind, 'text');
    assert.match(broken.message ?? '', /Not valid JSON/);
    const csv = await previewArtifact(tracking, runId, 'preds.csv');
    assert.deepEqual(csv.csv, {
      header: ['id', 'label'],
      rows: [
        ['1', '<b>x</b>'],
        ['2', '=1+1'],
      ],
    });
    const mlmodel = await previewArtifact(tracking, runId, 'model/MLmodel');
    assert.equal(mlmodel.kind, 'mlmodel');
    assert.deepEqual(mlmodel.mlmodel?.flavors, ['modelops_ensemble', 'python_function']);
    assert.deepEqual(mlmodel.mlmodel?.inputs, [
      { name: 'sepal_length', type: 'double', required: true },
      { name: 'hint', type: 'string', required: false },
    ]);
    assert.equal(mlmodel.mlmodel?.runId, runId);
    const svg = await previewArtifact(tracking, runId, 'plot.svg');
    assert.match(svg.dataUri ?? '', /^data:image\/svg\+xml;base64,/);
    const png = await previewArtifact(tracking, runId, 'image.png');
    assert.match(png.dataUri ?? '', /^data:image\/png;base64,iVBORw0KGgo/);
    assert.equal((await previewArtifact(tracking, runId, 'fake.png')).kind, 'external', 'a .png that is not a PNG is not drawn');
    assert.equal((await previewArtifact(tracking, runId, 'notes')).kind, 'text', 'a text file without an extension is sniffed');
    assert.equal((await previewArtifact(tracking, runId, 'weights.bin')).kind, 'external');
    for (const p of [json, csv, mlmodel, svg, png]) assert.deepEqual(artifactPreviewCheck(JSON.parse(JSON.stringify(p)), 'preview'), p);
  });

  test('an artifact path that leaves the run’s folder, directly or through a link, is refused', async () => {
    const runId = await runWithArtifacts();
    const { tracking } = db;
    await assert.rejects(
      previewArtifact(tracking, runId, '../../../mlflow.db'),
      (e: unknown) => e instanceof ModelOpsError && e.code === 'INVALID_PARAMETER_VALUE',
    );
    const root = await tracking.artifactLocalPath(runId, '');
    writeFileSync(join(dir, 'secret.txt'), 'secret');
    symlinkSync(join(dir, 'secret.txt'), join(root, 'link.txt'));
    await assert.rejects(previewArtifact(tracking, runId, 'link.txt'), /leads out of the run's artifact folder/);
  });

  test('kinds follow the file name; an unreadable MLmodel says why', () => {
    assert.deepEqual(['MLmodel', 'a.yaml', 'b.JSON', 'c.tsv', 'd.svg', 'e.py', 'f.pkl'].map(kindFromName), [
      'mlmodel',
      'yaml',
      'json',
      'csv',
      'image',
      'text',
      'external',
    ]);
    assert.throws(() => mlmodelView('- just\n- a list\n'), /MLmodel: not a YAML mapping/);
  });
});
