import type { EngineChoice } from '../../../../src/store/engine';
import { loadNodeSqlite } from '../../../../src/store/native/node-sqlite';

/**
 * The store engines this runtime can run: sql.js always, node:sqlite where Node has it. The unit
 * tier runs under Node 20 and again under the bootstrapped Node 24 (scripts/test-unit.mjs), so
 * every engine-parametrized suite runs on both engines.
 */
export type TestEngine = Exclude<EngineChoice, 'auto'>;

export const ENGINES: readonly TestEngine[] = loadNodeSqlite().module ? ['sqlite', 'sqljs'] : ['sqljs'];

export const ENGINE_NAME: Record<TestEngine, string> = { sqlite: 'node:sqlite', sqljs: 'sql.js' };

/** The environment for a child process that must open stores with `engine`. */
export function engineEnv(engine: TestEngine): NodeJS.ProcessEnv {
  return { ...process.env, MODELOPS_STORE_ENGINE: engine };
}
