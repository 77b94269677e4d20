import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ModelOpsError } from '../../core/errors';
import type { BuiltTree } from './tree-builder';

/**
 * Compact forest serialization. Trees are stored in preorder without child pointers (rebuilt on
 * load): a uint16 feature code per node (0xFFFF = leaf), a uint8 bin per internal node (its
 * threshold is that bin's upper edge, kept once per feature), float32 leaf values. Each stream is
 * raw-deflated and base64-encoded; byte order is little-endian.
 */
const LEAF = 0xffff;

function pack(a: ArrayBufferView): string {
  return deflateRawSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 6 }).toString('base64');
}

function unpack(s: unknown, field: string): Buffer {
  if (typeof s !== 'string') throw invalid(`${field} is missing`);
  try {
    return inflateRawSync(Buffer.from(s, 'base64'));
  } catch (e) {
    throw invalid(`${field} is corrupt (${(e as Error).message})`);
  }
}

function view<T>(buf: Buffer, bytes: number, make: (b: ArrayBuffer) => T, field: string): T {
  if (buf.length % bytes !== 0) throw invalid(`${field} has a truncated length`);
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return make(copy);
}

function invalid(why: string): ModelOpsError {
  return new ModelOpsError('MODEL_INVALID', `random forest payload: ${why}`);
}

export function encodeTrees(trees: BuiltTree[], edges: Float32Array[], d: number): Record<string, string> {
  if (d >= LEAF) throw new ModelOpsError('INVALID_PARAMETER_VALUE', `random forest: at most ${LEAF - 1} features can be saved`);
  let nodes = 0;
  let internal = 0;
  let leafValues = 0;
  for (const t of trees) {
    nodes += t.feature.length;
    for (const f of t.feature) if (f >= 0) internal++;
    leafValues += t.values.length;
  }
  const counts = new Uint32Array(trees.length);
  const features = new Uint16Array(nodes);
  const bins = new Uint8Array(internal);
  const values = new Float32Array(leafValues);
  const importance = new Float64Array(trees.length * d);
  let n0 = 0;
  let b0 = 0;
  let v0 = 0;
  trees.forEach((t, i) => {
    counts[i] = t.feature.length;
    for (let j = 0; j < t.feature.length; j++) {
      const f = t.feature[j];
      features[n0 + j] = f < 0 ? LEAF : f;
      if (f >= 0) bins[b0++] = t.bin[j];
    }
    values.set(t.values, v0);
    importance.set(t.importance, i * d);
    n0 += t.feature.length;
    v0 += t.values.length;
  });

  const edgeCounts = Int32Array.from(edges.map((e) => e.length));
  const allEdges = new Float32Array(edgeCounts.reduce((s, x) => s + x, 0));
  let e0 = 0;
  for (const e of edges) {
    allEdges.set(e, e0);
    e0 += e.length;
  }
  return {
    encoding: 'deflate-raw+base64;le;preorder/1',
    nodeCounts: pack(counts),
    features: pack(features),
    bins: pack(bins),
    values: pack(values),
    importance: pack(importance),
    edgeCounts: pack(edgeCounts),
    edges: pack(allEdges),
  };
}

export function decodeTrees(json: Record<string, unknown>, d: number, V: number): { trees: BuiltTree[]; edges: Float32Array[] } {
  if (json.encoding !== 'deflate-raw+base64;le;preorder/1') throw invalid(`unknown encoding '${String(json.encoding)}'`);
  if (!Number.isInteger(d) || d < 1) throw invalid('nFeatures is missing');
  const counts = view(unpack(json.nodeCounts, 'nodeCounts'), 4, (b) => new Uint32Array(b), 'nodeCounts');
  const features = view(unpack(json.features, 'features'), 2, (b) => new Uint16Array(b), 'features');
  const bins = unpack(json.bins, 'bins');
  const values = view(unpack(json.values, 'values'), 4, (b) => new Float32Array(b), 'values');
  const importance = view(unpack(json.importance, 'importance'), 8, (b) => new Float64Array(b), 'importance');
  const edgeCounts = view(unpack(json.edgeCounts, 'edgeCounts'), 4, (b) => new Int32Array(b), 'edgeCounts');
  const allEdges = view(unpack(json.edges, 'edges'), 4, (b) => new Float32Array(b), 'edges');
  if (edgeCounts.length !== d) throw invalid(`edges for ${edgeCounts.length} features, expected ${d}`);
  const edges: Float32Array[] = [];
  let e0 = 0;
  for (let f = 0; f < d; f++) {
    edges.push(allEdges.slice(e0, e0 + edgeCounts[f]));
    e0 += edgeCounts[f];
  }
  if (e0 !== allEdges.length) throw invalid('edge counts do not match the edges');
  if (importance.length !== counts.length * d) throw invalid('importance length does not match the trees');
  const trees: BuiltTree[] = [];
  let n0 = 0;
  let b0 = 0;
  let v0 = 0;
  for (let i = 0; i < counts.length; i++) {
    const m = counts[i];
    if (n0 + m > features.length) throw invalid('fewer nodes than the node counts say');
    const feature = new Int32Array(m);
    const bin = new Uint8Array(m);
    const right = new Int32Array(m);
    let leaves = 0;
    for (let j = 0; j < m; j++) {
      const f = features[n0 + j];
      if (f === LEAF) {
        feature[j] = -1;
        right[j] = leaves++;
      } else {
        if (f >= d) throw invalid(`tree ${i} node ${j} uses feature ${f} of ${d}`);
        if (b0 >= bins.length) throw invalid('fewer bins than internal nodes');
        feature[j] = f;
        bin[j] = bins[b0++];
        if (bin[j] >= edgeCounts[f]) throw invalid(`tree ${i} node ${j} has bin ${bin[j]} beyond feature ${f}'s ${edgeCounts[f]} edges`);
      }
    }
    // Rebuild right-child pointers from preorder: a subtree ends where its leaves balance its splits.
    const end = (start: number): number => {
      if (start >= m) throw invalid(`tree ${i} is truncated`);
      if (feature[start] < 0) return start + 1;
      const r = end(start + 1);
      right[start] = r;
      return end(r);
    };
    if (end(0) !== m) throw invalid(`tree ${i} has trailing nodes`);
    const nv = leaves * V;
    if (v0 + nv > values.length) throw invalid('fewer leaf values than leaves');
    trees.push({ feature, bin, right, values: values.slice(v0, v0 + nv), importance: importance.slice(i * d, (i + 1) * d) });
    n0 += m;
    v0 += nv;
  }
  if (n0 !== features.length || b0 !== bins.length || v0 !== values.length) throw invalid('stream lengths do not match the trees');
  return { trees, edges };
}
