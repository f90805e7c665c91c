import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HostCommands } from './nft.ts';
import { cleanupProxyRules, Proxier } from './proxier.ts';
import type { EndpointSlice, Service } from './types.ts';

/** Records what would run instead of running it. */
class FakeCommands extends HostCommands {
  readonly ran: string[][] = [];
  readonly scripts: string[] = [];
  failNext = false;
  override run(cmd: string[], stdin = ''): Promise<string> {
    this.ran.push(cmd);
    if (cmd[0] === 'nft') {
      if (this.failNext) {
        this.failNext = false;
        return Promise.reject(new Error('Error: syntax error'));
      }
      this.scripts.push(stdin);
    }
    if (cmd[0] === 'ip') {
      return Promise.resolve(JSON.stringify([{ addr_info: [{ family: 'inet', local: '127.0.0.1' }] }, { addr_info: [{ family: 'inet', local: '192.168.5.4' }, { family: 'inet6', local: 'fe80::1' }] }]));
    }
    return Promise.resolve('');
  }
}

const services: Service[] = [{ metadata: { name: 'web', namespace: 'd' }, spec: { type: 'NodePort', clusterIP: '10.96.0.9', ports: [{ port: 80, nodePort: 30001 }] } }];
const slices: EndpointSlice[] = [{ metadata: { name: 'web-1', namespace: 'd', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ port: 8080 }], endpoints: [{ addresses: ['10.244.0.5'] }] }];

function proxier(cmds: FakeCommands, nodePortAddresses: string[] = []): Proxier {
  return new Proxier({ hostname: 'n', nodePortAddresses, syncPeriodMs: 3_600_000, minSyncPeriodMs: 1, commands: cmds, services: () => services, slices: () => slices });
}

test('an unchanged requested sync is skipped; a periodic one reapplies', async () => {
  const cmds = new FakeCommands();
  const p = proxier(cmds);
  await p.sync('requested');
  await p.sync('requested');
  assert.equal(cmds.scripts.length, 1);
  await p.sync('periodic');
  assert.equal(cmds.scripts.length, 2);
  assert.match(cmds.scripts[0] ?? '', /10\.96\.0\.9 \. tcp \. 80 \. 0 : 10\.244\.0\.5 \. 8080/);
  // Localhost NodePorts (no --nodeport-addresses) need route_localnet, set once.
  assert.deepEqual(cmds.ran.filter((c) => c[0] === 'sysctl'), [['sysctl', '-qw', 'net.ipv4.conf.all.route_localnet=1']]);
  await p.stop();
});

test('a failed apply throws and the next sync applies again', async () => {
  const cmds = new FakeCommands();
  const p = proxier(cmds);
  cmds.failNext = true;
  await assert.rejects(p.sync('requested'), /syntax error/);
  await p.sync('requested');
  assert.equal(cmds.scripts.length, 1);
  await p.stop();
});

test('--nodeport-addresses picks the local addresses inside the CIDRs', async () => {
  const cmds = new FakeCommands();
  const p = proxier(cmds, ['192.168.0.0/16']);
  await p.sync('requested');
  assert.match(cmds.scripts[0] ?? '', /set nodeport-ips \{\n\t\ttype ipv4_addr\n\t\telements = \{\n\t\t\t192\.168\.5\.4\n\t\t\}/);
  assert.equal(cmds.ran.filter((c) => c[0] === 'sysctl').length, 0, 'no localhost NodePorts, no route_localnet');
  await p.stop();
});

test('cleanup deletes only our table', async () => {
  const cmds = new FakeCommands();
  await cleanupProxyRules(cmds);
  assert.deepEqual(cmds.scripts, ['add table ip k8ts-proxy\ndelete table ip k8ts-proxy\n']);
});
