// Child process for the concurrent promotion test: promotes one version in a store, prints the outcome.
import { promoteModelVersion } from '../../../src/pipeline/promote';
import { StoreDatabase } from '../../../src/store/sqljs/database';
import { SqljsRegistryStore } from '../../../src/store/sqljs/registry-store';
import { SqljsTrackingStore } from '../../../src/store/sqljs/tracking-store';

async function main(): Promise<void> {
  const [file, version] = process.argv.slice(2);
  const db = await StoreDatabase.open(file!, { create: false });
  const stores = { tracking: new SqljsTrackingStore(db), registry: new SqljsRegistryStore(db) };
  try {
    const r = await promoteModelVersion(stores, { name: 'churn', version: version!, approve: true, comment: `race ${version}`, actor: `p${version}` });
    process.stdout.write(JSON.stringify({ version, archived: r.archived }));
  } finally {
    await db.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(String(e));
  process.exit(1);
});
