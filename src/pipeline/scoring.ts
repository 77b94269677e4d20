import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from '../ml/dataset/dataset';
import type { Ensemble, EnsemblePrediction } from '../ml/ensemble/ensemble';
import type { ModelInfo } from '../ml/ensemble/model-package';
import { loadModel } from '../ml/ensemble/model-package';
import type { InputColumn } from './predict-input';

/** A loaded model with what scoring and validation need to know about its inputs. */
export interface ScoringModel {
  dir: string;
  model: Ensemble;
  info: ModelInfo;
  /** Signature inputs, with the training categories of string columns. */
  inputs: InputColumn[];
}

export function openScoringModel(dir: string): ScoringModel {
  const { model, info } = loadModel(dir);
  const categories = new Map<string, string[]>();
  // The categories live in the fitted preprocessing; only its JSON exposes them.
  for (const step of model.toJSON().preprocessing.steps) {
    if (step.kind === 'categorical') categories.set(step.name, step.categories);
  }
  const inputs = info.signature.inputs
    .filter((c) => c.name !== undefined)
    .map((c): InputColumn => {
      const cats = categories.get(c.name!);
      return { name: c.name!, type: c.type, required: c.required, ...(cats ? { categories: cats } : {}) };
    });
  return { dir, model, info, inputs };
}

export function score(m: ScoringModel, frame: Frame): EnsemblePrediction {
  return m.model.predictFrame(frame);
}

/** Bytes on disk of a model directory (for the size budget). */
export function directorySize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    total += s.isDirectory() ? directorySize(p) : s.size;
  }
  return total;
}
