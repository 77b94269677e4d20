/**
 * What a panel command was invoked on. VS Code passes a tree command (clicked item, selected
 * items) when the experiments tree allows multi-select; the palette passes nothing; other code
 * and tests pass run ids or `{ name, version }`. No vscode import.
 */

function runIdOf(x: unknown): string | undefined {
  if (typeof x === 'string' && x.trim() !== '') return x.trim();
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as { kind?: unknown; run?: { info?: { runId?: unknown } }; runId?: unknown };
  if (o.kind === 'run' && typeof o.run?.info?.runId === 'string') return o.run.info.runId;
  if (typeof o.runId === 'string') return o.runId;
  return undefined;
}

/** Run ids in selection order, without duplicates: the selection wins over the clicked item. */
export function runIdsFromArgs(args: readonly unknown[]): string[] {
  const [clicked, selected] = args;
  const candidates: unknown[] = Array.isArray(selected) && selected.length > 0 ? selected : Array.isArray(clicked) ? clicked : [clicked];
  const ids: string[] = [];
  for (const c of candidates) {
    const id = runIdOf(c);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * The workspace folder key of the tree items a panel command was invoked on (every tree node carries
 * `folder`); undefined from the palette or when given plain ids.
 */
export function folderFromArgs(args: readonly unknown[]): string | undefined {
  const [clicked, selected] = args;
  const candidates: unknown[] = Array.isArray(selected) && selected.length > 0 ? selected : Array.isArray(clicked) ? clicked : [clicked];
  for (const c of candidates) {
    if (typeof c === 'object' && c !== null && typeof (c as { folder?: unknown }).folder === 'string') return (c as { folder: string }).folder;
  }
  return undefined;
}

export interface VersionTarget {
  name: string;
  version: string;
}

/** A models-tree version item (`{kind: 'version', version: ModelVersion}`) or `{ name, version }`. */
export function versionFromArg(arg: unknown): VersionTarget | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as { kind?: unknown; version?: unknown; name?: unknown };
  if (o.kind === 'version' && typeof o.version === 'object' && o.version !== null) return versionFromArg(o.version);
  if (typeof o.name === 'string' && (typeof o.version === 'string' || typeof o.version === 'number')) return { name: o.name, version: String(o.version) };
  return undefined;
}

/** An experiment a runs table opens on: a tree node, `{ experimentId, folder? }` or an id. */
export function experimentFromArg(arg: unknown): { experimentId: string; folder?: string } | undefined {
  if (typeof arg === 'string' && /^\d+$/.test(arg.trim())) return { experimentId: arg.trim() };
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as {
    kind?: unknown;
    folder?: unknown;
    experiment?: { experimentId?: unknown };
    experimentId?: unknown;
    run?: { info?: { experimentId?: unknown } };
  };
  const folder = typeof o.folder === 'string' ? { folder: o.folder } : {};
  if (o.kind === 'experiment' && typeof o.experiment?.experimentId === 'string') return { experimentId: o.experiment.experimentId, ...folder };
  if (o.kind === 'run' && typeof o.run?.info?.experimentId === 'string') return { experimentId: o.run.info.experimentId, ...folder };
  if (typeof o.experimentId === 'string') return { experimentId: o.experimentId, ...folder };
  return undefined;
}

export type RunSection = 'overview' | 'params' | 'metrics' | 'datasets' | 'artifacts' | 'versions';

/**
 * A run a run page opens on, and where on the page: a run node, a tree node under a run (a param, a
 * metric, an artifact), `{ runId, folder?, artifact?, section? }` or a run id.
 */
/** A run to open, and where on its page. */
export interface RunOpenTarget {
  runId: string;
  folder?: string;
  section?: RunSection;
  artifact?: string;
  metric?: string;
}

export function runTargetFromArg(arg: unknown): RunOpenTarget | undefined {
  if (typeof arg === 'string') return arg.trim() ? { runId: arg.trim() } : undefined;
  if (typeof arg !== 'object' || arg === null) return undefined;
  const o = arg as Record<string, unknown> & { run?: { info?: { runId?: unknown } } };
  // Tree nodes under a run (its groups, artifacts) carry the run; its values and other callers, the id.
  const runId = o.run?.info?.runId ?? o.runId;
  if (typeof runId !== 'string' || runId === '') return undefined;
  const out: { runId: string; folder?: string; section?: RunSection; artifact?: string; metric?: string } = { runId };
  if (typeof o.folder === 'string') out.folder = o.folder;
  const sections: readonly string[] = ['overview', 'params', 'metrics', 'datasets', 'artifacts', 'versions'];
  if (typeof o.section === 'string' && sections.includes(o.section)) out.section = o.section as RunSection;
  if (o.kind === 'artifact' && typeof o.path === 'string') {
    out.section = 'artifacts';
    if (o.isDir !== true) out.artifact = o.path;
  } else if (typeof o.artifact === 'string') {
    out.section = 'artifacts';
    out.artifact = o.artifact;
  }
  if (o.kind === 'runGroup' && typeof o.group === 'string' && sections.includes(o.group)) out.section = o.group as RunSection;
  if (o.kind === 'runValue' && typeof o.group === 'string' && sections.includes(o.group)) {
    out.section = o.group as RunSection;
    if (o.group === 'metrics' && typeof o.key === 'string') out.metric = o.key;
  }
  return out;
}
