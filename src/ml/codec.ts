import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ModelOpsError } from '../core/errors';

/** Typed arrays in JSON payloads: raw-deflated little-endian bytes in base64. */
export function packArray(a: ArrayBufferView): string {
  return deflateRawSync(Buffer.from(a.buffer, a.byteOffset, a.byteLength), { level: 6 }).toString('base64');
}

function unpackBytes(s: unknown, field: string, owner: string): ArrayBuffer {
  if (typeof s !== 'string') throw new ModelOpsError('MODEL_INVALID', `${owner} payload: ${field} is missing`);
  let buf: Buffer;
  try {
    buf = inflateRawSync(Buffer.from(s, 'base64'));
  } catch (e) {
    throw new ModelOpsError('MODEL_INVALID', `${owner} payload: ${field} is corrupt (${(e as Error).message})`);
  }
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return copy;
}

export function unpackFloat32(s: unknown, field: string, owner: string, length?: number): Float32Array {
  const b = unpackBytes(s, field, owner);
  if (b.byteLength % 4 !== 0 || (length !== undefined && b.byteLength !== length * 4)) {
    throw new ModelOpsError('MODEL_INVALID', `${owner} payload: ${field} has the wrong length`);
  }
  return new Float32Array(b);
}

export function unpackFloat64(s: unknown, field: string, owner: string, length?: number): Float64Array {
  const b = unpackBytes(s, field, owner);
  if (b.byteLength % 8 !== 0 || (length !== undefined && b.byteLength !== length * 8)) {
    throw new ModelOpsError('MODEL_INVALID', `${owner} payload: ${field} has the wrong length`);
  }
  return new Float64Array(b);
}
