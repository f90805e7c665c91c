/** Generators for workloads: `create deployment|job|cronjob` and `run`'s Pod. */
import { randomBytes } from 'node:crypto';
import { CliError } from '../command.ts';
import type { Generator, JsonObject } from './types.ts';
import { bool, list, num, objectMeta, slice, str } from './types.ts';

const alnum = 'bcdfghjklmnpqrstvwxz2456789';

/** Upstream's utilrand.String: `n` characters from an alphabet without vowels and confusable digits. */
export function randomSuffix(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) {
    s += alnum[b % alnum.length];
  }
  return s;
}

/** Container name from an image reference: last path segment without tag/digest; `_`/`.` become `-` plus a random suffix. */
export function containerNameFromImage(image: string): string {
  let name = image.split('/').at(-1) ?? image;
  name = name.split(':')[0] ?? name;
  name = name.split('@')[0] ?? name;
  if (/[_.]/.test(name)) {
    name = `${name.replace(/[_.]/g, '-')}-${randomSuffix(5)}`;
  }
  return name;
}

/** A Container in Go field order: name, image, command, args, ports, env, resources. */
function container(name: string, image: string, opts: { command?: readonly string[]; args?: readonly string[]; ports?: readonly JsonObject[]; env?: readonly JsonObject[] } = {}): JsonObject {
  const c: JsonObject = { name, image };
  if (opts.command !== undefined && opts.command.length > 0) {
    c.command = [...opts.command];
  }
  if (opts.args !== undefined && opts.args.length > 0) {
    c.args = [...opts.args];
  }
  if (opts.ports !== undefined && opts.ports.length > 0) {
    c.ports = opts.ports;
  }
  if (opts.env !== undefined && opts.env.length > 0) {
    c.env = opts.env;
  }
  c.resources = {};
  return c;
}

const createFlags = {
  image: { name: 'image', type: 'stringArray', usage: 'Image names to run.' },
} as const;

/** `kubectl create deployment NAME --image=image [-- command]`. */
export const deploymentGenerator: Generator = {
  name: 'deployment',
  aliases: ['deploy'],
  use: 'deployment NAME --image=image -- [COMMAND] [args...]',
  short: 'Create a deployment with the specified name',
  flags: [
    createFlags.image,
    { name: 'port', type: 'int', default: -1, usage: 'The port that this container exposes.' },
    { name: 'replicas', short: 'r', type: 'int', default: 1, usage: 'Number of replicas to create. Default is 1.' },
  ],
  required: ['image'],
  target: { group: 'apps', version: 'v1', resource: 'deployments', namespaced: true },
  errorNoun: 'deployment',
  takesCommand: true,
  generate(input) {
    const images = slice(input.flags, 'image');
    if (images.length > 1 && input.args.length > 0) {
      throw new CliError('cannot specify multiple --image options and command');
    }
    const labels = { app: input.name };
    const containers = images.map((image) => container(containerNameFromImage(image), image, { command: input.args }));
    const port = num(input.flags, 'port', -1);
    if (port >= 0 && containers[0] !== undefined) {
      // ports sit before resources in Container's field order
      const { resources, ...rest } = containers[0];
      containers[0] = { ...rest, ports: [{ containerPort: port }], resources };
    }
    return Promise.resolve({
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: objectMeta(input.name, input.enforcedNamespace, labels),
      spec: {
        replicas: num(input.flags, 'replicas', 1),
        selector: { matchLabels: { ...labels } },
        template: { metadata: { labels: { ...labels } }, spec: { containers } },
        strategy: {},
      },
      status: {},
    });
  },
};

function jobSpec(name: string, image: string, command: readonly string[], restartPolicy: string): JsonObject {
  return {
    template: {
      metadata: {},
      spec: { containers: [container(name, image, { command })], restartPolicy },
    },
  };
}

/** `kubectl create job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]`. */
export const jobGenerator: Generator = {
  name: 'job',
  aliases: [],
  use: 'job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...]',
  short: 'Create a job with the specified name',
  flags: [
    { name: 'image', type: 'string', usage: 'Image name to run.' },
    { name: 'from', type: 'string', usage: "The name of the resource to create a Job from (only cronjob is supported)." },
  ],
  target: { group: 'batch', version: 'v1', resource: 'jobs', namespaced: true },
  errorNoun: 'job',
  takesCommand: true,
  async generate(input, io) {
    const image = str(input.flags, 'image');
    const from = str(input.flags, 'from');
    if (image === '' && from === '') {
      throw new CliError('either --image or --from must be specified');
    }
    if (image !== '' && from !== '') {
      throw new CliError('--image and --from are mutually exclusive');
    }
    if (from !== '' && input.args.length > 0) {
      throw new CliError('cannot specify --from and command');
    }
    if (from === '') {
      return { kind: 'Job', apiVersion: 'batch/v1', metadata: objectMeta(input.name, input.enforcedNamespace), spec: jobSpec(input.name, image, input.args, 'Never'), status: {} };
    }
    const slash = from.indexOf('/');
    const kind = slash < 0 ? from : from.slice(0, slash);
    const cronName = slash < 0 ? '' : from.slice(slash + 1);
    if (slash < 0 || cronName === '') {
      throw new CliError(`from must be of the form <resource>/<name>`);
    }
    const mapped = await io.resolveResource(kind);
    if (mapped.resource !== 'cronjobs' || mapped.group !== 'batch') {
      throw new CliError(`unknown object type ${kind}`);
    }
    const cron = await io.getObject({ group: 'batch', version: 'v1', resource: 'cronjobs', namespace: input.namespace, name: cronName });
    return jobFromCronJob(input.name, input.namespace, cron);
  },
};

/** A Job from a CronJob's jobTemplate, as `create job --from=cronjob/x` builds it (instantiate annotation, owner reference). */
export function jobFromCronJob(name: string, namespace: string, cron: JsonObject): JsonObject {
  const cronMeta = (cron.metadata ?? {}) as JsonObject;
  const cronSpec = (cron.spec ?? {}) as JsonObject;
  const template = (cronSpec.jobTemplate ?? {}) as JsonObject;
  const tmeta = (template.metadata ?? {}) as JsonObject;
  const annotations: Record<string, string> = { 'cronjob.kubernetes.io/instantiate': 'manual' };
  for (const [k, v] of Object.entries((tmeta.annotations ?? {}) as Record<string, string>)) {
    annotations[k] = v;
  }
  const metadata: JsonObject = { name, namespace };
  if (tmeta.labels !== undefined) {
    metadata.labels = tmeta.labels;
  }
  metadata.annotations = Object.fromEntries(Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  metadata.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cronMeta.name, uid: cronMeta.uid, controller: true }];
  return { kind: 'Job', apiVersion: 'batch/v1', metadata, spec: template.spec ?? {}, status: {} };
}

/** `kubectl create cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...]`. */
export const cronJobGenerator: Generator = {
  name: 'cronjob',
  aliases: ['cj'],
  use: "cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...]",
  short: 'Create a cron job with the specified name',
  flags: [
    { name: 'image', type: 'string', usage: 'Image name to run.' },
    { name: 'schedule', type: 'string', usage: 'A schedule in the Cron format the job should be run with.' },
    { name: 'restart', type: 'string', usage: "job's restart policy. supported values: OnFailure, Never" },
  ],
  required: ['image', 'schedule'],
  target: { group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true },
  errorNoun: 'cronjob',
  takesCommand: true,
  generate(input) {
    const restart = str(input.flags, 'restart') || 'OnFailure';
    if (restart !== 'OnFailure' && restart !== 'Never') {
      throw new CliError(`restart policy must be one of [OnFailure Never]`);
    }
    const jobMeta: JsonObject = { name: input.name };
    if (input.enforcedNamespace !== undefined) {
      jobMeta.namespace = input.enforcedNamespace;
    }
    return Promise.resolve({
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: objectMeta(input.name, input.enforcedNamespace),
      spec: {
        schedule: str(input.flags, 'schedule'),
        jobTemplate: { metadata: jobMeta, spec: jobSpec(input.name, str(input.flags, 'image'), input.args, restart) },
      },
      status: {},
    });
  },
};

/** Parses `a=b,c=d` label lists as `run --labels` does. */
export function parseLabels(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new CliError(`invalid label spec: ${part}`);
    }
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The Pod `kubectl run NAME --image=...` creates. */
export function runPod(input: { readonly name: string; readonly args: readonly string[]; readonly flags: Parameters<typeof str>[0]; readonly enforcedNamespace: string | undefined }): JsonObject {
  const image = str(input.flags, 'image');
  const labelSpec = str(input.flags, 'labels');
  const labels = labelSpec === '' ? { run: input.name } : parseLabels(labelSpec);
  const restart = str(input.flags, 'restart') || 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(restart)) {
    throw new CliError(`invalid restart policy: ${restart}`);
  }
  const useCommand = bool(input.flags, 'command');
  const env = list(input.flags, 'env').map((e) => {
    const eq = e.indexOf('=');
    if (eq <= 0) {
      throw new CliError(`invalid env: ${e}`);
    }
    return { name: e.slice(0, eq), value: e.slice(eq + 1) };
  });
  const portStr = str(input.flags, 'port');
  const ports = portStr === '' ? [] : [{ containerPort: Number(portStr) }];
  const c = container(input.name, image, { command: useCommand ? input.args : undefined, args: useCommand ? undefined : input.args, ports, env });
  const pullPolicy = str(input.flags, 'image-pull-policy');
  if (pullPolicy !== '') {
    c.imagePullPolicy = pullPolicy;
  }
  const spec: JsonObject = { containers: [c], restartPolicy: restart, dnsPolicy: 'ClusterFirst' };
  const meta = objectMeta(input.name, input.enforcedNamespace, labels);
  const annotations = list(input.flags, 'annotations');
  if (annotations.length > 0) {
    meta.annotations = parseLabels(annotations.join(','));
  }
  return { kind: 'Pod', apiVersion: 'v1', metadata: meta, spec, status: {} };
}
