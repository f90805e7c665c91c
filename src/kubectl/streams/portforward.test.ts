import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddresses, parsePorts } from './portforward.ts';

test('port specs: REMOTE, LOCAL:REMOTE, :REMOTE and 0:REMOTE (random local), with upstream\'s errors', () => {
  assert.deepEqual(parsePorts(['5000', '8888:5000', ':80', '0:81']), [
    { local: 5000, remote: 5000 },
    { local: 8888, remote: 5000 },
    { local: 0, remote: 80 },
    { local: 0, remote: 81 },
  ]);
  assert.throws(() => parsePorts(['1:2:3']), { message: "invalid port format '1:2:3'" });
  assert.throws(() => parsePorts(['x:80']), { message: `error parsing local port 'x': strconv.ParseUint: parsing "x": invalid syntax` });
  assert.throws(() => parsePorts(['80:70000']), { message: `error parsing remote port '70000': strconv.ParseUint: parsing "70000": value out of range` });
  assert.throws(() => parsePorts(['8080:0']), { message: 'remote port must be > 0' });
});

test('addresses: localhost means 127.0.0.1 and ::1 (either may fail), IPs must all work, sorted and de-duplicated', () => {
  assert.deepEqual(parseAddresses(['localhost']), [
    { address: '127.0.0.1', family: 4, failureMode: 'all' },
    { address: '::1', family: 6, failureMode: 'all' },
  ]);
  assert.deepEqual(parseAddresses(['10.0.0.1', 'localhost', '10.0.0.1', 'fe80::1']).map((a) => `${a.address}/${a.failureMode}`), ['10.0.0.1/any', '127.0.0.1/all', '::1/all', 'fe80::1/any']);
  assert.throws(() => parseAddresses(['example.com']), { message: 'example.com is not a valid IP' });
});
