/**
 * The `${…}` macros a sweep `command` may use (W&B's set, plus `${args_no_equals}` from W&B Launch).
 * `${envvar:NAME}` and `${<parameter name>}` (W&B's per-parameter macro, e.g. `--bs=${batch_size}`)
 * are recognised separately.
 */
export const COMMAND_MACROS = [
  'env',
  'interpreter',
  'program',
  'args',
  'args_no_hyphens',
  'args_no_boolean_flags',
  'args_no_equals',
  'args_json',
  'args_json_file',
] as const;
export type CommandMacro = (typeof COMMAND_MACROS)[number];

/** W&B's default when `command` is absent. */
export const DEFAULT_COMMAND: readonly string[] = [`\${env}`, `\${interpreter}`, `\${program}`, `\${args}`];

/** Macros that expand to one argv element per parameter; they must stand alone in their element. */
export const LIST_MACROS: readonly CommandMacro[] = [
  'args',
  'args_no_hyphens',
  'args_no_boolean_flags',
  'args_no_equals',
];

export type MacroRef =
  | { kind: 'builtin'; name: CommandMacro; text: string }
  | { kind: 'envvar'; name: string; text: string }
  /** Any other `${name}`: a parameter's value when a parameter has that (dotted) name. */
  | { kind: 'other'; name: string; text: string };

export type CommandPart = string | MacroRef;

const MACRO = /\$\{([^}]*)\}/g;

/** Splits one command element into literal text and macro references, in order. */
export function parseCommandElement(element: string): CommandPart[] {
  const parts: CommandPart[] = [];
  let last = 0;
  for (const match of element.matchAll(MACRO)) {
    const start = match.index;
    if (start > last) parts.push(element.slice(last, start));
    parts.push(toRef(match[1] ?? '', match[0]));
    last = start + match[0].length;
  }
  if (last < element.length) parts.push(element.slice(last));
  return parts;
}

function toRef(inner: string, text: string): MacroRef {
  if ((COMMAND_MACROS as readonly string[]).includes(inner)) {
    return { kind: 'builtin', name: inner as CommandMacro, text };
  }
  if (inner.startsWith('envvar:')) return { kind: 'envvar', name: inner.slice('envvar:'.length), text };
  return { kind: 'other', name: inner, text };
}
