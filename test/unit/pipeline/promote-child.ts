// Child process for the concurrent promotion test: promotes one version in a store, prints the outcome.
import { promoteModelVersion } from '../../../src/pipeline/promote';
import { openStores } from '../../../src/store/open';

async function main(): Promise<void> {
  const [file, version] = process.argv.slice(2);
  const stores = await openStores(file!, { create: false });
  try {
    const r = await promoteModelVersion(stores, { name: 'churn', version: version!, approve: true, comment: `race ${version}`, actor: `p${version}` });
    process.stdout.write(JSON.stringify({ version, archived: r.archived }));
  } finally {
    await stores.close();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(String(e));
  process.exit(1);
});
