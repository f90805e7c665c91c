import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../errors.ts';
import type { ResourceDescription } from '../resource.ts';
import { parseFieldSelector } from './fields.ts';
import { objectMatcher } from './index.ts';

function parseError(s: string): string {
  try {
    parseFieldSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(s)} to be rejected`);
}

test('=, == and != terms', () => {
  const sel = parseFieldSelector('status.phase=Running,spec.nodeName!=n1,metadata.name==web');
  const obj: Record<string, string> = { 'status.phase': 'Running', 'spec.nodeName': 'n2', 'metadata.name': 'web' };
  assert.equal(sel.matches((f) => obj[f]), true);
  assert.equal(sel.matches((f) => ({ ...obj, 'spec.nodeName': 'n1' })[f]), false);
  assert.equal(sel.matches((f) => ({ ...obj, 'status.phase': 'Pending' })[f]), false);
  assert.equal(sel.requiresExactMatch('metadata.name'), 'web');
  assert.equal(sel.requiresExactMatch('spec.nodeName'), undefined);
});

test('missing fields count as empty strings; empty selector matches all', () => {
  assert.equal(parseFieldSelector('spec.nodeName=').matches(() => undefined), true);
  assert.equal(parseFieldSelector('spec.nodeName!=').matches(() => undefined), false);
  assert.equal(parseFieldSelector('').empty, true);
  assert.equal(parseFieldSelector('').matches(() => 'x'), true);
});

test('escapes in values', () => {
  const sel = parseFieldSelector('a=x\\,y\\=z\\\\,b=c');
  assert.deepEqual(sel.requirements.map((r) => [r.field, r.value]), [['a', 'x,y=z\\'], ['b', 'c']]);
  assert.equal(sel.toString(), 'a=x\\,y\\=z\\\\,b=c');
});

test('errors carry upstream messages', () => {
  assert.equal(parseError('abc'), "invalid selector: 'abc'; can't understand 'abc'");
  assert.equal(parseError('a=b=c'), 'invalid field selector: unescaped character in value: =');
  assert.equal(parseError('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
  assert.equal(parseError('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
});

test('objectMatcher filters by labels and the description fields, rejecting unknown fields', () => {
  const desc = { fieldSelectors: { 'status.phase': (o: { status?: unknown }) => String((o.status as { phase?: string } | undefined)?.phase ?? '') } } as unknown as ResourceDescription;
  const m = objectMatcher(desc, 'app=web', 'status.phase=Running,metadata.namespace=default');
  const pod = { metadata: { name: 'p', namespace: 'default', labels: { app: 'web' } }, status: { phase: 'Running' } };
  assert.equal(m(pod), true);
  assert.equal(m({ ...pod, status: { phase: 'Pending' } }), false);
  assert.equal(m({ ...pod, metadata: { ...pod.metadata, labels: {} } }), false);
  assert.throws(() => objectMatcher(desc, undefined, 'spec.foo=bar'), (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'field label not supported: spec.foo');
  assert.throws(() => objectMatcher(desc, 'a b', undefined), (e: unknown) => e instanceof StatusError && e.code === 400);
});
