import { join } from 'node:path';
import { after } from 'node:test';
import { openTrackingStore } from '../../../../src/store/open';
import { tempDir } from '../helpers/temp';
import { describeTrackingStoreContract } from '../tracking-store-contract';

const tmp = tempDir();
after(() => tmp.cleanup());
let n = 0;

describeTrackingStoreContract('sql.js workspace store', {
  scratchDir: tmp.dir,
  create: () => openTrackingStore(join(tmp.dir, `store-${++n}`, '.modelops', 'mlflow.db')),
});
