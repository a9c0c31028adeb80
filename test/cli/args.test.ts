import { describe, expect, it } from 'vitest';
import { findCommand, parseCommandArgs } from '../../src/cli/args.js';
import { GLOBAL_OPTIONS, type Options } from '../../src/cli/command.js';
import { didYouMean } from '../../src/cli/suggest.js';

const RUN: Options = { ...GLOBAL_OPTIONS, name: { type: 'string', short: 'n', help: '' }, json: { type: 'boolean', help: '' } };

describe('parseCommandArgs', () => {
  it('finds the command after global options and their values', () => {
    expect(findCommand(['--data-dir', '/x', 'list', '--json'])).toEqual({ command: 'list', index: 2 });
    expect(findCommand(['--help'])).toEqual({ command: null, index: -1 });
    expect(findCommand(['--', 'list'])).toEqual({ command: null, index: -1 });
  });

  it('options anywhere; -- ends them; config flags go to loadConfig', () => {
    const a = parseCommandArgs('run', ['-n', 'build', '--set', 'a.b=c=d', '--data-dir', '/d', '--json', '--', 'make', '--jobs=4'], RUN);
    expect([...a.flags]).toEqual([['--name', 'build'], ['--json', true]]);
    expect(a.rest).toEqual(['make', '--jobs=4']);
    expect(a.load).toEqual({ overrides: { 'a.b': 'c=d', dataDir: '/d' } });
  });

  it('refuses what it does not know, naming it', () => {
    expect(() => parseCommandArgs('run', ['--nmae', 'x'], RUN)).toThrow('unknown option --nmae (did you mean --name?)');
    expect(() => parseCommandArgs('run', ['a', 'b'], RUN, 1)).toThrow(/unexpected argument "b"/);
  });
});

describe('didYouMean', () => {
  it('forgives one slip, swapped letters and prefixes; not unrelated words', () => {
    expect(didYouMean('lsit', ['list', 'wait'])).toBe('list');
    expect(didYouMean('stat', ['status', 'strip'])).toBe('status');
    expect(didYouMean('--sesion', ['--session', '--server'])).toBe('--session');
    expect(didYouMean('frobnicate', ['list', 'status'])).toBeUndefined();
    expect(didYouMean('x', ['list'])).toBeUndefined();
  });
});
