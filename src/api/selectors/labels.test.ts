import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.ts';
import { labelSelectorFromMeta, labelSelectorFromSet, parseLabelSelector } from './labels.ts';

function parseError(s: string): string {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

test('equality, inequality, set and existence requirements match like upstream', () => {
  const sel = parseLabelSelector('app=web, tier!=db,env in (prod, staging),!canary,track');
  const base = { app: 'web', tier: 'fe', env: 'prod', track: 'x' };
  assert.equal(sel.matches(base), true);
  assert.equal(sel.matches({ ...base, app: 'api' }), false);
  assert.equal(sel.matches({ ...base, tier: 'db' }), false);
  assert.equal(sel.matches({ app: 'web', env: 'staging', track: '' }), true, 'a missing key satisfies !=');
  assert.equal(sel.matches({ ...base, env: 'dev' }), false);
  assert.equal(sel.matches({ ...base, canary: 'true' }), false);
  assert.equal(sel.matches({ app: 'web', env: 'prod' }), false, 'track must exist');
  assert.equal(sel.toString(), 'app=web,!canary,env in (prod,staging),tier!=db,track');
});

test('notin, == and gt/lt', () => {
  const sel = parseLabelSelector('a notin (x,y),b==1,n>3,m<10');
  assert.equal(sel.matches({ b: '1', n: '4', m: '9' }), true);
  assert.equal(sel.matches({ a: 'x', b: '1', n: '4', m: '9' }), false);
  assert.equal(sel.matches({ b: '1', n: '3', m: '9' }), false);
  assert.equal(sel.matches({ b: '1', n: 'z', m: '9' }), false);
});

test('in/notin are values where values are expected; empty values allowed', () => {
  const sel = parseLabelSelector('x in (in,notin,)');
  assert.deepEqual(sel.requirements[0]?.values, ['', 'in', 'notin']);
  assert.equal(sel.matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x=').matches({ x: '' }), true);
  assert.equal(parseLabelSelector('x in ()').matches({ x: '' }), true);
  assert.match(parseError('x in (a,,)'), /found '\)', expected: ',', or identifier/);
});

test('empty selector selects everything', () => {
  const sel = parseLabelSelector('');
  assert.equal(sel.empty, true);
  assert.equal(sel.matches(undefined), true);
  assert.equal(parseLabelSelector('  ').empty, true);
});

test('grammar errors carry upstream messages', () => {
  assert.equal(parseError('app in (a'), "unable to parse requirement: found '', expected: ',' or ')'");
  assert.equal(parseError('a=b,'), "found '', expected: identifier after ','");
  assert.equal(parseError('a b'), "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  assert.equal(parseError('=b'), "found '=', expected: !, identifier, or 'end of string'");
  assert.equal(parseError('a in b'), "unable to parse requirement: found 'b' expected: '('");
  assert.equal(parseError('a in (b c)'), "unable to parse requirement: found 'c', expected: ',' or ')'");
  assert.equal(parseError('a=b c'), "found 'c', expected: ',' or 'end of string'");
  assert.equal(parseError('!a=b'), "found '=', expected: ',' or 'end of string'");
  assert.equal(parseError('a=(b)'), "unable to parse requirement: found '(', expected: identifier");
  assert.equal(parseError('a>b'), "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer");
});

test('key and value validation errors', () => {
  assert.equal(
    parseError('-a=b'),
    "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  );
  assert.equal(
    parseError('a=-b'),
    "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  );
  assert.match(parseError('Example.com/a=b'), /prefix part a lowercase RFC 1123 subdomain/);
  assert.match(parseError(`${'k'.repeat(64)}=v`), /name part must be no more than 63 characters/);
  assert.equal(parseLabelSelector('example.com/a=b').matches({ 'example.com/a': 'b' }), true);
});

test('metav1.LabelSelector conversion', () => {
  const sel = labelSelectorFromMeta({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }, { key: 'old', operator: 'DoesNotExist' }] });
  assert.equal(sel.matches({ app: 'web', tier: 'fe' }), true);
  assert.equal(sel.matches({ app: 'web', tier: 'fe', old: '1' }), false);
  assert.equal(sel.matches({ app: 'web' }), false);
  assert.equal(labelSelectorFromMeta({}).matches({ any: 'x' }), true);
  assert.equal(labelSelectorFromMeta(undefined).matches({}), false);
  assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), /"Gt" is not a valid label selector operator/);
  assert.throws(() => labelSelectorFromMeta({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), /values: Invalid value: \[\]string\{\}: for 'in', 'notin' operators, values set can't be empty/);
  assert.equal(labelSelectorFromSet({ a: '1' }).matches({ a: '1', b: '2' }), true);
  assert.equal(labelSelectorFromSet({}).empty, true);
});

test('whitespace, existence and negation forms', () => {
  const sel = parseLabelSelector('  a ,  !b,c  =  d , e notin ( f )');
  assert.deepEqual(sel.requirements.map((r) => [r.key, r.operator, r.values]), [['a', 'exists', []], ['b', '!', []], ['c', '=', ['d']], ['e', 'notin', ['f']]]);
  assert.equal(sel.matches({ a: '', c: 'd' }), true);
  assert.equal(sel.matches({ a: '', c: 'd', e: 'f' }), false);
  assert.equal(parseError('a,,b'), "found ',', expected: identifier after ','");
  assert.equal(parseError('!'), "unable to parse requirement: found '', expected: identifier");
  assert.equal(parseError('a=b=c'), "found '=', expected: ',' or 'end of string'");
  assert.throws(() => labelSelectorFromMeta({ matchLabels: { app: 'a b' } }), /values\[0\]\[app\]: Invalid value: "a b": a valid label must be an empty string/);
});
