import { retrain } from '../../pipeline/retrain';
import { checkStoreFor } from '../../pipeline/store-checks';
import type { CommandSpec } from '../command';
import { printRegistration } from './register';
import { actorOf, actorOption, registryStores, stringOption } from './registry-context';

/** `modelops retrain`: data check → train with the best known params → validate (→ Staging) → inference test. */
export const retrainCommand: CommandSpec = {
  path: ['retrain'],
  summary: 'retrain a registered model on new data with its best known params, validate it and test inference (for CI)',
  writes: true,
  options: {
    name: { type: 'string', value: '<model>', description: 'registered model to retrain' },
    data: { type: 'string', value: '<file.csv>', description: 'new training data' },
    target: { type: 'string', value: '<column>', description: 'target column (default: the model’s)' },
    holdout: { type: 'string', value: '<file.csv>', description: 'held-out data for the gates (default: the gates file’s data)' },
    ...actorOption,
  },
  async run(ctx) {
    const name = stringOption(ctx, 'name', true, 'retrain');
    const target = stringOption(ctx, 'target');
    const holdout = stringOption(ctx, 'holdout');
    await checkStoreFor(await ctx.stores(), { what: 'retrain', write: true, registry: true, artifacts: {} });
      const r = await retrain(await registryStores(ctx), {
        name,
        data: stringOption(ctx, 'data', true, 'retrain'),
        actor: actorOf(ctx),
        workspace: ctx.io.cwd,
        signal: ctx.signal,
        onProgress: (step, message) => ctx.io.stderr.write(`[${step}] ${message}\n`),
        ...(target ? { target } : {}),
        ...(holdout ? { holdout } : {}),
      });
      const passed = r.registered.validation?.report.passed !== false && (r.inference === null || r.inference.ok);
      if (ctx.json) {
        ctx.printJson(r);
        return passed && r.inference !== null ? 0 : 1;
      }
      ctx.print(`trained run ${r.trainRunId} with the params of run ${r.paramsFrom.runId} (${r.paramsFrom.metric} ${r.paramsFrom.value ?? 'n/a'})`);
      const code = printRegistration(ctx, r.registered);
      if (r.inference) ctx.print(`inference test: ${r.inference.ok ? 'OK' : 'FAILED'} — ${r.inference.message}`);
      return code !== 0 || !r.inference?.ok ? 1 : 0;
  },
};
