import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { resolveExternalConflicts } from './external-claims.ts';
import { HostCommands } from './nft.ts';
import { partialText } from './partial.ts';
import { FragmentCache, fullText, renderState } from './render.ts';
import type { EndpointSlice, Service } from './types.ts';

// Without an address pool every LoadBalancer Service gets the node's address: two on port 80 clash.
let serial = 0;
const lb = (name: string, created: string, port = 80, ip = '192.0.2.9'): Service => ({
  metadata: { name, namespace: 'ns', creationTimestamp: created },
  spec: { clusterIP: `10.96.0.${++serial}`, type: 'LoadBalancer', ports: [{ name: 'http', port, nodePort: 30000 + serial }] },
  status: { loadBalancer: { ingress: [{ ip }] } },
});
const slice = (name: string, ip: string): EndpointSlice => ({ metadata: { name: `${name}-x`, namespace: 'ns', labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: [ip] }] });

test('the oldest Service keeps a shared external address and port; a later one loses that address only', () => {
  const older = lb('older', '2026-01-01T00:00:00Z');
  const newer = lb('newer', '2026-02-01T00:00:00Z');
  const otherPort = lb('other-port', '2026-03-01T00:00:00Z', 443);
  const { replacements, conflicts } = resolveExternalConflicts([newer, otherPort, older]);
  assert.deepEqual(conflicts, [{ service: 'ns/newer', addresses: ['192.0.2.9'], heldBy: 'ns/older' }]);
  assert.deepEqual([...replacements.keys()], [newer]);
  assert.deepEqual(replacements.get(newer)?.status?.loadBalancer?.ingress, []);
  assert.equal(resolveExternalConflicts([newer, older]).replacements.get(newer), replacements.get(newer), 'the same loser maps to the same object (fragment cache)');
});

const canNft = process.getuid?.() === 0 && (() => {
  try {
    execFileSync('nft', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

test('in a scratch netns, two LoadBalancers on the node address and the same port apply (one nft transaction, not File exists)', { skip: !canNft && 'needs root and nft' }, async () => {
  const netns = `k8ts-claims-${Math.random().toString(36).slice(2, 8)}`;
  execFileSync('ip', ['netns', 'add', netns]);
  try {
    const cmds = new HostCommands(netns);
    const opts = { hostname: 'n1', clusterCIDR: '10.244.0.0/16', table: 'k8ts-claims-test' };
    const cache = new FragmentCache();
    const older = lb('older', '2026-01-01T00:00:00Z');
    const slices = [slice('older', '10.244.0.2'), slice('newer', '10.244.0.3')];
    const first = renderState([older], slices, opts, cache);
    await cmds.nftApply(fullText(first));
    const both = renderState([older, lb('newer', '2026-02-01T00:00:00Z')], slices, opts, cache);
    await cmds.nftApply(fullText(both));
    const partial = partialText(first, both);
    assert.ok(partial !== undefined);
    await cmds.nftApply(fullText(first));
    await cmds.nftApply(partial.text);
    const listing = await cmds.run(['nft', 'list', 'table', 'ip', 'k8ts-claims-test']);
    assert.match(listing, /192\.0\.2\.9 \. tcp \. 80 \. 0 : 10\.244\.0\.2 \. 8080/, 'the older Service owns the address');
    assert.doesNotMatch(listing, /192\.0\.2\.9 \. tcp \. 80 \. 0 : 10\.244\.0\.3/);
  } finally {
    execFileSync('ip', ['netns', 'del', netns]);
  }
});
