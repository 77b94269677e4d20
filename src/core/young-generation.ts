import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (a few MB) for the rest of this process.
 * V8 grows it as objects survive, up to a size set from the machine's memory: on Node 24 with
 * 24 GiB that is 128 MB, most of it garbage room beside a large training frame (a 200 MB CSV
 * trained at 439 MB, and at 301-318 MB with this). The growth factor is read each time V8 would grow the
 * space, so setting it now works where the maximum, fixed at start-up, cannot be changed. Only for
 * a process the product owns (the CLI): the extension host's V8 is shared with other extensions.
 */
export function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // A runtime that refuses the flag keeps its own sizing: no slower, only larger.
  }
}
