/** Generators for data objects: `create configmap`, `create secret generic|tls|docker-registry`. */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { basename } from 'node:path';
import { CliError } from '../command.ts';
import type { Generator, GeneratorIO, GeneratorInput, JsonObject } from './types.ts';
import { bool, list, objectMeta, slice, sortedMap, str } from './types.ts';

const keyPattern = /^[-._a-zA-Z0-9]+$/;

function checkKey(key: string, kindName: string): void {
  if (key.length > 253 || !keyPattern.test(key)) {
    throw new CliError(`"${key}" is not a valid key name for a ${kindName}: a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
  }
}

/** Key/value pairs from --from-literal, --from-file and --from-env-file, in the order upstream adds them. */
async function collectSources(input: GeneratorInput, io: GeneratorIO, kindName: string, objName: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const add = (key: string, value: Buffer): void => {
    checkKey(key, kindName);
    if (out.has(key)) {
      throw new CliError(`cannot add key ${key}, another key by that name already exists in Data for ${kindName} "${objName}"`);
    }
    out.set(key, value);
  };
  for (const spec of slice(input.flags, 'from-file')) {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? undefined : spec.slice(0, eq);
    const path = eq < 0 ? spec : spec.slice(eq + 1);
    if (key === '') {
      throw new CliError(`key names or file paths cannot be empty`);
    }
    const entries = await io.listDir(path);
    if (entries !== undefined) {
      if (key !== undefined) {
        throw new CliError('cannot give a key name for a directory path');
      }
      for (const file of entries) {
        add(file, await io.readFile(`${path}/${file}`));
      }
    } else {
      add(key ?? basename(path), await io.readFile(path));
    }
  }
  for (const lit of list(input.flags, 'from-literal')) {
    const eq = lit.indexOf('=');
    if (eq <= 0) {
      throw new CliError(`invalid literal source ${lit}, expected key=value`);
    }
    add(lit.slice(0, eq), Buffer.from(lit.slice(eq + 1)));
  }
  for (const file of slice(input.flags, 'from-env-file')) {
    const text = (await io.readFile(file)).toString('utf8').replace(/^\uFEFF/, '');
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/^\s+/, '').replace(/\r$/, '');
      if (line === '' || line.startsWith('#')) {
        return;
      }
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (key.includes(' ') || key === '') {
        throw new CliError(`"${key}" is not a valid key name: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (line ${i + 1})`);
      }
      add(key, Buffer.from(eq < 0 ? (io.env[key] ?? '') : line.slice(eq + 1)));
    });
  }
  return out;
}

function isUtf8(b: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
}

const sourceFlags: Generator['flags'] = [
  { name: 'from-file', type: 'stringArray', usage: 'Key file can be specified using its file path, in which case file basename will be used as configmap key, or optionally with a key and file path, in which case the given key will be used.  Specifying a directory will iterate each named file in the directory whose basename is a valid configmap key.' },
  { name: 'from-literal', type: 'stringArray', usage: 'Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)' },
  { name: 'from-env-file', type: 'stringArray', usage: 'Specify the path to a file to read lines of key=val pairs to create a configmap.' },
  { name: 'append-hash', type: 'bool', default: false, usage: 'Append a hash of the configmap to its name.' },
];

/** `kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1]`. */
export const configMapGenerator: Generator = {
  name: 'configmap',
  aliases: ['cm'],
  use: 'configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]',
  short: 'Create a config map from a local file, directory or literal value',
  flags: sourceFlags,
  target: { group: '', version: 'v1', resource: 'configmaps', namespaced: true },
  errorNoun: 'configmap',
  async generate(input, io) {
    if (bool(input.flags, 'append-hash')) {
      throw new CliError('--append-hash is not supported by k8ts kubectl');
    }
    const sources = await collectSources(input, io, 'ConfigMap', input.name);
    const cm: JsonObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: objectMeta(input.name, input.enforcedNamespace) };
    const text = [...sources].filter(([, v]) => isUtf8(v));
    const binary = [...sources].filter(([, v]) => !isUtf8(v));
    if (text.length > 0) {
      cm.data = sortedMap(text.map(([k, v]) => [k, v.toString('utf8')] as const));
    }
    if (binary.length > 0) {
      cm.binaryData = sortedMap(binary.map(([k, v]) => [k, v.toString('base64')] as const));
    }
    return cm;
  },
};

function secret(name: string, ns: string | undefined, data: Map<string, Buffer>, type: string): JsonObject {
  const s: JsonObject = { kind: 'Secret', apiVersion: 'v1', metadata: objectMeta(name, ns) };
  if (data.size > 0) {
    s.data = sortedMap([...data].map(([k, v]) => [k, v.toString('base64')] as const));
  }
  if (type !== '') {
    s.type = type;
  }
  return s;
}

/** `kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1]`. */
export const secretGenericGenerator: Generator = {
  name: 'generic',
  aliases: [],
  use: 'generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none]',
  short: 'Create a secret from a local file, directory, or literal value',
  flags: [...sourceFlags, { name: 'type', type: 'string', usage: 'The type of secret to create' }],
  target: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
  errorNoun: 'secret',
  async generate(input, io) {
    if (bool(input.flags, 'append-hash')) {
      throw new CliError('--append-hash is not supported by k8ts kubectl');
    }
    return secret(input.name, input.enforcedNamespace, await collectSources(input, io, 'Secret', input.name), str(input.flags, 'type'));
  },
};

/** `kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file`. */
export const secretTlsGenerator: Generator = {
  name: 'tls',
  aliases: [],
  use: 'tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none]',
  short: 'Create a TLS secret',
  flags: [
    { name: 'cert', type: 'string', usage: 'Path to PEM encoded public key certificate.' },
    { name: 'key', type: 'string', usage: 'Path to private key associated with given certificate.' },
    { name: 'append-hash', type: 'bool', default: false, usage: 'Append a hash of the secret to its name.' },
  ],
  required: ['cert', 'key'],
  target: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
  errorNoun: 'secret',
  async generate(input, io) {
    const cert = await io.readFile(str(input.flags, 'cert'));
    const key = await io.readFile(str(input.flags, 'key'));
    try {
      const x = new X509Certificate(cert);
      if (!x.checkPrivateKey(createPrivateKey(key))) {
        throw new Error('private key does not match public key');
      }
    } catch (e) {
      throw new CliError(`failed to load key pair tls: ${e instanceof Error ? e.message : String(e)}`);
    }
    return secret(input.name, input.enforcedNamespace, new Map([['tls.crt', cert], ['tls.key', key]]), 'kubernetes.io/tls');
  },
};

/** `kubectl create secret docker-registry NAME --docker-username=user --docker-password=password --docker-email=email`. */
export const secretDockerRegistryGenerator: Generator = {
  name: 'docker-registry',
  aliases: [],
  use: 'docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none]',
  short: 'Create a secret for use with a Docker registry',
  flags: [
    { name: 'docker-server', type: 'string', default: 'https://index.docker.io/v1/', usage: 'Server location for Docker registry' },
    { name: 'docker-username', type: 'string', usage: 'Username for Docker registry authentication' },
    { name: 'docker-password', type: 'string', usage: 'Password for Docker registry authentication' },
    { name: 'docker-email', type: 'string', usage: 'Email for Docker registry' },
    { name: 'from-file', type: 'stringArray', usage: 'Key files can be specified using their file path, in which case a default name of .dockerconfigjson will be given to them, or optionally with a name and file path, in which case the given name will be used. Specifying a directory will iterate each named file in the directory that is a valid secret key. For this command, the key should always be .dockerconfigjson.' },
    { name: 'append-hash', type: 'bool', default: false, usage: 'Append a hash of the secret to its name.' },
  ],
  target: { group: '', version: 'v1', resource: 'secrets', namespaced: true },
  errorNoun: 'secret',
  async generate(input, io) {
    if (slice(input.flags, 'from-file').length > 0) {
      return secret(input.name, input.enforcedNamespace, await collectSources(input, io, 'Secret', input.name), 'kubernetes.io/dockerconfigjson');
    }
    const user = str(input.flags, 'docker-username');
    const password = str(input.flags, 'docker-password');
    if (user === '') {
      throw new CliError('missing username for docker registry');
    }
    if (password === '') {
      throw new CliError('missing password for docker registry');
    }
    const server = str(input.flags, 'docker-server') || 'https://index.docker.io/v1/';
    const entry: JsonObject = { username: user, password };
    const email = str(input.flags, 'docker-email');
    if (email !== '') {
      entry.email = email;
    }
    entry.auth = Buffer.from(`${user}:${password}`).toString('base64');
    const json = Buffer.from(JSON.stringify({ auths: { [server]: entry } }));
    return secret(input.name, input.enforcedNamespace, new Map([['.dockerconfigjson', json]]), 'kubernetes.io/dockerconfigjson');
  },
};
