import { extname } from 'node:path';
import { type CommandPart, DEFAULT_COMMAND, LIST_MACROS, type MacroRef, parseCommandElement } from './command-macros';
import type { Params, ParamValue, SearchSpace } from './domain';
import { HyperfleetError } from './errors';
import { flattenParams } from './params';
import { toSearchSpace } from './search-space';
import type { SweepConfig } from './sweep-config';

export const COMMAND_INVALID = 'COMMAND_INVALID';

export interface RenderContext {
  /** This trial's params, nested as the config nests them. */
  params: Params;
  /** Overrides both the config's `interpreter` and the extension-based default. */
  interpreter?: string | readonly string[];
  /** Looked up first by `${envvar:NAME}`, before process.env. */
  env?: Readonly<Record<string, string>>;
  /** What `${args_json_file}` expands to; the caller writes the params there. */
  argsJsonFile?: string;
}

export type RenderableConfig = Pick<SweepConfig, 'parameters'> &
  Partial<Pick<SweepConfig, 'command' | 'program' | 'interpreter'>>;

/**
 * The argv of one trial (never a shell string: nothing is quoted or globbed, values with spaces
 * stay one argument). `command` defaults to W&B's `${env} ${interpreter} ${program} ${args}`.
 *
 * - `${env}` is dropped: W&B puts /usr/bin/env there to find python on PATH; we spawn with an
 *   explicit environment and PATH lookup, so it would only add a process.
 * - `${interpreter}`: ctx.interpreter, else config `interpreter`, else by the program's extension —
 *   .py → python3, .js/.mjs/.cjs → this Node, .ts/.mts/.cts → this Node with `--import tsx`,
 *   .sh → bash; anything else is dropped so the program runs by itself (it must be executable).
 * - `${program}`: config `program`.
 * - `${args}` → `--name=value` per parameter (nested names dotted), `${args_no_hyphens}` → `name=value`,
 *   `${args_no_boolean_flags}` → like `${args}` but `--flag` for true and nothing for false,
 *   `${args_no_equals}` → `--name value` as two elements. These four must be a whole element.
 * - `${args_json}` → the nested params as one JSON argument; `${args_json_file}` → ctx.argsJsonFile.
 * - `${envvar:NAME}` → ctx.env.NAME, else process.env.NAME; missing is an error.
 * - `${name}` where `name` is a parameter (dotted for nested ones) → that value (W&B's per-parameter macro).
 *   Any other `${…}` is passed through literally, as W&B does (validation warns about it).
 *
 * Values are JSON-style literals: `true` (not Python's `True`), `null`, numbers in JavaScript's
 * shortest form, strings raw, lists and mappings as JSON. Throws HyperfleetError COMMAND_INVALID.
 */
export function renderCommand(config: RenderableConfig, ctx: RenderContext): string[] {
  const { space, template } = compiled(config);
  const flat = flattenParams(ctx.params, space);
  const argv: string[] = [];

  for (const { element, parts } of template) {
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only !== undefined && typeof only !== 'string') {
      argv.push(...expandWhole(only, config, ctx, flat));
      continue;
    }
    let text = '';
    for (const part of parts) text += typeof part === 'string' ? part : expandInline(part, element, config, ctx, flat);
    argv.push(text);
  }
  return argv;
}

interface CompiledCommand {
  space: SearchSpace;
  template: { element: string; parts: CommandPart[] }[];
}

// A controller renders the same config once per trial: its search space and parsed template are built once.
const compiledConfigs = new WeakMap<RenderableConfig, CompiledCommand>();

function compiled(config: RenderableConfig): CompiledCommand {
  let c = compiledConfigs.get(config);
  if (!c) {
    const template = (config.command ?? DEFAULT_COMMAND).map((element) => ({
      element,
      parts: parseCommandElement(element),
    }));
    c = { space: toSearchSpace(config), template };
    compiledConfigs.set(config, c);
  }
  return c;
}

/** A value as it appears on a command line. */
export function formatParamValue(value: ParamValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  return JSON.stringify(value);
}

/** Interpreter argv for a program, by extension ([] when the program should run by itself). */
export function defaultInterpreter(program: string): string[] {
  switch (extname(program).toLowerCase()) {
    case '.py':
      return ['python3'];
    case '.js':
    case '.mjs':
    case '.cjs':
      return [process.execPath];
    case '.ts':
    case '.mts':
    case '.cts':
      return [process.execPath, '--import', 'tsx'];
    case '.sh':
      return ['bash'];
    default:
      return [];
  }
}

function expandWhole(
  ref: MacroRef,
  config: RenderableConfig,
  ctx: RenderContext,
  flat: Record<string, ParamValue>,
): string[] {
  if (ref.kind === 'builtin') {
    const entries = Object.entries(flat);
    switch (ref.name) {
      case 'env':
        return [];
      case 'interpreter':
        return interpreterArgv(config, ctx);
      case 'args':
        return entries.map(([name, value]) => `--${name}=${formatParamValue(value)}`);
      case 'args_no_hyphens':
        return entries.map(([name, value]) => `${name}=${formatParamValue(value)}`);
      case 'args_no_boolean_flags':
        return entries.flatMap(([name, value]) => {
          if (value === true) return [`--${name}`];
          if (value === false) return [];
          return [`--${name}=${formatParamValue(value)}`];
        });
      case 'args_no_equals':
        return entries.flatMap(([name, value]) => [`--${name}`, formatParamValue(value)]);
      default:
        break;
    }
  }
  return [expandInline(ref, ref.text, config, ctx, flat)];
}

function expandInline(
  ref: MacroRef,
  element: string,
  config: RenderableConfig,
  ctx: RenderContext,
  flat: Record<string, ParamValue>,
): string {
  switch (ref.kind) {
    case 'envvar': {
      const value = ctx.env?.[ref.name] ?? process.env[ref.name];
      if (value === undefined) {
        throw new HyperfleetError(
          COMMAND_INVALID,
          `${ref.text} in the command: environment variable ${ref.name} is not set`,
          {
            hint: `set ${ref.name} in the environment of the worker, or remove ${ref.text} from \`command\``,
          },
        );
      }
      return value;
    }
    case 'other': {
      if (Object.hasOwn(flat, ref.name)) return formatParamValue(flat[ref.name]!);
      return ref.text; // not a macro and not a parameter: literal, as in W&B
    }
    case 'builtin':
      break;
  }
  switch (ref.name) {
    case 'env':
      return '';
    case 'interpreter':
      return interpreterArgv(config, ctx).join(' ');
    case 'program':
      return programOf(config);
    case 'args_json':
      return JSON.stringify(ctx.params);
    case 'args_json_file':
      if (ctx.argsJsonFile === undefined) {
        throw new HyperfleetError(COMMAND_INVALID, `${ref.text} is used but no params file was provided`, {
          hint: 'the runner must write the params to a file and pass its path as argsJsonFile',
        });
      }
      return ctx.argsJsonFile;
    default:
      if (LIST_MACROS.includes(ref.name)) {
        throw new HyperfleetError(
          COMMAND_INVALID,
          `${ref.text} expands to several arguments and must be a whole command element, not part of "${element}"`,
          { hint: `put it in its own list element, or use \${args_json} / \${args_json_file} inside a string` },
        );
      }
      return ref.text;
  }
}

function interpreterArgv(config: RenderableConfig, ctx: RenderContext): string[] {
  const chosen = ctx.interpreter ?? config.interpreter;
  if (chosen !== undefined) return typeof chosen === 'string' ? [chosen] : [...chosen];
  return defaultInterpreter(programOf(config));
}

function programOf(config: RenderableConfig): string {
  if (config.program === undefined || config.program === '') {
    throw new HyperfleetError(
      COMMAND_INVALID,
      `the command uses \${program} (or \${interpreter}) but \`program\` is not set`,
      {
        hint: 'add `program: train.py` to the sweep config',
      },
    );
  }
  return config.program;
}
