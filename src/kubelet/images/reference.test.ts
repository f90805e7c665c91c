import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidReferenceError, normalizeReference, parseReference } from './reference.ts';

test('short names live under docker.io/library with :latest', () => {
  assert.equal(normalizeReference('busybox'), 'docker.io/library/busybox:latest');
  assert.equal(normalizeReference('nginx:1.27'), 'docker.io/library/nginx:1.27');
  assert.equal(normalizeReference('bitnami/redis'), 'docker.io/bitnami/redis:latest');
  assert.equal(normalizeReference('index.docker.io/library/busybox:1'), 'docker.io/library/busybox:1');
});

test('a first component with a dot, a port or localhost is a registry', () => {
  assert.deepEqual(parseReference('127.0.0.1:5000/rt/busybox:1.35'), { domain: '127.0.0.1:5000', path: 'rt/busybox', tag: '1.35', digest: undefined });
  assert.equal(normalizeReference('localhost/foo'), 'localhost/foo:latest');
  assert.equal(normalizeReference('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
  assert.equal(normalizeReference('localhost:5000/a/b'), 'localhost:5000/a/b:latest');
});

test('digests are kept and suppress the default tag', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  assert.equal(normalizeReference(`busybox@${d}`), `docker.io/library/busybox@${d}`);
  assert.equal(normalizeReference(`busybox:1@${d}`), `docker.io/library/busybox:1@${d}`);
});

test('bad references are rejected', () => {
  assert.throws(() => parseReference('Busybox'), InvalidReferenceError);
  assert.throws(() => parseReference('busybox:'), InvalidReferenceError);
  assert.throws(() => parseReference('busybox@sha256:abc'), InvalidReferenceError);
  assert.throws(() => parseReference(''), InvalidReferenceError);
});
