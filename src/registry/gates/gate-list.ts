import type { Gate, GateField } from './gate';
import { baselineGate } from './baseline-gate';
import { dataGate } from './data-gate';
import { latencyGate } from './latency-gate';
import { metricGate } from './metric-gate';
import { signatureGate } from './signature-gate';
import { sizeGate } from './size-gate';
import { smokeTestGate } from './smoke-test-gate';

/**
 * Every validation gate, in report order (the smoke test before latency: latency times the smoke
 * test's run). Adding a gate is a new file beside these and an entry here: the gates spec type,
 * the gates.json parser, its JSON Schema and the report follow from this list.
 */
export const GATES = [dataGate, metricGate, baselineGate, signatureGate, smokeTestGate, latencyGate, sizeGate] as const;

type ConfigOf<G> = G extends Gate<infer F, string> ? F : never;
type Configs<L> = L extends readonly [infer H, ...infer R] ? ConfigOf<H> & Configs<R> : unknown;

/** The validation gates of one model: every gate's fields (see `.modelops/gates.json`, registry/gates-config.ts). */
export type GateSpec = Configs<typeof GATES>;

/** The report's `gate` field. */
export type GateKind = (typeof GATES)[number]['kind'];

/** Every gate's fields, in list order: what a gates spec may hold. */
export const GATE_FIELDS: readonly [string, GateField<unknown>][] = GATES.flatMap((g) => Object.entries(g.fields as Record<string, GateField<unknown>>));
