import type { FeatureSpec, Task } from '../dataset/schema';

/** One column of an MLflow column-based signature. */
export interface ColSpec {
  type: 'double' | 'long' | 'string' | 'boolean';
  name?: string;
  required: boolean;
}

export interface ModelSignature {
  inputs: ColSpec[];
  outputs: ColSpec[];
}

export function signatureFor(features: FeatureSpec[], target: string, task: Task): ModelSignature {
  return {
    inputs: features.map((f) => ({ type: f.kind === 'categorical' ? 'string' : f.kind === 'boolean' ? 'boolean' : 'double', name: f.name, required: true })),
    outputs: [{ type: task === 'classification' ? 'string' : 'double', name: target, required: true }],
  };
}

/**
 * The signature's params schema (MLflow ≥ 2.6 `ParamSchema`, serialized as `ParamSpec.to_dict()`):
 * `params={"predict_proba": true}` asks the pyfunc model and `modelops serve` for class probabilities.
 */
export const PARAMS_JSON = '[{"name": "predict_proba", "type": "boolean", "default": false, "shape": null}]';

/** MLflow serializes each side of the signature as a JSON string inside MLmodel (with ", " and ": " separators, as Python's json.dumps does). */
export function colSpecJson(cols: ColSpec[]): string {
  return `[${cols
    .map((c) => {
      const parts = [`"type": ${JSON.stringify(c.type)}`];
      if (c.name !== undefined) parts.push(`"name": ${JSON.stringify(c.name)}`);
      parts.push(`"required": ${c.required}`);
      return `{${parts.join(', ')}}`;
    })
    .join(', ')}]`;
}

export function parseColSpecJson(s: unknown): ColSpec[] | undefined {
  if (typeof s !== 'string') return undefined;
  try {
    const v = JSON.parse(s) as unknown;
    if (!Array.isArray(v)) return undefined;
    return v.map((c: { type?: unknown; name?: unknown; required?: unknown }) => ({
      type: String(c.type) as ColSpec['type'],
      ...(typeof c.name === 'string' ? { name: c.name } : {}),
      required: c.required !== false,
    }));
  } catch {
    return undefined;
  }
}

/**
 * Problems with input columns against a signature: required columns missing, and columns the
 * model does not know (reported, not fatal). Empty when the input fits.
 */
export function checkColumns(columns: readonly string[], signature: ModelSignature): { missing: string[]; extra: string[] } {
  const have = new Set(columns);
  const known = new Set(signature.inputs.map((c) => c.name));
  return {
    missing: signature.inputs.filter((c) => c.required && c.name !== undefined && !have.has(c.name)).map((c) => c.name as string),
    extra: columns.filter((c) => !known.has(c)),
  };
}
