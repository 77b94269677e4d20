// Removes the compiled tests and sources under out/ before tsc writes them again, so a test file
// deleted or renamed in test/ cannot keep running from a stale .js (bench bundles are kept).
import { rmSync } from 'node:fs';

for (const dir of ['out/src', 'out/test', 'out/bench']) rmSync(dir, { recursive: true, force: true });
