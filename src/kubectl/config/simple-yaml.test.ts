import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { parseSimpleYaml } from './simple-yaml.ts';

const k8tsAdmin = `apiVersion: v1
kind: Config
clusters:
  - name: k8ts
    cluster:
      server: https://127.0.0.1:36443
      certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t
users:
  - name: admin
    user:
      client-certificate-data: LS0tLS1CRUdJTg==
      client-key-data: LS0tLS1CRUdJTg==
contexts:
  - name: k8ts
    context:
      cluster: k8ts
      user: admin
      namespace: default
current-context: k8ts
`;

const kubeadmStyle = `---
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJU
    server: https://10.0.0.1:6443
    insecure-skip-tls-verify: false
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
preferences: {}
users:
- name: kubernetes-admin
  user:
    token: 'it''s a token'
    username: "admin"
    tokenFile: ~
`;

const execPlugin = `# written by a cloud CLI
apiVersion: v1
kind: Config
users:
- name: cloud
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: cloud-auth
      args:
      - --region
      - eu-west
      - token
      env: null
      interactiveMode: IfAvailable
      provideClusterInfo: true
    extensions: []
contexts: []
current-context: ""
`;

const json = '{"apiVersion":"v1","kind":"Config","clusters":[{"name":"a","cluster":{"server":"https://h:1"}}],"current-context":"a"}';

test('common kubeconfig shapes are read without the YAML library, exactly as it reads them', () => {
  for (const text of [k8tsAdmin, kubeadmStyle, execPlugin, json]) {
    const fast = parseSimpleYaml(text);
    assert.notEqual(fast, undefined, text);
    assert.deepEqual(fast, parse(text));
  }
  assert.equal((parseSimpleYaml(kubeadmStyle)?.users as { user: { token: string } }[])[0].user.token, "it's a token");
});

test('text outside the subset is left to the full parser', () => {
  const unsupported = [
    'a: &x 1\nb: *x\n',
    'a: |\n  text\n',
    'a: 1\n',
    'a: 0x1f\n',
    'a: .inf\n',
    'a: -1\n',
    'a: "esc\\n"\n',
    'a: {b: c}\n',
    'a: [b, c]\n',
    'a: plain\n  continued\n',
    'a: v # comment\n',
    'a:\tb\n',
    'a: b\r\n',
    'a: b\na: c\n',
    '- a\n- b\n',
    '',
    '# only a comment\n',
    'a: b\n---\nc: d\n',
    '"quoted key": v\n',
    'a: !!str x\n',
    'a:\n  - x\n  b: y\n',
    '{not json\n',
  ];
  for (const text of unsupported) {
    assert.equal(parseSimpleYaml(text), undefined, JSON.stringify(text));
  }
});

test('nesting, empty values and sequences at the key indentation match the YAML library', () => {
  const samples = [
    'a:\nb: x\n',
    'a:\n- x\n- y\nb: z\n',
    'a:\n  - k: v\n    l:\n    - x1\n  - plain\n  -\n  - n: ~\n',
    'a:\n  b:\n    c: d\n  e: f\ng: h\n',
    'a: https://h:6443/x?y=z#frag\n',
    "a: ''\nb: \"\"\n",
    'a: yes\nb: True\nc: NULL\n',
  ];
  for (const text of samples) {
    const fast = parseSimpleYaml(text);
    assert.notEqual(fast, undefined, JSON.stringify(text));
    assert.deepEqual(fast, parse(text), JSON.stringify(text));
  }
});
