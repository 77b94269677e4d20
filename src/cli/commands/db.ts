import { ModelOpsError } from '../../core/errors';
import { MLFLOW_HEADS, NEWEST_HEAD, headForRelease } from '../../store/schema/mlflow-heads';
import { rowCounts, upgradeStore, upgradeTargets } from '../../store/schema/upgrade';
import type { StoreFile } from '../../store/sql/store-file';
import type { CommandContext, CommandSpec } from '../command';
import { formatFields, formatTable } from '../output';

async function workspaceFile(ctx: CommandContext, what: string): Promise<StoreFile> {
  const stores = await ctx.stores();
  if (!stores.file)
    throw new ModelOpsError('INVALID_PARAMETER_VALUE', `${what} works on a workspace store file, not on a tracking server (${ctx.storeUri})`, {
      location: 'store',
    });
  return stores.file;
}

/** `modelops db info`: the store's schema revision, the MLflow releases that have it, the engine, row counts. */
const dbInfo: CommandSpec = {
  path: ['db', 'info'],
  summary: "the store's MLflow schema revision and releases, engine, workspace and row counts",
  async run(ctx) {
    const file = await workspaceFile(ctx, 'db info');
    const s = file.schema;
    const counts = await file.read((db) => rowCounts(db));
    const targets = upgradeTargets(s.revision);
    const info = {
      store: file.path,
      revision: s.revision,
      mlflow: s.releases,
      engine: file.engine.name === 'node:sqlite' ? 'node:sqlite' : `sql.js (${file.engine.reason})`,
      workspace: s.workspaces ? file.workspace : '(this schema has no workspaces)',
      access: s.readOnly ? `read-only: ${s.readOnly}` : 'read-write',
      upgrade:
        targets.length === 0
          ? 'none (the newest schema this version knows, or one it does not know)'
          : `modelops db upgrade --to ${targets.map((h) => h.label).join('|')} (default ${NEWEST_HEAD.label})`,
    };
    if (ctx.json) return ctx.printJson({ ...info, rows: counts });
    ctx.print(formatFields(Object.entries(info)));
    const nonEmpty = Object.entries(counts).filter(([, n]) => n > 0);
    ctx.print(
      formatTable(nonEmpty, [
        { header: 'TABLE', value: ([t]) => t },
        { header: 'ROWS', value: ([, n]) => String(n), right: true },
      ]),
    );
  },
};

/** `modelops db upgrade [--to <release>]`: MLflow's schema of a newer release, after a verified backup. */
const dbUpgrade: CommandSpec = {
  path: ['db', 'upgrade'],
  summary: `move the store to a newer MLflow release's schema (default ${NEWEST_HEAD.label}) after a verified backup beside it; stop other writers first`,
  writes: true,
  options: {
    to: { type: 'string', value: '<release>', description: `MLflow release (${MLFLOW_HEADS.map((h) => h.label).join(', ')}, or e.g. 2.17.1)` },
  },
  async run(ctx) {
    const file = await workspaceFile(ctx, 'db upgrade');
    const to = typeof ctx.options.to === 'string' ? headForRelease(ctx.options.to) : NEWEST_HEAD;
    const from = file.schema;
    const r = await upgradeStore(file, to);
    if (ctx.json) return ctx.printJson(r);
    ctx.print(
      formatFields([
        ['upgraded', `${from.revision} (${from.releases}) → ${to.revision} (MLflow ${to.releases})`],
        ['backup', `${r.backup} (verified: integrity check ok, every row present)`],
        ['tables created', r.created.join(', ') || 'none'],
        ['tables rebuilt', r.rebuilt.join(', ') || 'none'],
        ['indexes, triggers', r.indexes.join(', ') || 'none'],
        ['rows', `${Object.values(r.rows).reduce((a, x) => a + x.after, 0)} kept in ${Object.keys(r.rows).length} tables`],
      ]),
    );
  },
};

export const dbCommands: readonly CommandSpec[] = [dbInfo, dbUpgrade];
