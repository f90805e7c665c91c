/** `kubectl version`: client version, then the server's (GET /version), with the minor-version skew warning. */
import { CliError } from '../command.ts';
import type { KubectlContext, Verb } from '../command.ts';
import { boolFlag, stringFlag } from '../cli/flags.ts';
import { KUBECTL_VERSION } from '../context.ts';

function clientInfo(): Record<string, string> {
  const [major, minor] = KUBECTL_VERSION.slice(1).split('.');
  return {
    major,
    minor,
    gitVersion: KUBECTL_VERSION,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

async function serverInfo(ctx: KubectlContext): Promise<Record<string, unknown>> {
  const client = await ctx.client();
  return client.request<Record<string, unknown>>({ method: 'GET', path: '/version' });
}

function skewWarning(server: Record<string, unknown>): string {
  const clientMinor = Number(KUBECTL_VERSION.split('.')[1]);
  const serverMinor = Number.parseInt(String(server.minor ?? ''), 10);
  if (String(server.major ?? '') !== '1' || !Number.isFinite(serverMinor) || Math.abs(clientMinor - serverMinor) <= 1) {
    return '';
  }
  return `WARNING: version difference between client (1.${clientMinor}) and server (1.${serverMinor}) exceeds the supported minor version skew of +/-1\n`;
}

const verb: Verb = {
  use: 'version',
  flagsInUseLine: true,
  short: 'Print the client and server version information',
  long: 'Print the client and server version information for the current context.',
  example: '  # Print the client and server versions for the current context\n  kubectl version',
  flags: [
    { name: 'client', type: 'bool', default: false, usage: 'If true, shows client version only (no server required).' },
    { name: 'output', short: 'o', type: 'string', default: '', usage: "One of 'yaml' or 'json'." },
  ],
  async run(ctx, args, flags) {
    if (args.length > 0) {
      throw new CliError(`extra arguments: [${args.join(' ')}]`);
    }
    const output = stringFlag(flags, 'output');
    if (output !== '' && output !== 'yaml' && output !== 'json') {
      throw new CliError("--output must be 'yaml' or 'json'");
    }
    const clientOnly = boolFlag(flags, 'client');
    const client = clientInfo();
    // k8ts does not embed kustomize, so there is no "Kustomize Version" line.
    if (output === '') {
      ctx.stdout.write(`Client Version: ${client.gitVersion}\n`);
      if (clientOnly) {
        return 0;
      }
      const server = await serverInfo(ctx);
      ctx.stdout.write(`Server Version: ${String(server.gitVersion ?? '')}\n`);
      ctx.stderr.write(skewWarning(server));
      return 0;
    }
    const doc: Record<string, unknown> = { clientVersion: client };
    let serverError: unknown;
    if (!clientOnly) {
      try {
        doc.serverVersion = await serverInfo(ctx);
      } catch (e) {
        serverError = e;
      }
    }
    // The YAML printer is loaded only for -o yaml (start-up time of the plain `version`).
    ctx.stdout.write(output === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : (await import('../printers/yaml.ts')).toYaml(doc));
    if (serverError !== undefined) {
      throw serverError;
    }
    return 0;
  },
};

export default verb;
