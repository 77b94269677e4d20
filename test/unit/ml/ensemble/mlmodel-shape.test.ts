import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'yaml';
import { loadDataset } from '../../../../src/ml/dataset/dataset';
import { Ensemble } from '../../../../src/ml/ensemble/ensemble';
import { saveModel } from '../../../../src/ml/ensemble/model-package';
import { pyfuncSourceFiles, REQUIREMENTS } from '../../../../src/ml/ensemble/pyfunc-flavor';
import type { YamlValue } from '../../../../src/ml/ensemble/pyyaml';
import { dumpYaml } from '../../../../src/ml/ensemble/pyyaml';
import { VERSION } from '../../../../src/core/version';
import { PYTHON, pythonSkipReason } from '../../../python';
import { example, mlflowReference } from '../../../repo-paths';

/** What a real MLflow 2.10.2 client sent when logging a scikit-learn model (transcripts-2, 142–147). */
function transcript(n: number): { request: { raw_body: string; json: { model_json?: string } | null } } {
  const dir = mlflowReference('transcripts-2');
  const file = readdirSync(dir).find((f) => f.startsWith(`${n}_`))!;
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as { request: { raw_body: string; json: { model_json?: string } | null } };
}

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('MLmodel and environment files as MLflow writes them', () => {
  test('the YAML writer reproduces the MLmodel, conda.yaml and python_env.yaml MLflow 2.10.2 uploaded, byte for byte', () => {
    const model = JSON.parse(transcript(147).request.json!.model_json!) as YamlValue;
    assert.equal(dumpYaml(model), transcript(143).request.raw_body);
    const conda = parse(transcript(145).request.raw_body) as YamlValue;
    assert.equal(dumpYaml(conda), transcript(145).request.raw_body);
    const pythonEnv = parse(transcript(144).request.raw_body) as YamlValue;
    assert.equal(dumpYaml(pythonEnv, { sortKeys: false }), transcript(144).request.raw_body);
  });

  test('a saved model carries the python_function flavor, its code and its environment', async () => {
    const ds = loadDataset(example('iris.csv'), { target: 'species' });
    const model = await Ensemble.fit(ds.frame, ds.target, ds.schema.features, {
      members: [{ type: 'rf', params: { nEstimators: 5 } }, { type: 'knn' }],
      seed: 1,
      threads: 1,
    });
    const dir = mkdtempSync(join(tmpdir(), 'modelops-mlmodel-'));
    dirs.push(dir);
    saveModel(dir, model, { runId: 'r1' });
    const mlmodel = parse(readFileSync(join(dir, 'MLmodel'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(mlmodel), [
      'artifact_path',
      'flavors',
      'mlflow_version',
      'model_size_bytes',
      'model_uuid',
      'run_id',
      'signature',
      'utc_time_created',
    ]);
    const flavors = mlmodel.flavors as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(flavors), ['modelops_ensemble', 'python_function']);
    assert.deepEqual(flavors.python_function, {
      code: 'code',
      data: 'model.json',
      env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
      loader_module: 'modelops_pyfunc',
      python_version: '3.11.2',
    });
    assert.equal(mlmodel.mlflow_version, '2.10.2');
    assert.deepEqual(readdirSync(join(dir, 'code', 'modelops_pyfunc')).sort(), pyfuncSourceFiles());
    assert.match(
      readFileSync(join(dir, 'code', 'modelops_pyfunc', '__init__.py'), 'utf8'),
      new RegExp(`^__version__ = "${VERSION.replace(/\./g, '\\.')}"$`, 'm'),
      'the loader says which release it is',
    );
    assert.equal(readFileSync(join(dir, 'requirements.txt'), 'utf8'), REQUIREMENTS.join('\n'));
    assert.match(
      readFileSync(join(dir, 'conda.yaml'), 'utf8'),
      /^channels:\n- conda-forge\ndependencies:\n- python=3\.11\.2\n- pip<=23\.0\.1\n- pip:\n {2}- mlflow==2\.10\.2\n/,
    );
    assert.equal(readFileSync(join(dir, 'python_env.yaml'), 'utf8').split('\n')[0], 'python: 3.11.2');
    const sig = mlmodel.signature as Record<string, string>;
    assert.deepEqual(JSON.parse(sig.params!), [{ name: 'predict_proba', type: 'boolean', default: false, shape: null }]);
    // MLflow's model_size_bytes: the files written before MLmodel and the env files.
    const size = ['model.json', ...pyfuncSourceFiles().map((f) => join('code', 'modelops_pyfunc', f))].reduce(
      (s, f) => s + readFileSync(join(dir, f)).length,
      0,
    );
    assert.equal(mlmodel.model_size_bytes, size);
  });

  test('the YAML writer agrees with PyYAML on scalars that need quoting, escapes and folding', { skip: pythonSkipReason(['yaml']) }, () => {
    let s = 7;
    const rand = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 4294967296;
    };
    const alphabet = [
      'a',
      'b',
      ' ',
      ' ',
      'x',
      '-',
      ':',
      '#',
      "'",
      '"',
      '\n',
      '\t',
      'é',
      '\u2028',
      '0',
      '.',
      'e',
      'y',
      '~',
      '[',
      '{',
      ',',
      '?',
      '!',
      '&',
      '%',
      '@',
      '`',
      '|',
      '\\',
      '\u00a0',
      '😀',
      '\ufeff',
    ];
    const words = [
      'yes',
      'no',
      'null',
      'true',
      '~',
      '1.5',
      '1e3',
      '0x1F',
      '2026-01-01',
      '2026-12-01 18:18:47.137858',
      '.inf',
      '-',
      '---',
      '=',
      '<<',
      '012',
      '1_000',
      '1:20',
      'True',
      '',
      ' ',
      "it's",
    ];
    const str = (): string => {
      if (rand() < 0.3) return words[Math.floor(rand() * words.length)]!;
      const n = Math.floor(rand() * (rand() < 0.4 ? 260 : 20));
      return Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
    };
    const value = (depth: number): YamlValue => {
      const r = rand();
      if (depth < 3 && r < 0.2)
        return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, (_, i) => [`k${i}${str().replace(/[^a-z0-9_]/g, '')}`, value(depth + 1)]));
      if (depth < 3 && r < 0.35) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
      if (r < 0.4) return Math.floor(rand() * 1000) - 500;
      if (r < 0.45) return [0.5, 1 / 3, 1e-7, 123.25, -2.5e-20, 1.5e300][Math.floor(rand() * 6)]!;
      if (r < 0.5) return rand() < 0.5;
      if (r < 0.53) return null;
      return str();
    };
    const docs = Array.from({ length: 400 }, () => ({ a: value(0), b: [value(1), { x: value(2), y: str() }], signature: { inputs: str() } }));
    const py = spawnSync(
      PYTHON,
      ['-c', 'import sys,json,yaml\nfor d in json.load(sys.stdin): sys.stdout.write(yaml.safe_dump(d, default_flow_style=False) + "\\0")'],
      {
        input: JSON.stringify(docs),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    assert.equal(py.status, 0, py.stderr);
    const theirs = py.stdout.split('\0');
    docs.forEach((d, i) => assert.equal(dumpYaml(d), theirs[i], JSON.stringify(d)));
  });
});
