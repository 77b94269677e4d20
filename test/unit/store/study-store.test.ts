import { join } from 'node:path';
import { after } from 'node:test';
import { openStores } from '../../../src/store/open';
import { ENGINES, ENGINE_NAME } from './helpers/engines';
import { tempDir } from './helpers/temp';
import { studyStoreContract } from './study-contract';

/** The study contract on the workspace store, each engine; a second client is a second opener of the same file. */
const tmp = tempDir('modelops-studies-');
after(() => tmp.cleanup());
let n = 0;

for (const engine of ENGINES) {
  studyStoreContract(`workspace store, ${ENGINE_NAME[engine]}`, async () => {
    const file = join(tmp.dir, `s${++n}`, 'mlflow.db');
    const db = await openStores(file, { engine });
    const others: { close(): Promise<void> }[] = [];
    return {
      studies: db.studies,
      reopen: async () => {
        const other = await openStores(file, { engine });
        others.push(other);
        return other.studies;
      },
      close: async () => {
        for (const o of others) await o.close();
        await db.close();
      },
    };
  });
}
