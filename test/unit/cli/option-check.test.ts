import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { COMMANDS } from '../../../src/cli/command-table';
import type { CommandSpec } from '../../../src/cli/command';
import { runCliCaptured } from './run-cli';

/** The options of every command that declare a rule, as (command, option) pairs. */
function declared(rule: 'required' | 'int' | 'choices'): { command: CommandSpec; name: string }[] {
  return COMMANDS.flatMap((command) =>
    Object.entries(command.options ?? {})
      .filter(([, o]) => o[rule] !== undefined && o[rule] !== false)
      .map(([name]) => ({ command, name })),
  );
}

/** The smallest arguments that give every required option of `command` a value. */
function requiredArgs(command: CommandSpec, except?: string): string[] {
  return Object.entries(command.options ?? {}).flatMap(([n, o]) => (o.required && n !== except ? [`--${n}`, o.int ? '1' : (o.choices?.[0] ?? 'x')] : []));
}

describe('option rules checked by the runner, before a command runs', () => {
  test('commands declare their rules: required, integer and choice options exist', () => {
    assert.ok(declared('required').length >= 10);
    assert.ok(declared('int').length >= 10);
    assert.ok(declared('choices').length >= 5);
  });

  test('every required option missing is refused, naming the command and the option, and no store is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-options-'));
    try {
      for (const { command, name } of declared('required')) {
        const r = await runCliCaptured(dir, [...command.path, ...requiredArgs(command, name)]);
        assert.equal(r.code, 1, `${command.path.join(' ')} without --${name}`);
        assert.match(r.err, new RegExp(`${command.path.join(' ')}: --${name}\\b.* is required`), `${command.path.join(' ')} without --${name}: ${r.err}`);
      }
      assert.equal(existsSync(join(dir, '.modelops')), false, 'a refused command created the store');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every integer option refuses a non-integer and a value out of its bounds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-options-'));
    try {
      for (const { command, name } of declared('int')) {
        const spec = command.options![name]!;
        const bad = [
          '1.5',
          'ten',
          ...(spec.int?.min !== undefined ? [String(spec.int.min - 1)] : []),
          ...(spec.int?.max !== undefined ? [String(spec.int.max + 1)] : []),
        ];
        for (const v of bad) {
          const r = await runCliCaptured(dir, [...command.path, ...requiredArgs(command), `--${name}=${v}`]);
          assert.equal(r.code, 1, `${command.path.join(' ')} --${name} ${v}`);
          assert.match(r.err, new RegExp(`--${name} must be an integer.*got '${v.replace('.', '\\.')}'`), `${command.path.join(' ')} --${name} ${v}: ${r.err}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every choice option refuses a value not among its choices, listing them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelops-options-'));
    try {
      for (const { command, name } of declared('choices')) {
        const r = await runCliCaptured(dir, [...command.path, ...requiredArgs(command), `--${name}`, 'nonsense']);
        assert.equal(r.code, 1, `${command.path.join(' ')} --${name} nonsense`);
        assert.match(
          r.err,
          new RegExp(`--${name} must be one of ${command.options![name]!.choices!.map((c) => c.replace('.', '\\.')).join(', ')}, got 'nonsense'`),
          r.err,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('help marks required options and still shows without them', async () => {
    const r = await runCliCaptured(tmpdir(), ['train', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /--data <file\.csv>\s+training data .*\(required\)/);
  });
});
