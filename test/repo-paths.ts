import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's root, found from wherever the compiled file runs (out/test/…, out/bench-bundles/):
 * tests and benchmarks read only files inside the repository, never a path outside it.
 */
export function repoRoot(): string {
  let d = __dirname;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) throw new Error(`no package.json above ${__dirname}`);
    d = up;
  }
  return d;
}

/** A file under `test/fixtures/`. */
export function fixture(...parts: string[]): string {
  return join(repoRoot(), 'test', 'fixtures', ...parts);
}

/** MLflow 2.10.2's reference files (schema, both transcript sets), copied from MLflow's own server. */
export function mlflowReference(...parts: string[]): string {
  return fixture('mlflow', 'mlflow-2.10.2', ...parts);
}

/** Stores made by MLflow's own migrations for every release head 2.11 → 3.13 (README there). */
export function mlflowSchemas(...parts: string[]): string {
  return fixture('mlflow', 'schemas', ...parts);
}

/** A bundled example dataset (examples/<name>). */
export function example(name: string): string {
  return join(repoRoot(), 'examples', name);
}
