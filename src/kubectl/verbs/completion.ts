/**
 * `kubectl completion SHELL`: a shell completion script for bash or zsh. Unlike upstream's
 * (cobra's generated script driving a hidden `__complete` command), ours completes verbs and
 * flags statically and resource types/names by asking `kubectl api-resources` / `kubectl get`,
 * so it is not byte-for-byte upstream's script.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { usageError } from '../polymorphic/flagvalues.ts';

const verbs = [
  'annotate', 'api-resources', 'api-versions', 'apply', 'attach', 'auth', 'cluster-info', 'completion', 'config', 'cordon', 'cp', 'create', 'delete',
  'describe', 'diff', 'drain', 'edit', 'exec', 'explain', 'expose', 'get', 'label', 'logs', 'patch', 'port-forward', 'replace', 'rollout', 'run',
  'scale', 'set', 'taint', 'top', 'uncordon', 'version', 'wait',
];

/** Verbs whose arguments are a resource type then names. */
const typedVerbs = ['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'patch', 'scale', 'wait', 'rollout', 'explain'];

function bashScript(): string {
  return `# bash completion for kubectl (k8ts)                      -*- shell-script -*-

__kubectl_k8ts_resource_types() {
    kubectl api-resources -o name --cached --request-timeout=5s --verbs=get 2>/dev/null
}

__kubectl_k8ts_names() {
    kubectl get "$1" -o 'jsonpath={range .items[*]}{.metadata.name}{"\\n"}{end}' --request-timeout=5s 2>/dev/null
}

__kubectl_k8ts_complete() {
    local cur prev verb i
    cur="\${COMP_WORDS[COMP_CWORD]}"
    prev="\${COMP_WORDS[COMP_CWORD-1]}"
    verb=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "\${COMP_WORDS[i]}" in
            -*) ;;
            *) verb="\${COMP_WORDS[i]}"; break ;;
        esac
    done
    if [[ -z "$verb" ]]; then
        COMPREPLY=( $(compgen -W "${verbs.join(' ')}" -- "$cur") )
        return 0
    fi
    if [[ "$cur" == -* ]]; then
        COMPREPLY=( $(compgen -W "$(kubectl "$verb" --help 2>/dev/null | grep -oE -- '--[a-z0-9-]+' | sort -u)" -- "$cur") )
        return 0
    fi
    case "$verb" in
        ${typedVerbs.join('|')})
            if [[ "$prev" == "$verb" || "$prev" == -* ]]; then
                COMPREPLY=( $(compgen -W "$(__kubectl_k8ts_resource_types)" -- "$cur") )
            else
                COMPREPLY=( $(compgen -W "$(__kubectl_k8ts_names "$prev")" -- "$cur") )
            fi ;;
        logs|exec|attach|port-forward|cp)
            COMPREPLY=( $(compgen -W "$(__kubectl_k8ts_names pods)" -- "$cur") ) ;;
        cordon|uncordon|drain|taint)
            COMPREPLY=( $(compgen -W "$(__kubectl_k8ts_names nodes)" -- "$cur") ) ;;
        completion)
            COMPREPLY=( $(compgen -W "bash zsh" -- "$cur") ) ;;
    esac
    return 0
}

complete -o default -F __kubectl_k8ts_complete kubectl
`;
}

function zshScript(): string {
  return `#compdef kubectl
compdef _kubectl kubectl

# zsh completion for kubectl (k8ts): reuses the bash completion through bashcompinit.
autoload -U +X bashcompinit && bashcompinit
${bashScript()}`;
}

const verb: Verb = {
  use: 'completion SHELL',
  short: 'Output shell completion code for the specified shell (bash, zsh, fish, or powershell)',
  flags: [],
  async run(ctx: KubectlContext, args: readonly string[], _flags: FlagValues): Promise<number> {
    if (args.length === 0) {
      throw usageError('kubectl completion', 'Shell not specified.');
    }
    if (args.length > 1) {
      throw usageError('kubectl completion', 'Too many arguments. Expected only the shell type.');
    }
    const shell = args[0];
    if (shell === 'bash') {
      ctx.stdout.write(bashScript());
    } else if (shell === 'zsh') {
      ctx.stdout.write(zshScript());
    } else {
      throw usageError('kubectl completion', `Unsupported shell type "${shell ?? ''}".`);
    }
    return 0;
  },
};

export default verb;
