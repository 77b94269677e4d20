import { userInfo } from 'node:os';

/** Who is acting, for the audit trail: `$MODELOPS_ACTOR`, else the OS user (the editor passes its account name). */
export function defaultActor(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MODELOPS_ACTOR && env.MODELOPS_ACTOR.trim() !== '') return env.MODELOPS_ACTOR.trim();
  try {
    return userInfo().username || env.USER || 'unknown';
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}
