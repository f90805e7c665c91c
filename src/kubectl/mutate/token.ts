/**
 * `kubectl create token SA`: a TokenRequest on the service account's `token` subresource
 * (`--audience`, `--duration`, `--bound-object-*`); prints the bare token (a newline only on a
 * terminal, as upstream) or, with `-o`, the TokenRequest.
 */
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { printFlags, printObject } from './common.ts';
import { nameFromArgs } from './generated.ts';
import { list, str } from '../generators/types.ts';

type Obj = Record<string, unknown>;

/** The kinds a token may be bound to, with their apiVersion. */
const boundObjectKinds: Readonly<Record<string, string>> = { Node: 'v1', Pod: 'v1', Secret: 'v1' };

const tokenExample = `  # Request a token to authenticate to the kube-apiserver as the service account "myapp" in the current namespace
  kubectl create token myapp
  
  # Request a token for a service account in a custom namespace
  kubectl create token myapp --namespace myns
  
  # Request a token with a custom expiration
  kubectl create token myapp --duration 10m
  
  # Request a token with a custom audience
  kubectl create token myapp --audience https://example.com
  
  # Request a token bound to an instance of a Secret object
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret
  
  # Request a token bound to an instance of a Secret object with a specific UID
  kubectl create token myapp --bound-object-kind Secret --bound-object-name mysecret --bound-object-uid 0d4691ed-659b-4935-a832-355f77ee47cc`;

/** `create token` as a sub-command Verb. */
export const tokenVerb: Verb = {
  use: 'token SERVICE_ACCOUNT_NAME',
  short: 'Request a service account token',
  long: 'Request a service account token.',
  example: tokenExample,
  flags: [
    { name: 'audience', type: 'stringArray', default: [], usage: 'Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.' },
    { name: 'bound-object-kind', type: 'string', usage: 'Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided.' },
    { name: 'bound-object-name', type: 'string', usage: 'Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.' },
    { name: 'bound-object-uid', type: 'string', usage: 'UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.' },
    { name: 'duration', type: 'duration', default: 0, usage: 'Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.' },
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const { name } = nameFromArgs(ctx, args);
    const durationMs = typeof flags.get('duration') === 'number' ? (flags.get('duration') as number) : 0;
    const audiences = list(flags, 'audience');
    const kind = str(flags, 'bound-object-kind');
    const boundName = str(flags, 'bound-object-name');
    const boundUid = str(flags, 'bound-object-uid');
    if (durationMs < 0) {
      throw new CliError('--duration must be greater than or equal to 0');
    }
    if (durationMs % 1000 !== 0) {
      throw new CliError('--duration cannot be expressed in units less than seconds');
    }
    if (audiences.some((a) => a === '')) {
      throw new CliError('--audience must not be an empty string');
    }
    if (kind === '') {
      if (boundName !== '') {
        throw new CliError('--bound-object-name can only be set if --bound-object-kind is provided');
      }
      if (boundUid !== '') {
        throw new CliError('--bound-object-uid can only be set if --bound-object-kind is provided');
      }
    } else {
      if (boundObjectKinds[kind] === undefined) {
        throw new CliError(`supported --bound-object-kind values are ${Object.keys(boundObjectKinds).sort().join(', ')}`);
      }
      if (boundName === '') {
        throw new CliError('--bound-object-name is required if --bound-object-kind is provided');
      }
    }
    const spec: Obj = { audiences: audiences.length > 0 ? audiences : null };
    if (durationMs > 0) {
      spec.expirationSeconds = durationMs / 1000;
    }
    spec.boundObjectRef = kind === '' ? null : { kind, apiVersion: boundObjectKinds[kind], name: boundName, uid: boundUid === '' ? undefined : boundUid };
    const ns = await ctx.namespace();
    const client = await ctx.client();
    let response: Obj;
    try {
      response = (await client.create({ group: '', version: 'v1', resource: 'serviceaccounts', namespace: ns.namespace, name, subresource: 'token' }, { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec, status: { token: '', expirationTimestamp: null } })) as Obj;
    } catch (e) {
      throw new CliError(`failed to create token: ${e instanceof StatusError ? e.message : (e as Error).message}`);
    }
    const status = (response.status ?? {}) as Obj;
    const token = typeof status.token === 'string' ? status.token : '';
    if (token === '') {
      throw new CliError('failed to create token: no token in server response');
    }
    const output = flags.get('output');
    if (typeof output === 'string' && output !== '') {
      // the typed client's field order
      const rspec = (response.spec ?? {}) as Obj;
      const typed: Obj = {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: response.metadata ?? {},
        spec: { audiences: rspec.audiences ?? null, expirationSeconds: rspec.expirationSeconds ?? null, boundObjectRef: rspec.boundObjectRef ?? null },
        status: { token, expirationTimestamp: status.expirationTimestamp ?? null },
      };
      await printObject(ctx, flags, typed, 'created', 'none', true);
      return 0;
    }
    const isTty = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    ctx.stdout.write(isTty ? `${token}\n` : token);
    return 0;
  },
};
