import { ModelOpsError } from './errors';

/** MLflow's page tokens: base64 of `{"offset": n}`, byte-identical to Python's json.dumps (the REST API hands them out). */
export function encodePageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    /* fall through */
  }
  throw new ModelOpsError('INVALID_PARAMETER_VALUE', `Invalid page token, could not base64-decode: '${token}'`, { location: 'page_token' });
}
