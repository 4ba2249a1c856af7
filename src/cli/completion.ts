/**
 * Shell completion scripts (bash, zsh, fish) made from the commander program itself: its commands,
 * their options and arguments as `--help` lists them, the value lists of option-values.ts (formats,
 * presets, shells), and file names where a file goes (a command's file arguments, an option whose
 * value is a `<file>`). An option added to a command is completed without an edit here.
 */
import type { Argument, Command, Help, Option } from 'commander';
import { valuesOf } from './option-values.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What may follow an option, or stand in an argument's place. */
type Value = { kind: 'none' } | { kind: 'file' } | { kind: 'text'; name: string } | { kind: 'list'; name: string; values: readonly string[] };

interface OptionSpec {
  short?: string;
  long?: string;
  summary: string;
  value: Value;
}

interface CommandSpec {
  name: string;
  summary: string;
  options: OptionSpec[];
  /** What the command's arguments are (a command takes at most one kind). */
  argument: Value;
}

/** The program as completion sees it: the top level (its arguments are the commands) and each command. */
export function completionModel(program: Command): { top: CommandSpec; commands: CommandSpec[] } {
  const help = program.createHelp();
  const commands = help.visibleCommands(program).map((cmd) => commandSpec(help, cmd, []));
  const names = commands.map((c) => c.name);
  const top = { ...commandSpec(help, program, names), argument: { kind: 'list', name: 'command', values: names } as const };
  // `bn help COMMAND`: its argument is a command's name.
  for (const c of commands) if (c.argument.kind !== 'none' && c.name === 'help') c.argument = { kind: 'list', name: 'command', values: names };
  return { top, commands };
}

function commandSpec(help: Help, cmd: Command, commandNames: readonly string[]): CommandSpec {
  const argument = cmd.registeredArguments[0];
  return {
    name: cmd.name(),
    summary: shortText(help.subcommandDescription(cmd)),
    options: help.visibleOptions(cmd).map((o) => optionSpec(help, o)),
    argument: argument === undefined ? { kind: 'none' } : argumentValue(argument, commandNames),
  };
}

function optionSpec(help: Help, option: Option): OptionSpec {
  const spec: OptionSpec = { summary: shortText(help.optionDescription(option)), value: optionValue(option) };
  if (option.short) spec.short = option.short;
  if (option.long) spec.long = option.long;
  return spec;
}

function optionValue(option: Option): Value {
  if (!option.required && !option.optional) return { kind: 'none' };
  const name = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'value';
  const values = valuesOf(option);
  if (values) return { kind: 'list', name, values };
  return name === 'file' ? { kind: 'file' } : { kind: 'text', name };
}

function argumentValue(argument: Argument, commandNames: readonly string[]): Value {
  const values = valuesOf(argument);
  if (values) return { kind: 'list', name: argument.name(), values };
  if (argument.name() === 'command') return { kind: 'list', name: 'command', values: commandNames };
  return { kind: 'file' };
}

/** A description's first clause, for a menu: no "(default: …)", at most 70 characters. */
function shortText(description: string): string {
  let first = description.replace(/\s*\(default[^)]*\)/g, '').split(/[.;] /)[0]!.trim();
  // "per-feature batch statistics: count, μ_B, …" → "per-feature batch statistics", but "CSV/TSV: the first row is data" stays whole.
  const colon = first.indexOf(': ');
  if (first.length > 50 && colon > 15) first = first.slice(0, colon);
  return first.length <= 70 ? first : `${first.slice(0, 69)}…`;
}

export function completionScript(program: Command, shell: Shell): string {
  const model = completionModel(program);
  const name = program.name();
  return { bash: bashScript, zsh: zshScript, fish: fishScript }[shell](name, model);
}

type Model = ReturnType<typeof completionModel>;

/** 'text' for a shell: single quotes, a quote inside as '\'' (bash, zsh). */
const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
const words = (values: readonly string[]) => quoted(values.join(' '));
const flagsOf = (o: OptionSpec) => [o.short, o.long].filter((f): f is string => f !== undefined);

function bashScript(bin: string, { top, commands }: Model): string {
  const fn = `_${bin}_complete`;
  /** The lines of a `case` on the word being completed, then on the word before it. */
  const commandCase = (c: CommandSpec) => {
    const offering = c.options.filter((o) => o.value.kind === 'list' || o.value.kind === 'file');
    // Options that take any text (a number, a list of names) offer nothing for it.
    const anyText = c.options.filter((o) => o.value.kind === 'text').flatMap(flagsOf);
    const afterOption = [
      ...offering.map((o) => `        ${flagsOf(o).join('|')}) ${bashValue(bin, o.value)}; return ;;`),
      ...(anyText.length > 0 ? [`        ${anyText.join('|')}) return ;;`] : []),
    ];
    return [
      ...(afterOption.length > 0 ? [`      case $prev in`, ...afterOption, `      esac`] : []),
      `      case $cur in`,
      `        -*) _${bin}_words ${words(c.options.flatMap(flagsOf))} ;;`,
      `        *) ${bashValue(bin, c.argument)} ;;`,
      `      esac`,
    ];
  };
  return [
    `# ${bin} completion for bash. Load it in this shell: source <(${bin} completion bash)`,
    `# or for every shell: ${bin} completion bash > ~/.local/share/bash-completion/completions/${bin}`,
    `_${bin}_words() { mapfile -t COMPREPLY < <(compgen -W "$1" -- "$cur"); }`,
    `_${bin}_files() { compopt -o filenames 2> /dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur"); }`,
    `${fn}() {`,
    `  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} command= i`,
    `  COMPREPLY=()`,
    `  for ((i = 1; i < COMP_CWORD; i++)); do`,
    `    case \${COMP_WORDS[i]} in`,
    `      ${commands.map((c) => c.name).join('|')}) command=\${COMP_WORDS[i]}; break ;;`,
    `    esac`,
    `  done`,
    `  case $command in`,
    ...commands.flatMap((c) => [`    ${c.name})`, ...commandCase(c), `      ;;`]),
    `    *)`,
    ...commandCase(top),
    `      ;;`,
    `  esac`,
    `}`,
    `complete -F ${fn} ${bin}`,
    '',
  ].join('\n');
}

function bashValue(bin: string, value: Value): string {
  switch (value.kind) {
    case 'list':
      return `_${bin}_words ${words(value.values)}`;
    case 'file':
      return `_${bin}_files`;
    default:
      return ':';
  }
}

function zshScript(bin: string, { top, commands }: Model): string {
  // In _arguments specs: the description between [ ], the action after ':'.
  const describe = (text: string) => text.replace(/[[\]]/g, (b) => (b === '[' ? '(' : ')')).replace(/:/g, '\\:');
  const action = (value: Value) =>
    value.kind === 'list' ? `${value.name}:(${value.values.join(' ')})` : value.kind === 'file' ? 'file:_files' : value.kind === 'text' ? `${value.name}: ` : '';
  const optionSpecs = (c: CommandSpec) =>
    c.options.flatMap((o) => flagsOf(o).map((flag) => quoted(`${flag}[${describe(o.summary)}]${o.value.kind === 'none' ? '' : `:${action(o.value)}`}`)));
  const argumentSpec = (c: CommandSpec) => (c.argument.kind === 'none' ? [] : [quoted(`*:${action(c.argument)}`)]);
  const menu = commands.map((c) => quoted(`${c.name}:${c.summary}`));
  return [
    `#compdef ${bin}`,
    `# ${bin} completion for zsh. Load it in this shell: source <(${bin} completion zsh)`,
    `# or for every shell: ${bin} completion zsh > "\${fpath[1]}/_${bin}"`,
    `_${bin}() {`,
    `  local curcontext=$curcontext state line`,
    `  local -a commands=(${menu.join(' ')})`,
    `  _arguments -C ${optionSpecs(top).join(' ')} '1: :->command' '*:: :->args'`,
    `  case $state in`,
    `    command) _describe command commands ;;`,
    `    args)`,
    `      case $words[1] in`,
    ...commands.map((c) => `        ${c.name}) _arguments ${[...optionSpecs(c), ...argumentSpec(c)].join(' ')} ;;`),
    `      esac ;;`,
    `  esac`,
    `}`,
    `if [[ $funcstack[1] == _${bin} ]]; then _${bin} "$@"; else compdef _${bin} ${bin}; fi`,
    '',
  ].join('\n');
}

function fishScript(bin: string, { top, commands }: Model): string {
  const quote = (text: string) => `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
  const valueFlags = (value: Value) =>
    value.kind === 'list' ? `-x -a ${quote(value.values.join(' '))}` : value.kind === 'file' ? '-r -F' : value.kind === 'text' ? '-x' : '';
  const option = (condition: string, o: OptionSpec) =>
    [`complete -c ${bin} -n ${condition}`, o.short ? `-s ${o.short.slice(1)}` : '', o.long ? `-l ${o.long.slice(2)}` : '', valueFlags(o.value), `-d ${quote(o.summary)}`]
      .filter(Boolean)
      .join(' ');
  const lines = [
    `# ${bin} completion for fish. Load it in this shell: ${bin} completion fish | source`,
    `# or for every shell: ${bin} completion fish > ~/.config/fish/completions/${bin}.fish`,
    `complete -c ${bin} -f`,
    ...top.options.map((o) => option('__fish_use_subcommand', o)),
    ...commands.map((c) => `complete -c ${bin} -n __fish_use_subcommand -a ${c.name} -d ${quote(c.summary)}`),
  ];
  for (const c of commands) {
    const condition = quote(`__fish_seen_subcommand_from ${c.name}`);
    lines.push(...c.options.map((o) => option(condition, o)));
    if (c.argument.kind === 'file') lines.push(`complete -c ${bin} -n ${condition} -F`);
    if (c.argument.kind === 'list') lines.push(`complete -c ${bin} -n ${condition} -a ${quote(c.argument.values.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}
