import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelOpsError } from '../../core/errors';
import type { YamlValue } from './pyyaml';
import { dumpYaml } from './pyyaml';

/**
 * MLflow's `python_function` flavor for a saved ensemble: the pure-Python loader (numpy + pandas,
 * no pickle; source in `python/modelops_pyfunc/`) copied into the model's `code/`, and the
 * environment files as MLflow 2.10.2's `mlflow.pyfunc.add_to_model` + `log_model` write them, so
 * `mlflow.pyfunc.load_model(...)` and `mlflow models serve` use the model as it is.
 */
export const PYFUNC_FLAVOR = 'python_function';
export const LOADER_MODULE = 'modelops_pyfunc';
/** The MLflow release whose model format and scoring protocol this follows. */
export const MLFLOW_VERSION = '2.10.2';
/** The Python the loader is tested with (Debian 12's); MLflow only warns when a loading Python differs. */
export const PYTHON_VERSION = '3.11.2';
export const REQUIREMENTS = [`mlflow==${MLFLOW_VERSION}`, 'numpy>=1.21', 'pandas>=1.3'];

/** Where the loader's source is: beside the bundle (dist/pyfunc/…, the .vsix), or the repository's python/ folder (compiled tests). */
export function pyfuncSourceDir(): string {
  const override = process.env.MODELOPS_PYFUNC_SOURCE;
  if (override) return override;
  const bundled = join(__dirname, 'pyfunc', LOADER_MODULE);
  if (existsSync(join(bundled, '__init__.py'))) return bundled;
  for (let d = __dirname; ; d = dirname(d)) {
    const inRepo = join(d, 'python', LOADER_MODULE);
    if (existsSync(join(inRepo, '__init__.py'))) return inRepo;
    if (dirname(d) === d) break;
  }
  throw new ModelOpsError(
    'INTERNAL_ERROR',
    `the Python loader ${LOADER_MODULE} is not installed beside ${__dirname} (expected pyfunc/${LOADER_MODULE}/__init__.py); reinstall ModelOps`,
  );
}

/** The loader's files, sorted (so every model's code/ is the same bytes for the same release). */
export function pyfuncSourceFiles(dir = pyfuncSourceDir()): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .sort();
}

/** Copies the loader into `<model>/code/modelops_pyfunc/`. */
export function writePyfuncCode(modelDir: string): void {
  const src = pyfuncSourceDir();
  const dst = join(modelDir, 'code', LOADER_MODULE);
  mkdirSync(dst, { recursive: true });
  for (const f of pyfuncSourceFiles(src)) copyFileSync(join(src, f), join(dst, f));
}

/** The flavor entry of MLmodel, as `mlflow.pyfunc.add_to_model(model, loader_module=…, data=…, code='code', conda_env=…, python_env=…)`. */
export function pyfuncFlavor(dataFile: string): Record<string, YamlValue> {
  return {
    code: 'code',
    data: dataFile,
    env: { conda: 'conda.yaml', virtualenv: 'python_env.yaml' },
    loader_module: LOADER_MODULE,
    python_version: PYTHON_VERSION,
  };
}

/** requirements.txt, conda.yaml and python_env.yaml as MLflow 2.10.2 writes them (transcripts 142, 144, 145). */
export function writePyfuncEnv(modelDir: string): void {
  writeFileSync(join(modelDir, 'requirements.txt'), REQUIREMENTS.join('\n'));
  const conda: YamlValue = {
    channels: ['conda-forge'],
    dependencies: [`python=${PYTHON_VERSION}`, 'pip<=23.0.1', { pip: REQUIREMENTS }],
    name: 'mlflow-env',
  };
  writeFileSync(join(modelDir, 'conda.yaml'), dumpYaml(conda));
  const pythonEnv: YamlValue = {
    python: PYTHON_VERSION,
    build_dependencies: ['pip==23.0.1', 'setuptools==66.1.1', 'wheel==0.38.4'],
    dependencies: ['-r requirements.txt'],
  };
  writeFileSync(join(modelDir, 'python_env.yaml'), dumpYaml(pythonEnv, { sortKeys: false }));
}
