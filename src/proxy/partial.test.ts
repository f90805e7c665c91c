import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { HostCommands } from './nft.ts';
import { partialText } from './partial.ts';
import { PRESET_PICKS } from './fragment.ts';
import { FragmentCache, fullText, renderState } from './render.ts';
import type { RenderOptions } from './fragment.ts';
import type { EndpointSlice, Service } from './types.ts';

const svc = (name: string, ip: string, extra: Partial<NonNullable<Service['spec']>> = {}): Service => ({ metadata: { name, namespace: 'ns' }, spec: { clusterIP: ip, ports: [{ name: 'http', port: 80 }], ...extra } });
const slice = (name: string, ips: string[]): EndpointSlice => ({
  metadata: { name: `${name}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': name } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080 }],
  endpoints: ips.map((a) => ({ addresses: [a] })),
});
const opts: RenderOptions = { hostname: 'n1', clusterCIDR: '10.244.0.0/16', table: 'k8ts-partial-test' };

/** A sequence of cluster states, each a small change from the one before. */
function states(): { services: Service[]; slices: EndpointSlice[] }[] {
  const a = svc('a', '10.96.0.10');
  const b = svc('b', '10.96.0.11', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
  const sa = slice('a', ['10.244.0.2', '10.244.0.3']);
  const sb = slice('b', ['10.244.1.2']);
  const c = svc('c', '10.96.0.12', { sessionAffinity: 'ClientIP' });
  const sc = slice('c', ['10.244.2.2', '10.244.2.3']);
  // More endpoints than the preset pick chains: its pick chain exists only while it does.
  const big = svc('big', '10.96.0.13');
  const sbig = slice('big', Array.from({ length: PRESET_PICKS + 1 }, (_, i) => `10.244.3.${i + 1}`));
  // A UDP LoadBalancer (policy Cluster: elements only) and an externalTrafficPolicy Local NodePort (own chains).
  const d = svc('d', '10.96.0.14', { type: 'LoadBalancer', externalIPs: ['192.0.2.9'], ports: [{ name: 'http', port: 53, protocol: 'UDP', nodePort: 30053 }] });
  const sd: EndpointSlice = { ...slice('d', ['10.244.4.2', '10.244.4.3']), ports: [{ name: 'http', port: 5353, protocol: 'UDP' }] };
  const e = svc('e', '10.96.0.15', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] });
  const se: EndpointSlice = { ...slice('e', []), endpoints: [{ addresses: ['10.244.5.2'], nodeName: 'n1' }, { addresses: ['10.244.5.3'], nodeName: 'n2' }] };
  return [
    { services: [a, b, big], slices: [sa, sb, sbig] },
    { services: [a, b, big], slices: [slice('a', ['10.244.0.2', '10.244.0.4', '10.244.0.5']), sb, sbig] }, // endpoints moved, 2 → 3
    { services: [a, b, big, c], slices: [sa, sb, sbig, sc] }, // a service with affinity sets added
    { services: [a, b, big, c], slices: [sa, slice('b', []), sbig, sc] }, // b loses its endpoints: reject entries instead
    { services: [a, c], slices: [sa, sc] }, // b deleted, big deleted (its pick chains go)
    { services: [a], slices: [sa] }, // c (and its sets) deleted
    { services: [a, d, e], slices: [sa, sd, se] }, // elements-only UDP LoadBalancer, chained Local NodePort
    { services: [svc('a', '10.96.0.10', { sessionAffinity: 'ClientIP' }), d, e], slices: [sa, sd, se] }, // a's elements become chains
    { services: [a, d, svc('e', '10.96.0.15', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30081 }] })], slices: [sa, sd, se] }, // and back; e's chains become elements
  ];
}

test('a partial transaction touches only the changed service; nothing changed gives an empty one', () => {
  const cache = new FragmentCache();
  const many = Array.from({ length: 200 }, (_, i) => svc(`s${i}`, `10.96.1.${i}`));
  const slices = many.map((s) => slice(s.metadata.name ?? '', [`10.244.9.${many.indexOf(s)}`]));
  const first = renderState(many, slices, opts, cache);
  const again = renderState(many, slices, opts, cache);
  assert.equal(cache.hits, 200, 'unchanged services are not rendered again');
  assert.deepEqual(partialText(first, again)?.text, '');
  const moved = [...slices];
  moved[7] = slice('s7', ['10.244.9.250']);
  const p = partialText(first, renderState(many, moved, opts, cache));
  assert.ok(p !== undefined);
  assert.deepEqual(p.stats, { chains: 0, elements: 4 }, 'one endpoint element and one hairpin element out, one each in; no chain touched');
  assert.doesNotMatch(p.text, /s8\b|10\.96\.1\.8 |10\.244\.9\.8 /, 'other services untouched');
  assert.equal(p.text, [
    'delete element ip k8ts-partial-test service-endpoints { 10.96.1.7 . tcp . 80 . 0 }',
    'delete element ip k8ts-partial-test hairpin-connections { 10.244.9.7 . 10.244.9.7 . 10.96.1.7 }',
    'add element ip k8ts-partial-test service-endpoints { 10.96.1.7 . tcp . 80 . 0 : 10.244.9.250 . 8080 }',
    'add element ip k8ts-partial-test hairpin-connections { 10.244.9.250 . 10.244.9.250 . 10.96.1.7 }',
    '',
  ].join('\n'));
});

test('a new endpoint count beyond the preset pick chains needs a full sync; its chain goes with its last user', () => {
  const cache = new FragmentCache();
  const one = [svc('s', '10.96.3.1')];
  const first = renderState(one, [slice('s', ['10.244.7.1'])], opts, cache);
  const many = Array.from({ length: PRESET_PICKS + 1 }, (_, i) => `10.244.7.${i + 1}`);
  const big = renderState(one, [slice('s', many)], opts, cache);
  assert.equal(partialText(first, big), undefined, 'a partial transaction cannot create a pick chain');
  const scaled = renderState(one, [slice('s', many.slice(0, PRESET_PICKS))], opts, cache);
  assert.match(partialText(first, scaled)?.text ?? '', new RegExp(`10\\.96\\.3\\.1 \\. tcp \\. 80 : goto pick-${PRESET_PICKS} }\\n`), 'within the preset: partial');
  const back = partialText(big, renderState(one, [slice('s', ['10.244.7.1'])], opts, cache));
  assert.match(back?.text ?? '', new RegExp(`\\ndelete chain ip k8ts-partial-test pick-${PRESET_PICKS + 1}\\n`));
});

test('a partial sync never looks inside the fragments of unchanged services', () => {
  const cache = new FragmentCache();
  const many = Array.from({ length: 50 }, (_, i) => svc(`s${i}`, `10.96.2.${i}`));
  const slices = many.map((s, i) => slice(s.metadata.name ?? '', [`10.244.8.${i}`]));
  const first = renderState(many, slices, opts, cache);
  const moved = [...slices];
  moved[3] = slice('s3', ['10.244.8.200']);
  const next = renderState(many, moved, opts, cache);
  // A fragment the cache handed out again (same object) is replaced, in both states, by one
  // stand-in whose every field read fails the test.
  const standIns = new Map<object, object>();
  const poison = (k: string, f: object): object => {
    const p = standIns.get(f) ?? new Proxy(f, { get: (_t, prop) => assert.fail(`read ${String(prop)} of unchanged ${k}`) });
    standIns.set(f, p);
    return p;
  };
  const unchanged = (k: string): boolean => first.fragments.get(k) === next.fragments.get(k);
  const guard = (state: typeof first): typeof first => ({ ...state, fragments: new Map([...state.fragments].map(([k, f]) => [k, unchanged(k) ? (poison(k, f) as typeof f) : f])) });
  assert.deepEqual([...first.fragments.keys()].filter((k) => !unchanged(k)), ['ns/s3']);
  const p = partialText(guard(first), guard(next));
  assert.deepEqual(p?.stats, { chains: 0, elements: 4 });
  assert.match(p?.text ?? '', /10\.244\.8\.200/);
});

test('fixed-part changes (nodeport addresses) need a full sync', () => {
  const s = states()[0];
  assert.ok(s !== undefined);
  const a = renderState(s.services, s.slices, opts);
  const b = renderState(s.services, s.slices, { ...opts, nodePortIPs: ['192.168.1.1'] });
  assert.equal(partialText(a, b), undefined);
});

const isRoot = process.getuid?.() === 0;
const netns = `k8ts-partial-${Math.random().toString(36).slice(2, 8)}`;
const canNft = isRoot && (() => {
  try {
    execFileSync('nft', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

before(() => {
  if (canNft) {
    execFileSync('ip', ['netns', 'add', netns]);
  }
});
after(() => {
  if (canNft) {
    execFileSync('ip', ['netns', 'del', netns]);
  }
});

/** The table's listing with the table name and handles normalised, lines sorted (element order is not meaningful). */
function listing(cmds: HostCommands, table: string): Promise<string> {
  return cmds.run(['nft', 'list', 'table', 'ip', table]).then((t) => t.replaceAll(table, 'T').split('\n').map((l) => l.trim()).filter((l) => l !== '').sort().join('\n'));
}

test('in a scratch netns, every partial transaction leaves the table equal to a full apply of the same state', { skip: !canNft && 'needs root and nft' }, async () => {
  const cmds = new HostCommands(netns);
  const cache = new FragmentCache();
  let prev = renderState(states()[0]?.services ?? [], states()[0]?.slices ?? [], opts, cache);
  await cmds.nftApply(fullText(prev));
  for (const s of states().slice(1)) {
    const next = renderState(s.services, s.slices, opts, cache);
    const p = partialText(prev, next);
    assert.ok(p !== undefined && p.text !== '');
    await cmds.nftApply(p.text);
    await cmds.nftApply(fullText({ ...next, table: 'k8ts-partial-ref' }));
    assert.equal(await listing(cmds, 'k8ts-partial-test'), await listing(cmds, 'k8ts-partial-ref'));
    prev = next;
  }
  // The pick chains match no protocol of their own (UDP and SCTP Services use them too):
  // no `meta l4proto` load compared against a constant before the map lookup.
  const bytecode = await cmds.run(['nft', '--debug=netlink', 'list', 'chain', 'ip', 'k8ts-partial-test', 'pick-2']);
  assert.match(bytecode, /numgen reg \d+ = random mod 2/);
  assert.doesNotMatch(bytecode, /cmp eq/, bytecode);
});
