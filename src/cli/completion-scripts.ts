// Shell completion scripts for bash, zsh and fish, generated from the commands as defined, so
// they never fall behind. Arguments named <app> complete from `berth apps` (its piped output is
// one app a line, name first).
import type { Command } from 'commander';

interface Entry {
  path: string[];
  names: string[];
  flags: string[];
  takesApp: boolean;
}

function walk(cmd: Command, path: string[] = []): Entry[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  const entry: Entry = {
    path,
    names: subs.map((c) => c.name()),
    flags: [...cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f))), '--help'],
    takesApp: cmd.registeredArguments[0]?.name() === 'app',
  };
  return [entry, ...subs.flatMap((c) => walk(c, [...path, c.name()]))];
}

export function completionScript(program: Command, shell: string): string {
  const entries = walk(program);
  const globalFlags = entries[0]?.flags ?? [];
  if (shell === 'bash' || shell === 'zsh') {
    const cases = entries
      .map((e) => `    "${e.path.join(' ')}") words="${[...e.names, ...e.flags, ...(e.path.length ? globalFlags : [])].join(' ')}"; app=${e.takesApp ? 1 : 0} ;;`)
      .join('\n');
    const body = `_berth() {
  local cur path="" w i app=0 words
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) continue ;; esac
    case " $(_berth_names "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  case "$path" in
${cases}
    *) words="" ;;
  esac
  if [ "$app" = 1 ] && [ "\${cur#-}" = "$cur" ]; then words="$words $(berth apps 2>/dev/null | cut -f1)"; fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
_berth_names() {
  case "$1" in
${entries.map((e) => `    "${e.path.join(' ')}") echo "${e.names.join(' ')}" ;;`).join('\n')}
  esac
}
complete -F _berth berth
`;
    return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${body}` : body;
  }
  if (shell === 'fish') {
    const lines = ['complete -c berth -f'];
    for (const e of entries) {
      const cond = e.path.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${e.path[e.path.length - 1]}`;
      if (e.names.length) lines.push(`complete -c berth -n '${cond}' -a '${e.names.join(' ')}'`);
      for (const f of e.flags) lines.push(f.startsWith('--') ? `complete -c berth -n '${cond}' -l ${f.slice(2)}` : `complete -c berth -n '${cond}' -s ${f.slice(1)}`);
      if (e.takesApp) lines.push(`complete -c berth -n '${cond}' -a '(berth apps 2>/dev/null | cut -f1)'`);
    }
    return `${lines.join('\n')}\n`;
  }
  throw new Error(`no completion for shell ${shell}`);
}
