/**
 * Messages of the search space editor (the Tune form's "Edit in a table…"): the host sends the
 * space to start from; the panel sends back the edited space to use for this Tune, or to save as a
 * `*.modelops-space.json` file of the workspace folder. Both sides check the space with
 * SEARCH_SPACE, the `--space` file's own check.
 */
import type { Infer } from './validate';
import { arr, literal, obj, record, str, unknownValue } from './validate';
import { emptyParams, readyParams, READY } from './protocol';
import { spaceRowCheck } from './space-table';

export const spaceEditorStateCheck = obj({
  rows: arr(spaceRowCheck, 10_000),
  /** Where the rows came from: `the default ranges`, or the file's folder-relative path. */
  source: str,
  /** The file name Save offers (`search.modelops-space.json`, or the file the rows came from). */
  fileName: str,
});

const spaceParams = obj({ space: record(unknownValue) });
const saveParams = obj({ space: record(unknownValue), fileName: str });
const doneResult = obj({ outcome: literal('used', 'saved', 'refused'), message: str });

export const spaceEditorContract = {
  requests: {
    'space/use': { params: spaceParams, result: doneResult },
    'space/save': { params: saveParams, result: doneResult },
  },
  toWebview: {
    'space/state': spaceEditorStateCheck,
  },
  toHost: {
    [READY]: readyParams,
    'space/cancel': emptyParams,
  },
} as const;

export type SpaceEditorContract = typeof spaceEditorContract;
export type SpaceEditorState = Infer<typeof spaceEditorStateCheck>;
