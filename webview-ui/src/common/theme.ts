/**
 * Colours for canvas drawing, read from VS Code's theme CSS variables so charts follow light,
 * dark and high-contrast themes. Canvas cannot use var(), hence the lookups.
 */
const RUN_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-red',
  '--vscode-charts-yellow',
];
const FALLBACK = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#f14c4c', '#cca700'];

export function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  font: string;
  runColor(index: number): string;
}

export function chartTheme(): ChartTheme {
  const base = RUN_VARS.map((name, i) => cssVar(name, FALLBACK[i]));
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const family = cssVar('--vscode-font-family', 'sans-serif');
  return {
    foreground: cssVar('--vscode-foreground', dark ? '#cccccc' : '#333333'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: cssVar('--vscode-charts-lines', dark ? 'rgba(204,204,204,0.2)' : 'rgba(51,51,51,0.15)'),
    background: cssVar('--vscode-editor-background', dark ? '#1e1e1e' : '#ffffff'),
    font: `11px ${family}`,
    // Theme colours first, then golden-angle hues, lighter on dark backgrounds.
    runColor: (index) => (index < base.length ? base[index] : `hsl(${Math.round((index * 137.508) % 360)}, 65%, ${dark ? 62 : 42}%)`),
  };
}
