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
  // One-hot encoded columns are named `<column>=<category>`: the training categories, without
  // serializing the whole model. (Ordinal-encoded columns have too many categories to check.)
  const features = model.featureNames;
  const categoriesOf = (name: string): string[] | undefined => {
    if (features.includes(name)) return undefined;
    const found = features.filter((f) => f.startsWith(`${name}=`)).map((f) => f.slice(name.length + 1));
    return found.length > 0 ? found : undefined;
  };
  const inputs = info.signature.inputs
    .filter((c) => c.name !== undefined)
    .map((c): InputColumn => {
      const cats = c.type === 'string' ? categoriesOf(c.name!) : undefined;
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
