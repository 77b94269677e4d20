/**
 * YAML as PyYAML's `yaml.safe_dump(data, default_flow_style=False)` writes it, byte for byte, for
 * the values an MLmodel file holds (maps, lists, strings, numbers, booleans, null): block style,
 * keys sorted (or kept in order), plain scalars where PyYAML's resolver reads them back as strings,
 * single quotes otherwise, double quotes with escapes for anything outside printable ASCII, and
 * PyYAML's folding of long scalars at 80 columns. MLflow writes MLmodel, conda.yaml and
 * python_env.yaml this way; files written here are indistinguishable (test/unit/ml/ensemble/pyyaml.test.ts).
 */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const WIDTH = 80;
const BREAKS = new Set(['\n', '\x85', '\u2028', '\u2029']);
const SPACE_OR_BREAK = new Set(['\0', ' ', '\t', '\r', '\n', '\x85', '\u2028', '\u2029']);

/** PyYAML's implicit resolvers (yaml/resolver.py): a plain scalar matching one is not read back as a string. */
const RESOLVERS: { first: string; re: RegExp }[] = [
  { first: 'yYnNtTfFoO', re: /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/ },
  {
    first: '-+0123456789.',
    re: /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  { first: '-+0123456789', re: /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/ },
  { first: '<', re: /^(?:<<)$/ },
  { first: '~nN', re: /^(?:~|null|Null|NULL)$/ },
  {
    first: '0123456789',
    re: /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  },
  { first: '=', re: /^(?:=)$/ },
];

function resolvesToString(value: string): boolean {
  if (value === '') return false; // the empty plain scalar is null
  return !RESOLVERS.some((r) => r.first.includes(value[0]!) && r.re.test(value));
}

interface Analysis {
  empty: boolean;
  multiline: boolean;
  allowBlockPlain: boolean;
  allowSingleQuoted: boolean;
}

/** PyYAML's Emitter.analyze_scalar, block context, allow_unicode=False. */
function analyze(cps: string[]): Analysis {
  if (cps.length === 0) return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  const text = cps.join('');
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let precededByWhitespace = true;
  let followedByWhitespace = cps.length === 1 || SPACE_OR_BREAK.has(cps[1]!);
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i]!;
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      if ('?:'.includes(ch) && followedByWhitespace) blockIndicators = true;
      if (ch === '-' && followedByWhitespace) blockIndicators = true;
    } else {
      if (ch === ':' && followedByWhitespace) blockIndicators = true;
      if (ch === '#' && precededByWhitespace) blockIndicators = true;
    }
    if (BREAKS.has(ch)) lineBreaks = true;
    if (!(ch === '\n' || (ch >= '\x20' && ch <= '\x7e'))) special = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === cps.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.has(ch)) {
      if (i === 0) leadingBreak = true;
      if (i === cps.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = SPACE_OR_BREAK.has(ch);
    followedByWhitespace = i + 2 >= cps.length || SPACE_OR_BREAK.has(cps[i + 2]!);
  }
  let allowBlockPlain = !(leadingSpace || leadingBreak || trailingSpace || trailingBreak);
  let allowSingleQuoted = true;
  if (breakSpace) allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowBlockPlain = allowSingleQuoted = false;
  if (lineBreaks) allowBlockPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { empty: false, multiline: lineBreaks, allowBlockPlain, allowSingleQuoted };
}

const ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\x08': 'b',
  '\x09': 't',
  '\x0a': 'n',
  '\x0b': 'v',
  '\x0c': 'f',
  '\x0d': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/** Python's repr() of a float, as PyYAML's represent_float writes it. */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Infinity) return '.inf';
  if (x === -Infinity) return '-.inf';
  // Shortest round-trip digits (JS and Python agree on them); only the layout differs.
  const [mant, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  let out: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : `${digits}.0`;
    out = `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  } else if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) out = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return neg ? `-${out}` : out;
}

class Emitter {
  private out = '';
  private column = 0;
  private whitespace = true;
  private indention = true;

  constructor(private readonly sortKeys: boolean) {}

  text(): string {
    return this.out;
  }

  private write(s: string): void {
    this.out += s;
    this.column += s.length;
  }

  private lineBreak(): void {
    this.out += '\n';
    this.whitespace = true;
    this.indention = true;
    this.column = 0;
  }

  private indent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  private indicator(ind: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    this.write(this.whitespace || !needWhitespace ? ind : ` ${ind}`);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  document(value: YamlValue): void {
    this.node(value, 0, 'root');
    this.lineBreak();
  }

  private entries(map: { [key: string]: YamlValue }): [string, YamlValue][] {
    const list = Object.entries(map);
    return this.sortKeys ? list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) : list;
  }

  /** A node; `indent` is the enclosing collection's indent (PyYAML's self.indent before the node). */
  private node(value: YamlValue, indent: number, context: 'root' | 'mapping' | 'sequence'): void {
    if (Array.isArray(value)) {
      if (value.length === 0) return this.scalarRaw('[]');
      // A sequence under a mapping key is indentless; elsewhere it is indented.
      const seqIndent = context === 'root' ? 0 : context === 'mapping' && !this.indention ? indent : indent + 2;
      for (const item of value) {
        this.indent(seqIndent);
        this.indicator('-', true, false, true);
        this.node(item, seqIndent, 'sequence');
      }
      return;
    }
    if (value !== null && typeof value === 'object') {
      const list = this.entries(value);
      if (list.length === 0) return this.scalarRaw('{}');
      const mapIndent = context === 'root' ? 0 : indent + 2;
      for (const [k, v] of list) {
        this.indent(mapIndent);
        this.scalar(k, mapIndent, true);
        this.indicator(':', false);
        this.node(v, mapIndent, 'mapping');
      }
      return;
    }
    if (typeof value === 'string') return this.scalar(value, indent, false);
    if (value === null) return this.scalarRaw('null');
    if (typeof value === 'boolean') return this.scalarRaw(value ? 'true' : 'false');
    return this.scalarRaw(Number.isInteger(value) && Math.abs(value) < 2 ** 53 ? String(value) : pythonFloat(value));
  }

  /** A scalar PyYAML writes plain without analysis (numbers, booleans, null, empty flow collections). */
  private scalarRaw(s: string): void {
    if (!this.whitespace) this.write(' ');
    this.write(s);
    this.whitespace = false;
    this.indention = false;
  }

  private scalar(value: string, indent: number, simpleKey: boolean): void {
    const cps = Array.from(value);
    const a = analyze(cps);
    const scalarIndent = simpleKey ? indent : indent + 2;
    if (resolvesToString(value) && !(simpleKey && (a.empty || a.multiline)) && a.allowBlockPlain) return this.plain(cps, scalarIndent, !simpleKey);
    if (a.allowSingleQuoted && !(simpleKey && a.multiline)) return this.singleQuoted(cps, scalarIndent, !simpleKey);
    this.doubleQuoted(cps, scalarIndent, !simpleKey);
  }

  private plain(cps: string[], indent: number, split: boolean): void {
    if (cps.length === 0) return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end]! : null;
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > WIDTH && split) {
            this.indent(indent);
            this.whitespace = false;
            this.indention = false;
          } else this.write(cps.slice(start, end).join(''));
          start = end;
        }
      } else if (ch === null || ch === ' ' || BREAKS.has(ch)) {
        this.write(cps.slice(start, end).join(''));
        start = end;
      }
      if (ch !== null) spaces = ch === ' ';
    }
  }

  private singleQuoted(cps: string[], indent: number, split: boolean): void {
    this.indicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end]! : null;
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > WIDTH && split && start !== 0 && end !== cps.length) this.indent(indent);
          else this.write(cps.slice(start, end).join(''));
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.has(ch)) {
          if (cps[start] === '\n') this.lineBreak();
          for (const br of cps.slice(start, end)) {
            if (br === '\n') this.lineBreak();
            else {
              this.out += br;
              this.whitespace = true;
              this.indention = true;
              this.column = 0;
            }
          }
          this.indent(indent);
          start = end;
        }
      } else if (ch === null || ch === ' ' || BREAKS.has(ch) || ch === "'") {
        if (start < end) {
          this.write(cps.slice(start, end).join(''));
          start = end;
        }
      }
      if (ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAKS.has(ch);
      }
    }
    this.indicator("'", false);
  }

  private doubleQuoted(cps: string[], indent: number, split: boolean): void {
    this.indicator('"', true);
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = end < cps.length ? cps[end]! : null;
      if (ch === null || '"\\\x85\u2028\u2029\ufeff'.includes(ch) || !(ch >= '\x20' && ch <= '\x7e')) {
        if (start < end) {
          this.write(cps.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          const code = ch.codePointAt(0)!;
          const esc = ESCAPES[ch];
          this.write(esc !== undefined ? `\\${esc}` : code <= 0xff ? `\\x${hex(code, 2)}` : code <= 0xffff ? `\\u${hex(code, 4)}` : `\\U${hex(code, 8)}`);
          start = end + 1;
        }
      }
      if (end > 0 && end < cps.length - 1 && (ch === ' ' || start >= end) && this.column + (end - start) > WIDTH && split) {
        this.write(`${cps.slice(start, end).join('')}\\`);
        if (start < end) start = end;
        this.indent(indent);
        this.whitespace = false;
        this.indention = false;
        if (cps[start] === ' ') this.write('\\');
      }
    }
    this.indicator('"', false);
  }
}

/** `yaml.safe_dump(value, default_flow_style=False[, sort_keys=False])`. */
export function dumpYaml(value: YamlValue, options: { sortKeys?: boolean } = {}): string {
  const e = new Emitter(options.sortKeys ?? true);
  e.document(value);
  return e.text();
}
