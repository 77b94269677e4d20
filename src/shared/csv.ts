/** CSV cells as spreadsheets read them safely (no DOM, no node: both sides use it). */

/**
 * A text cell: quoted when it holds a quote, comma or line break, and prefixed with `'` when it
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return, which a spreadsheet would otherwise run
 * as a formula (OWASP's CSV injection advice). Numbers written as text (`-0.5`) are left alone.
 */
export function csvText(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A numeric cell: full precision; NaN and missing values are empty cells. */
export function csvNumber(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
}

export function csvLine(cells: readonly string[]): string {
  return cells.join(',');
}
