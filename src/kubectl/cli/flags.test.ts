import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FlagSpec } from '../command.ts';
import { FlagError, parseDuration, parseFlags } from './flags.ts';
import { findVerbIndex } from './globals.ts';

const specs: FlagSpec[] = [
  { name: 'namespace', short: 'n', type: 'string', default: '', usage: '' },
  { name: 'stdin', short: 'i', type: 'bool', default: false, usage: '' },
  { name: 'tty', short: 't', type: 'bool', default: false, usage: '' },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: '' },
  { name: 'chunk-size', type: 'int', default: 500, usage: '' },
  { name: 'env', short: 'e', type: 'stringArray', default: [], usage: '' },
  { name: 'label-columns', short: 'L', type: 'stringSlice', default: [], usage: '' },
  { name: 'timeout', type: 'duration', default: 0, usage: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged', usage: '' },
];

test('long and short forms, interspersed with arguments', () => {
  const p = parseFlags(['get', '--namespace=a', 'pods', '-n', 'b', '-nc', '--chunk-size', '7', 'x'], specs);
  assert.deepEqual(p.args, ['get', 'pods', 'x']);
  assert.equal(p.values.get('namespace'), 'c');
  assert.equal(p.values.get('chunk-size'), 7);
  assert.ok(p.changed.has('namespace'));
  assert.ok(!p.changed.has('tty'));
  assert.equal(parseFlags(['-n=d'], specs).values.get('namespace'), 'd');
});

test('combined bool shorthands, bool values, -- terminator', () => {
  const p = parseFlags(['-it', 'pod', '--all-namespaces=false', '--', '-n', 'sh'], specs);
  assert.equal(p.values.get('stdin'), true);
  assert.equal(p.values.get('tty'), true);
  assert.equal(p.values.get('all-namespaces'), false);
  assert.deepEqual(p.args, ['pod', '-n', 'sh']);
  assert.equal(p.dashAt, 1);
  assert.equal(p.values.get('namespace'), '');
});

test('arrays, slices, durations, no-option defaults', () => {
  const p = parseFlags(['-e', 'A=1', '--env=B=2', '-L', 'app,tier', '-L', 'x', '--timeout=1m30s', '--dry-run'], specs);
  assert.deepEqual(p.values.get('env'), ['A=1', 'B=2']);
  assert.deepEqual(p.values.get('label-columns'), ['app', 'tier', 'x']);
  assert.equal(p.values.get('timeout'), 90_000);
  assert.equal(p.values.get('dry-run'), 'unchanged');
  assert.equal(parseFlags(['--dry-run=client'], specs).values.get('dry-run'), 'client');
  assert.equal(parseDuration('300ms'), 300);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.throws(() => parseDuration('5'), /missing unit in duration "5"/);
});

test('errors word for word as pflag', () => {
  const err = (argv: string[]): string => {
    try {
      parseFlags(argv, specs);
    } catch (e) {
      assert.ok(e instanceof FlagError);
      return e.message;
    }
    return '';
  };
  assert.equal(err(['--foo']), 'unknown flag: --foo');
  assert.equal(err(['-x']), "unknown shorthand flag: 'x' in -x");
  assert.equal(err(['-ix']), "unknown shorthand flag: 'x' in -ix");
  assert.equal(err(['-n']), "flag needs an argument: 'n' in -n");
  assert.equal(err(['--namespace']), 'flag needs an argument: --namespace');
  assert.equal(err(['--all-namespaces=foo']), 'invalid argument "foo" for "-A, --all-namespaces" flag: strconv.ParseBool: parsing "foo": invalid syntax');
  assert.equal(err(['--chunk-size=x']), 'invalid argument "x" for "--chunk-size" flag: strconv.ParseInt: parsing "x": invalid syntax');
});

test('help flags and unknown flags left in place for sub-verbs', () => {
  assert.equal(parseFlags(['-h'], specs).help, true);
  assert.equal(parseFlags(['--help'], specs).help, true);
  const p = parseFlags(['view', '--minify', '-n', 'x', '--raw'], specs, { allowUnknown: true });
  assert.deepEqual(p.args, ['view', '--minify', '--raw']);
  assert.equal(p.values.get('namespace'), 'x');
});

test('the verb is found after global flags that take a value', () => {
  assert.equal(findVerbIndex(['-n', 'kube-system', 'get', 'pods']), 2);
  assert.equal(findVerbIndex(['--namespace=x', 'get']), 1);
  assert.equal(findVerbIndex(['--insecure-skip-tls-verify', 'get']), 1);
  assert.equal(findVerbIndex(['--context', 'c']), -1);
});
