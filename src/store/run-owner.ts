import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Tag } from '../core/tracking';

/**
 * Who is working on a run (or validating a version): the process, its host and its start time, as
 * tags. A run whose owner is gone — killed, crashed, the machine rebooted — is not RUNNING any more;
 * the store marks it FAILED when it opens (orphans.ts). The start time tells a reused pid apart.
 */
export const OWNER_TAG = { pid: 'modelops.owner.pid', host: 'modelops.owner.host', started: 'modelops.owner.started' } as const;
/** Why the store ended a run or a validation whose owner was gone. */
export const ORPHAN_TAG = 'modelops.orphaned';
/** A version's validation state while it runs (`running`), and after its owner died mid-way (`interrupted`). */
export const VALIDATION_TAG = 'modelops.validation';

const HOST = hostname();

function processStartMs(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat field 22: start time in clock ticks after boot (Linux; ticks are 100 Hz).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const boot = Number(/btime (\d+)/.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
    return Number.isFinite(ticks) && Number.isFinite(boot) ? boot * 1000 + (ticks * 1000) / 100 : undefined;
  } catch {
    return undefined;
  }
}

const SELF_STARTED = Math.floor(processStartMs(process.pid) ?? Date.now() - process.uptime() * 1000);

export function ownerTags(): Tag[] {
  return [
    { key: OWNER_TAG.pid, value: String(process.pid) },
    { key: OWNER_TAG.host, value: HOST },
    { key: OWNER_TAG.started, value: String(SELF_STARTED) },
  ];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Why the owner named by these tags is gone, or undefined while it lives (or cannot be judged:
 * another host, tags missing).
 */
export function ownerGone(tags: ReadonlyMap<string, string>): string | undefined {
  const pid = Number(tags.get(OWNER_TAG.pid));
  const host = tags.get(OWNER_TAG.host);
  if (!Number.isInteger(pid) || pid <= 0 || host !== HOST) return undefined;
  if (!alive(pid)) return `process ${pid} on ${host} that ran it is gone`;
  const started = Number(tags.get(OWNER_TAG.started));
  const now = processStartMs(pid);
  // The pid lives, but a process started at another time holds it: the owner is gone.
  if (Number.isFinite(started) && now !== undefined && Math.abs(now - started) > 2000)
    return `process ${pid} on ${host} that ran it is gone (the pid now belongs to another process)`;
  return undefined;
}
