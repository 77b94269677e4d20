/**
 * A `.env` file's text with `KEY=value` set: the first assignment of the key replaced in place (`export KEY=` kept),
 * later duplicates dropped, anything else (comments, other keys, line endings) left as it was; appended when absent.
 * Jupyter kernels started by VS Code's Python extension read the workspace's `.env` (`python.envFile`).
 */
export function withEnvVar(text: string, key: string, value: string): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text === '' ? [] : text.split(/\r?\n/);
  const trailing = lines.length > 0 && lines[lines.length - 1] === '';
  if (trailing) lines.pop();
  const pattern = new RegExp(`^\\s*(export\\s+)?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*=`);
  let done = false;
  const out: string[] = [];
  for (const line of lines) {
    const m = pattern.exec(line);
    if (!m) out.push(line);
    else if (!done) {
      out.push(`${m[1] ?? ''}${key}=${value}`);
      done = true;
    }
  }
  if (!done) out.push(`${key}=${value}`);
  return `${out.join(eol)}${eol}`;
}

/** The value a `.env` text gives `key`, if any (quotes removed). */
export function envVarIn(text: string, key: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.]+)\s*=\s*(.*)$/.exec(line);
    if (m && m[1] === key) return m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return undefined;
}
