import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicCredentials, parseRegistriesConfig } from './registries.ts';

test('registries.yaml: mirrors, auth (user/password or base64 auth) and tls', () => {
  const cfg = parseRegistriesConfig(`
mirrors:
  docker.io:
    endpoint:
      - "https://mirror.example:5000"
configs:
  "mirror.example:5000":
    auth:
      username: u
      password: p
    tls:
      insecure_skip_verify: true
  other.example:
    auth:
      auth: ${Buffer.from('a:b:c').toString('base64')}
`);
  assert.deepEqual(cfg.mirrors, { 'docker.io': ['https://mirror.example:5000'] });
  assert.equal(cfg.configs['mirror.example:5000'].insecureSkipVerify, true);
  assert.deepEqual(basicCredentials(cfg.configs['mirror.example:5000'].auth), { username: 'u', password: 'p' });
  assert.deepEqual(basicCredentials(cfg.configs['other.example'].auth), { username: 'a', password: 'b:c' });
  assert.equal(cfg.configs['other.example'].insecureSkipVerify, false);
  assert.deepEqual(parseRegistriesConfig(''), { mirrors: {}, configs: {} });
});
