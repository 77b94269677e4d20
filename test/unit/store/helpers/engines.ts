import type { EngineChoice } from '../../../../src/store/engine';
import { loadNodeSqlite } from '../../../../src/store/native/node-sqlite';

/**
 * The store engines the engine-parametrized suites run on: those this runtime has (sql.js always,
 * node:sqlite where Node has it), narrowed by MODELOPS_TEST_ENGINES. scripts/test-unit.mjs runs the
 * tier on Node 20 (sql.js) and again on the bootstrapped Node 24 with MODELOPS_TEST_ENGINES=sqlite,
 * so each engine runs once; on a Node that has node:sqlite alone, both run.
 */
export type TestEngine = Exclude<EngineChoice, 'auto'>;

const AVAILABLE: readonly TestEngine[] = loadNodeSqlite().module ? ['sqlite', 'sqljs'] : ['sqljs'];
const ASKED = (process.env.MODELOPS_TEST_ENGINES ?? '')
  .split(',')
  .map((e) => e.trim())
  .filter((e) => e !== '');

export const ENGINES: readonly TestEngine[] = ASKED.length === 0 ? AVAILABLE : AVAILABLE.filter((e) => ASKED.includes(e));

export const ENGINE_NAME: Record<TestEngine, string> = { sqlite: 'node:sqlite', sqljs: 'sql.js' };

/** The environment for a child process that must open stores with `engine`. */
export function engineEnv(engine: TestEngine): NodeJS.ProcessEnv {
  return { ...process.env, MODELOPS_STORE_ENGINE: engine };
}
