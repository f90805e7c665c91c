import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredRoutes, routeCommands, ROUTE_PROTOCOL } from './routes.ts';
import type { RouteNode } from './routes.ts';

const node = (name: string, ip: string | undefined, cidr: string): RouteNode => ({
  metadata: { name },
  spec: { podCIDR: cidr, podCIDRs: [cidr] },
  status: { addresses: ip === undefined ? [] : [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
});
const local = [{ ifname: 'lo', ip: '127.0.0.1', prefixLen: 8 }, { ifname: 'eth0', ip: '192.168.7.1', prefixLen: 24 }];

test('routes go to the other on-link nodes only, sorted', () => {
  const nodes = [node('c', '192.168.7.3', '10.244.3.0/24'), node('a', '192.168.7.1', '10.244.1.0/24'), node('b', '192.168.7.2', '10.244.2.0/24'), node('far', '10.9.9.9', '10.244.9.0/24'), node('noip', undefined, '10.244.8.0/24')];
  assert.deepEqual(desiredRoutes(nodes, 'a', local), [{ dst: '10.244.2.0/24', via: '192.168.7.2' }, { dst: '10.244.3.0/24', via: '192.168.7.3' }]);
});

test('a node whose name differs but whose address is ours gets no route (the host itself)', () => {
  assert.deepEqual(desiredRoutes([node('other-name', '192.168.7.1', '10.244.1.0/24')], 'a', local), []);
});

test('route commands replace new or moved routes and delete stale ones, and nothing when in sync', () => {
  const p = String(ROUTE_PROTOCOL);
  const current = [{ dst: '10.244.2.0/24', via: '192.168.7.2' }, { dst: '10.244.3.0/24', via: '192.168.7.9' }, { dst: '10.244.4.0/24', via: '192.168.7.4' }];
  const desired = [{ dst: '10.244.2.0/24', via: '192.168.7.2' }, { dst: '10.244.3.0/24', via: '192.168.7.3' }];
  assert.deepEqual(routeCommands(current, desired), [
    ['ip', 'route', 'replace', '10.244.3.0/24', 'via', '192.168.7.3', 'proto', p],
    ['ip', 'route', 'del', '10.244.4.0/24', 'proto', p],
  ]);
  assert.deepEqual(routeCommands(desired, desired), []);
});
