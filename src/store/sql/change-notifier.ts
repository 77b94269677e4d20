import type { FSWatcher } from 'node:fs';
import { realpathSync, unwatchFile, watch, watchFile } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { FileSignature } from './file-signature';
import { sameSignature, signatureOf } from './file-signature';

/**
 * The one watcher of a store file. Engines call `committed()` after their own commits (listeners
 * hear at once); other writers (the CLI, MLflow, another window) are caught by a folder watch
 * plus a 1 s stat poll, reported once per new file state. Watching runs only while someone listens.
 */
export class ChangeNotifier {
  private readonly listeners = new Set<() => void>();
  private last: FileSignature | undefined;
  private stopWatching: (() => void) | undefined;

  constructor(private readonly path: string) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.start();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.stop();
    };
  }

  /** After this process committed: tell listeners now, and do not tell them again for this state. */
  committed(): void {
    if (this.listeners.size === 0) return; // nobody watches: nothing to tell, nothing to remember
    this.last = signatureOf(this.path);
    this.emit();
  }

  close(): void {
    this.listeners.clear();
    this.stop();
  }

  private start(): void {
    this.last = signatureOf(this.path);
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      timer = undefined;
      const now = signatureOf(this.path);
      if (!sameSignature(now, this.last)) {
        this.last = now;
        this.emit();
      }
    };
    const poke = (): void => {
      timer ??= setTimeout(check, 30);
    };
    // Folders, not the file: a whole-file writer renames a new file over it, which a file watch loses.
    const watchers: FSWatcher[] = [];
    for (const file of new Set([this.path, realPath(this.path)])) {
      try {
        watchers.push(watch(dirname(file), { persistent: false }, (_e, name) => (name === null || name.startsWith(basename(file)) ? poke() : undefined)));
      } catch {
        /* the poll below still sees every change */
      }
    }
    watchFile(this.path, { interval: 1000, persistent: false }, poke);
    this.stopWatching = () => {
      for (const w of watchers) w.close();
      unwatchFile(this.path, poke);
      if (timer) clearTimeout(timer);
    };
  }

  private stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l();
      } catch {
        /* a listener's failure is not the writer's */
      }
    }
  }
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
