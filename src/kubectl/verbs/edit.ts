/**
 * `kubectl edit`: opens the objects' YAML in $KUBE_EDITOR / $EDITOR (vi), and sends the change as
 * a patch (strategic merge for built-in kinds, JSON merge for custom resources). Invalid edits
 * re-open the file with the server's reasons as comments, as upstream's edit loop does.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { PatchType } from '../../client/rest.ts';
import { threeWayPatch } from '../apply/threeway.ts';
import { printFlags, printObject, DryRun, fieldManagerFlag, validateFlag } from '../mutate/common.ts';
import { filenameFlags } from '../mutate/create-files.ts';
import { emptyResourcesError as emptyError, refOf, resolveTargets } from '../mutate/targets.ts';
import type { Target } from '../mutate/targets.ts';
import { withoutManagedFields } from '../printers/index.ts';
import { toYaml } from '../printers/yaml.ts';

type Obj = Record<string, unknown>;

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;


/** The editor command as upstream's defaultEnvEditor builds it. */
function editorCommand(env: NodeJS.ProcessEnv, file: string): string[] {
  const editor = env.KUBE_EDITOR || env.EDITOR || 'vi';
  if (!editor.includes(' ')) {
    return [editor, file];
  }
  if (!/["'\\]/.test(editor)) {
    return [...editor.split(' '), file];
  }
  return [env.SHELL || '/bin/bash', '-c', `${editor} ${JSON.stringify(file)}`];
}

function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .trim();
}

function qualified(t: Target): string {
  return t.mapping.group === '' ? t.mapping.resource : `${t.mapping.resource}.${t.mapping.group}`;
}

/** The comment block for a failed save (upstream's editHeader reasons). */
function reasonComment(head: string, causes: readonly string[]): string {
  return `# ${head}:\n${causes.map((c) => `# * ${c}\n`).join('')}#\n`;
}

const edit: Verb = {
  use: 'edit (RESOURCE/NAME | -f FILENAME)',
  short: 'Edit a resource on the server',
  flags: [
    ...filenameFlags('to use to edit the resource'),
    { name: 'output-patch', type: 'bool', default: false, usage: 'Output the patch if the resource is edited.' },
    { name: 'windows-line-endings', type: 'bool', default: false, usage: 'Defaults to the line ending native to your platform.' },
    { name: 'save-config', type: 'bool', default: false, usage: 'If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future.' },
    { name: 'subresource', type: 'string', usage: 'If specified, edit will operate on the subresource of the requested object. Must be one of [status]. This flag is beta and may change in the future.' },
    validateFlag,
    fieldManagerFlag('kubectl-edit'),
    ...printFlags,
  ],
  async run(ctx: KubectlContext, args, flags) {
    const targets = await resolveTargets(ctx, args, flags, { allowSelectorOrAll: true, emptyError });
    if (targets.length !== 1) {
      throw new CliError('k8ts kubectl edit supports exactly one object at a time');
    }
    const t = targets[0] as Target;
    const client = await ctx.client();
    const original = (await client.get(refOf(t))) as Obj;
    const originalYaml = toYaml(withoutManagedFields(original));
    const file = join(tmpdir(), `kubectl-edit-${randomInt(1e9)}.yaml`);
    let content = `${HEADER}${originalYaml}`;
    let previous: string | undefined;
    const preserved = (message: string): never => {
      ctx.stderr.write(`A copy of your changes has been stored to "${file}"\n`);
      throw new CliError(message);
    };
    try {
      for (;;) {
        writeFileSync(file, content);
        const [cmd, ...cmdArgs] = editorCommand(ctx.env, file);
        const r = spawnSync(cmd ?? 'vi', cmdArgs, { stdio: 'inherit', env: ctx.env });
        if (r.error !== undefined || r.status !== 0) {
          throw new CliError(`there was a problem with the editor "${ctx.env.KUBE_EDITOR || ctx.env.EDITOR || 'vi'}"`);
        }
        const edited = readFileSync(file, 'utf8');
        if (previous !== undefined && stripComments(previous) === stripComments(edited)) {
          preserved('Edit cancelled, no valid changes were saved.');
        }
        if (stripComments(originalYaml) === stripComments(edited)) {
          rmSync(file, { force: true });
          ctx.stderr.write('Edit cancelled, no changes made.\n');
          return 0;
        }
        if (stripComments(edited) === '') {
          rmSync(file, { force: true });
          ctx.stderr.write('Edit cancelled, saved file was empty.\n');
          return 0;
        }
        let updated: Obj;
        try {
          updated = parseYaml(edited) as Obj;
        } catch (e) {
          previous = edited;
          content = `${HEADER}${reasonComment(`The edited file had a syntax error: ${(e as Error).message}`, [])}${stripComments(edited)}\n`;
          continue;
        }
        const om = (original.metadata ?? {}) as Obj;
        const um = (updated.metadata ?? {}) as Obj;
        if (updated.apiVersion !== original.apiVersion || updated.kind !== original.kind || um.name !== om.name) {
          preserved('At least one of apiVersion, kind and name was changed');
        }
        const apiVersion = String(original.apiVersion ?? '');
        const slash = apiVersion.indexOf('/');
        const gvk = { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: String(original.kind ?? '') };
        const base = withoutManagedFields(original);
        const { type, patch } = threeWayPatch(gvk, base, updated, base);
        try {
          const result = (await client.patch(refOf(t), patch, type === 'strategic' ? PatchType.StrategicMerge : PatchType.Merge, { fieldManager: typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-edit' })) as Obj;
          await printObject(ctx, flags, result, 'edited', DryRun.None);
          rmSync(file, { force: true });
          return 0;
        } catch (e) {
          if (e instanceof StatusError && e.code === 422) {
            ctx.stderr.write(`error: ${qualified(t)} "${t.name}" is invalid\n`);
            const causes = (e.details?.causes ?? []).map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
            previous = edited;
            content = `${HEADER}${reasonComment(`${qualified(t)} "${t.name}" was not valid`, causes)}${stripComments(edited)}\n`;
            continue;
          }
          ctx.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
          ctx.stderr.write(`You can run \`kubectl replace -f ${file}\` to try this update again.\n`);
          return 1;
        }
      }
    } catch (e) {
      // the preserved copy stays for the user; anything else is cleaned up
      if (!(e instanceof CliError && (e.message.startsWith('Edit cancelled') || e.message.startsWith('At least one')))) {
        rmSync(file, { force: true });
      }
      throw e;
    }
  },
};

export default edit;
