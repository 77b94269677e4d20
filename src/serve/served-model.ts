import { resolve } from 'node:path';
import { ModelOpsError, errorMessage } from '../core/errors';
import type { ModelUri } from '../core/model-uri';
import { formatModelUri, parseModelUri } from '../core/model-uri';
import type { ModelVersion } from '../core/registry';
import type { Stores } from '../pipeline/model-resolve';
import { resolveModel, resolveVersion } from '../pipeline/model-resolve';
import type { ScoringModel } from '../pipeline/scoring';
import { openScoringModel } from '../pipeline/scoring';

/** The model answering requests right now. */
export interface Served {
  scoring: ScoringModel;
  /** What served it, for the response header: `models:/churn/3`, or the run / folder URI. */
  servedBy: string;
  version?: ModelVersion;
}

export interface FollowOptions {
  cwd?: string;
  /** Store changes, by anyone (`Stores.onDidChange` of src/store/open.ts); returns a disposer. */
  onStoreChange?: (listener: () => void) => () => void;
  log?: (line: string) => void;
  /** After each switch to another version. */
  onSwitch?: (now: Served, before: Served) => void;
}

/** Stage, alias and latest URIs name whichever version holds them now: those follow the registry. */
export function followsRegistry(uri: ModelUri): boolean {
  return uri.kind === 'stage' || uri.kind === 'alias' || uri.kind === 'latest';
}

async function load(stores: Stores | null, uri: ModelUri, cwd: string): Promise<Served> {
  if (!stores) {
    if (uri.kind !== 'path')
      throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${formatModelUri(uri)}: serving this model URI needs a store`, { location: 'model' });
    const dir = resolve(cwd, uri.path);
    return { scoring: openScoringModel(dir), servedBy: dir };
  }
  const found = await resolveModel(stores, uri, cwd); // a registry version's pinned bytes are checked here
  const scoring = openScoringModel(found.dir);
  if (!found.version) return { scoring, servedBy: found.uri };
  return { scoring, servedBy: `models:/${found.version.name}/${found.version.version}`, version: found.version };
}

/**
 * The served model, and for a stage or alias URI the registry following: when another version
 * takes the stage or alias, it is loaded (pin checked) beside the current one and swapped in at
 * once; requests already running finish on the model they started with, so none is dropped. A
 * version that cannot be loaded (e.g. its bytes were changed after registration) is refused and
 * the current one keeps serving.
 */
export class ModelFollower {
  private stopListening: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** The last refusal logged, so a store that keeps changing does not repeat it. */
  private lastRefusal = '';

  private constructor(
    private served: Served,
    private readonly stores: Stores | null,
    readonly uri: ModelUri,
    private readonly options: FollowOptions,
  ) {}

  static async open(stores: Stores | null, model: ModelUri | string, options: FollowOptions = {}): Promise<ModelFollower> {
    const uri = typeof model === 'string' ? parseModelUri(model) : model;
    const follower = new ModelFollower(await load(stores, uri, options.cwd ?? process.cwd()), stores, uri, options);
    if (stores && followsRegistry(uri) && options.onStoreChange) follower.stopListening = options.onStoreChange(() => void follower.refresh());
    return follower;
  }

  current(): Served {
    return this.served;
  }

  /** Looks the URI up again and switches when it names another version; concurrent calls coalesce. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.check();
      } while (this.again);
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async check(): Promise<void> {
    if (!this.stores || !followsRegistry(this.uri)) return;
    const log = this.options.log ?? (() => undefined);
    try {
      const v = await resolveVersion(this.stores.registry, this.uri);
      if (!v || v.version === this.served.version?.version) return;
      const next = await load(this.stores, { kind: 'version', name: v.name, version: v.version }, this.options.cwd ?? process.cwd());
      const before = this.served;
      this.served = next;
      log(`${formatModelUri(this.uri)} is now version ${v.version} (was ${before.version?.version ?? '?'}): serving ${next.servedBy}`);
      this.options.onSwitch?.(next, before);
    } catch (e) {
      const line = `${formatModelUri(this.uri)}: still serving ${this.served.servedBy}; the registry's new version was refused: ${errorMessage(e)}`;
      if (line !== this.lastRefusal) log(line);
      this.lastRefusal = line;
    }
  }

  dispose(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }
}
