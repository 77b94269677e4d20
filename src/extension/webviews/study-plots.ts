/**
 * The study panel's plots, shaped on the host (unit-tested in Node): the intermediate values each
 * trial reported per step (for our studies the running mean CV score after each fold), and the
 * params of the complete trials beside their values (slice, contour and parallel coordinates).
 */
import type { FrozenTrial, ParamValue, StudyRecord } from '../../core/tuning';
import type { StudyDetail } from '../../shared/study-protocol';
import type { Distribution } from '../../tuning/distributions';
import { parseSearchSpace } from '../../tuning/distributions';

const paramText = (v: ParamValue): string => (v === null ? 'none' : String(v));

/** Every step any trial reported, and each trial's value at each (null where it reported none), in trial order. */
export function intermediateValues(trials: readonly FrozenTrial[]): StudyDetail['intermediate'] {
  const reported = [...trials].filter((t) => Object.keys(t.intermediate).length > 0).sort((a, b) => a.number - b.number);
  const steps = [...new Set(reported.flatMap((t) => Object.keys(t.intermediate).map(Number)))].filter(Number.isFinite).sort((a, b) => a - b);
  const lines = reported.map((t) => ({
    number: t.number,
    state: t.state,
    values: steps.map((s) => {
      const v = t.intermediate[s];
      return v !== undefined && Number.isFinite(v) ? v : null;
    }),
  }));
  return { steps, lines };
}

/**
 * The study's distributions by name, parsed one at a time: a distribution this version cannot read
 * leaves out only its own param (its plot then takes the kind from the values).
 */
function spaceOf(study: StudyRecord): Map<string, Distribution> {
  const out = new Map<string, Distribution>();
  let raw: unknown;
  try {
    raw = JSON.parse(study.space) as unknown;
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [name, v] of Object.entries(raw)) {
    try {
      out.set(name, parseSearchSpace({ p: v }, `study ${study.name}: space`).p);
    } catch {
      // A distribution this version cannot read: its kind is taken from the values instead.
    }
  }
  return out;
}

type PlotParam = StudyDetail['plots']['params'][number];

/** One param's axis: numeric (raw values; log when its distribution is) or categorical (category indexes). */
function plotParam(name: string, d: Distribution | undefined, values: readonly (ParamValue | undefined)[]): PlotParam {
  const present = values.filter((v): v is ParamValue => v !== undefined);
  const numeric = d ? d.type !== 'categorical' : present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (numeric) {
    const xs = values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
    const seen = xs.filter((x): x is number => x !== null);
    const low = d && d.type !== 'categorical' ? Math.min(d.low, ...seen) : Math.min(...seen);
    const high = d && d.type !== 'categorical' ? Math.max(d.high, ...seen) : Math.max(...seen);
    const log = d !== undefined && d.type !== 'categorical' && d.log === true && low > 0;
    return { name, scale: log ? 'log' : 'numeric', min: seen.length || d ? low : 0, max: seen.length || d ? high : 0, categories: [], positions: xs };
  }
  // The space's order of choices, then any value the space does not list (an edited space).
  const categories = [...new Set([...(d && d.type === 'categorical' ? d.choices.map(paramText) : []), ...present.map(paramText)])];
  const index = new Map(categories.map((c, i) => [c, i]));
  const positions = values.map((v) => (v === undefined ? null : (index.get(paramText(v)) ?? null)));
  return { name, scale: 'categorical', min: 0, max: Math.max(0, categories.length - 1), categories, positions };
}

/** The COMPLETE trials with a value, their values, and one axis per param (the space's, then any other a trial has). */
export function plotData(study: StudyRecord, trials: readonly FrozenTrial[]): StudyDetail['plots'] {
  const complete = [...trials].filter((t) => t.state === 'COMPLETE' && t.value !== undefined && Number.isFinite(t.value)).sort((a, b) => a.number - b.number);
  const space = spaceOf(study);
  const names = [...new Set([...space.keys(), ...complete.flatMap((t) => Object.keys(t.params))])];
  const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
  return {
    numbers: complete.map((t) => t.number),
    values: complete.map((t) => t.value!),
    params: names.map((n) =>
      plotParam(
        n,
        space.get(n),
        complete.map((t) => (has(t.params, n) ? t.params[n] : undefined)),
      ),
    ),
  };
}
