/**
 * Cluster DNS end to end: a real apiserver, the real `k8ts dns` process, and a test-made
 * upstream resolver on loopback. Services and EndpointSlices created through the API are
 * answered over UDP and TCP within moments (watch-driven); other names are forwarded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import * as packet from 'dns-packet';
import { startApiServer } from '../util/apiserver.ts';
import { testApiClient } from '../util/http.ts';
import type { TestApiClient } from '../util/http.ts';

const k8ts = new URL('../../bin/k8ts', import.meta.url).pathname;

function queryUdp(port: number, name: string, type: packet.RecordType): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${name}`));
    }, 3000);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(packet.decode(m));
    });
    sock.send(packet.encode({ type: 'query', id: 7, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] }), port, '127.0.0.1');
  });
}

function queryTcp(port: number, name: string, type: packet.RecordType): Promise<packet.Packet> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    sock.on('connect', () => sock.write(packet.streamEncode({ type: 'query', id: 9, flags: packet.RECURSION_DESIRED, questions: [{ type, name }] })));
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      if (all.length >= 2 && all.length >= 2 + all.readUInt16BE(0)) {
        sock.end();
        resolve(packet.streamDecode(all));
      }
    });
    sock.on('error', reject);
  });
}

const rcode = (p: packet.Packet): number => (p.flags ?? 0) & 0xf;
const data = (p: packet.Packet): unknown[] => (p.answers ?? []).map((a) => ('data' in a ? a.data : undefined));

async function eventually(check: () => Promise<void>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) {
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('cluster DNS (k8ts dns)', () => {
  let server: Awaited<ReturnType<typeof startApiServer>>;
  let client: TestApiClient;
  let dns: ChildProcess;
  let port = 0;
  const upstream = createSocket('udp4');

  before(async () => {
    // The "internet": a resolver that knows one name.
    upstream.on('message', (m, r) => {
      const q = packet.decode(m);
      const name = q.questions?.[0]?.name ?? '';
      const answers: packet.Answer[] = name === 'outside.example' ? [{ type: 'A', name, ttl: 60, class: 'IN', data: '192.0.2.10' }] : [];
      upstream.send(packet.encode({ type: 'response', id: q.id, flags: packet.RECURSION_AVAILABLE | (answers.length === 0 ? 3 : 0), questions: q.questions, answers }), r.port, r.address);
    });
    await new Promise<void>((resolve) => upstream.bind(0, '127.0.0.1', () => resolve()));
    server = await startApiServer({ backend: 'sqlite' });
    client = testApiClient(server.url, server.kubeconfig, server.token);
    dns = spawn(k8ts, ['dns', '--kubeconfig', server.kubeconfig, '--bind-address', '127.0.0.1', '--port', '0', '--upstream', `127.0.0.1:${upstream.address().port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    port = await new Promise<number>((resolve, reject) => {
      dns.stderr?.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        const m = /serving .* on 127\.0\.0\.1:(\d+)/.exec(err);
        if (m !== null) {
          resolve(Number(m[1]));
        }
      });
      dns.on('exit', (code) => reject(new Error(`k8ts dns exited ${code}: ${err}`)));
    });
  });
  after(async () => {
    dns?.kill('SIGTERM');
    upstream.close();
    client?.close();
    await server?.stop();
  });

  test('the kube-dns Service exists with the 10th address of the service range', async () => {
    const svc = (await client.request('GET', '/api/v1/namespaces/kube-system/services/kube-dns')).json<{ spec: { clusterIP: string; ports: { port: number; protocol: string }[] } }>();
    assert.equal(svc.spec.clusterIP, '10.96.0.10');
    assert.deepEqual(svc.spec.ports.map((p) => `${p.port}/${p.protocol}`), ['53/UDP', '53/TCP']);
  });

  test('services, headless endpoints, SRV, PTR and pod names resolve; changes show up by watch', async () => {
    assert.equal((await client.request('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80 }], selector: { app: 'web' } } })).status, 201);
    const web = (await client.request('GET', '/api/v1/namespaces/default/services/web')).json<{ spec: { clusterIP: string } }>();
    await eventually(async () => assert.deepEqual(data(await queryUdp(port, 'web.default.svc.cluster.local', 'A')), [web.spec.clusterIP]));
    assert.deepEqual(data(await queryTcp(port, 'web.default.svc.cluster.local', 'A')), [web.spec.clusterIP]);
    const srv = await queryUdp(port, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(srv), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    const ptrName = `${web.spec.clusterIP.split('.').reverse().join('.')}.in-addr.arpa`;
    assert.deepEqual(data(await queryUdp(port, ptrName, 'PTR')), ['web.default.svc.cluster.local']);

    await client.request('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'db' }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] } });
    await client.request('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
      metadata: { name: 'db-1', labels: { 'kubernetes.io/service-name': 'db' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.7'], hostname: 'db-0', conditions: { ready: true } }, { addresses: ['10.244.0.8'], hostname: 'db-1', conditions: { ready: false } }],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    await eventually(async () => assert.deepEqual(data(await queryUdp(port, 'db.default.svc.cluster.local', 'A')), ['10.244.0.7']));
    assert.deepEqual(data(await queryUdp(port, 'db-0.db.default.svc.cluster.local', 'A')), ['10.244.0.7']);
    assert.deepEqual(data(await queryUdp(port, '10-244-0-9.default.pod.cluster.local', 'A')), ['10.244.0.9']);
    const missing = await queryUdp(port, 'nope.default.svc.cluster.local', 'A');
    assert.equal(rcode(missing), 3);
    assert.equal(missing.authorities?.[0]?.type, 'SOA');

    assert.equal((await client.request('DELETE', '/api/v1/namespaces/default/services/web')).status, 200);
    await eventually(async () => assert.equal(rcode(await queryUdp(port, 'web.default.svc.cluster.local', 'A')), 3));
  });

  test('ExternalName is a CNAME; other names are forwarded upstream', async () => {
    await client.request('POST', '/api/v1/namespaces/default/services', { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'outside.example' } });
    await eventually(async () => assert.deepEqual(data(await queryUdp(port, 'ext.default.svc.cluster.local', 'CNAME')), ['outside.example']));
    assert.deepEqual(data(await queryUdp(port, 'outside.example', 'A')), ['192.0.2.10']);
    assert.equal(rcode(await queryUdp(port, 'unknown.example', 'A')), 3);
  });
});
