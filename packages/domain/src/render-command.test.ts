// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are W&B command macros, not templates
import { describe, expect, it } from 'vitest';
import { isHyperfleetError } from './errors';
import { defaultInterpreter, formatParamValue, type RenderableConfig, renderCommand } from './render-command';
import { validateSweepConfig } from './validate-sweep-config';

function config(extra: Record<string, unknown>): RenderableConfig {
  const result = validateSweepConfig({
    method: 'random',
    program: 'train.py',
    parameters: {
      lr: { min: 0.0001, max: 0.1 },
      flag: { values: [true, false] },
      optimizer: { parameters: { name: { values: ['adam'] }, betas: { value: [0.9, 0.999] } } },
    },
    ...extra,
  });
  if (!result.ok) throw new Error(result.issues.map((i) => i.message).join('\n'));
  return result.config;
}

const params = { lr: 0.001, flag: true, optimizer: { name: 'adam w', betas: [0.9, 0.999] } };

function renderError(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isHyperfleetError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected an error');
}

describe('renderCommand', () => {
  it('uses W&B’s default command, dropping ${env}', () => {
    expect(renderCommand(config({}), { params })).toEqual([
      'python3',
      'train.py',
      '--lr=0.001',
      '--flag=true',
      '--optimizer.name=adam w',
      '--optimizer.betas=[0.9,0.999]',
    ]);
  });

  it('${interpreter}: ctx overrides config overrides the extension default', () => {
    const cmd = ['${interpreter}', '${program}'];
    expect(renderCommand(config({ command: cmd }), { params })).toEqual(['python3', 'train.py']);
    expect(renderCommand(config({ command: cmd, interpreter: 'python3.11' }), { params })).toEqual([
      'python3.11',
      'train.py',
    ]);
    expect(
      renderCommand(config({ command: cmd, interpreter: ['uv', 'run'] }), { params, interpreter: '/venv/bin/python' }),
    ).toEqual(['/venv/bin/python', 'train.py']);
    expect(renderCommand(config({ command: cmd, program: 'train.mjs' }), { params })).toEqual([
      process.execPath,
      'train.mjs',
    ]);
    expect(renderCommand(config({ command: cmd, program: './train' }), { params })).toEqual(['./train']);
  });

  it('defaultInterpreter by extension', () => {
    expect(defaultInterpreter('a/b/train.py')).toEqual(['python3']);
    expect(defaultInterpreter('train.cjs')).toEqual([process.execPath]);
    expect(defaultInterpreter('train.ts')).toEqual([process.execPath, '--import', 'tsx']);
    expect(defaultInterpreter('run.sh')).toEqual(['bash']);
    expect(defaultInterpreter('train')).toEqual([]);
  });

  it('${args_no_hyphens}, ${args_no_boolean_flags}, ${args_no_equals}', () => {
    const render = (macro: string, p: object) =>
      renderCommand(config({ command: [macro] }), { params: p as typeof params });
    expect(render('${args_no_hyphens}', params)).toEqual([
      'lr=0.001',
      'flag=true',
      'optimizer.name=adam w',
      'optimizer.betas=[0.9,0.999]',
    ]);
    expect(render('${args_no_boolean_flags}', params)).toEqual([
      '--lr=0.001',
      '--flag',
      '--optimizer.name=adam w',
      '--optimizer.betas=[0.9,0.999]',
    ]);
    expect(render('${args_no_boolean_flags}', { ...params, flag: false })).toEqual([
      '--lr=0.001',
      '--optimizer.name=adam w',
      '--optimizer.betas=[0.9,0.999]',
    ]);
    expect(render('${args_no_equals}', { lr: 0.5, flag: false, optimizer: { name: 'sgd', betas: [] } })).toEqual([
      '--lr',
      '0.5',
      '--flag',
      'false',
      '--optimizer.name',
      'sgd',
      '--optimizer.betas',
      '[]',
    ]);
  });

  it('${args_json} and ${args_json_file}, whole or embedded', () => {
    const cfg = config({ command: ['${program}', '${args_json}', '--config=${args_json_file}'] });
    expect(renderCommand(cfg, { params, argsJsonFile: '/tmp/t1/params.json' })).toEqual([
      'train.py',
      JSON.stringify(params),
      '--config=/tmp/t1/params.json',
    ]);
    expect(renderError(() => renderCommand(cfg, { params }))).toMatchObject({ code: 'COMMAND_INVALID' });
  });

  it('${envvar:NAME} from ctx.env, then process.env; missing is an error', () => {
    const cfg = config({ command: ['${program}', '--data=${envvar:HF_TEST_DATA}/train', '${envvar:HF_TEST_OTHER}'] });
    process.env.HF_TEST_OTHER = 'from-process';
    try {
      expect(renderCommand(cfg, { params, env: { HF_TEST_DATA: '/data' } })).toEqual([
        'train.py',
        '--data=/data/train',
        'from-process',
      ]);
      expect(renderCommand(cfg, { params, env: { HF_TEST_DATA: '/data', HF_TEST_OTHER: 'from-ctx' } })).toEqual([
        'train.py',
        '--data=/data/train',
        'from-ctx',
      ]);
    } finally {
      delete process.env.HF_TEST_OTHER;
    }
    const error = renderError(() => renderCommand(cfg, { params, env: { HF_TEST_DATA: '/data' } }));
    expect(error.code).toBe('COMMAND_INVALID');
    expect(error.message).toContain('HF_TEST_OTHER is not set');
  });

  it('${<parameter>} substitutes that parameter; unknown macros pass through literally', () => {
    const cfg = config({ command: ['${program}', '--learning-rate=${lr}', '--opt=${optimizer.name}', '--x=${nope}'] });
    expect(renderCommand(cfg, { params })).toEqual([
      'train.py',
      '--learning-rate=0.001',
      '--opt=adam w',
      '--x=${nope}',
    ]);
  });

  it('literal elements are kept as they are, and nothing is shell-split', () => {
    const cfg = config({ command: ['python', '${program}', '-b', 'your training config', '${args}'] });
    expect(
      renderCommand(cfg, { params: { lr: 1e-7, flag: false, optimizer: { name: 'a;rm -rf', betas: [] } } }),
    ).toEqual([
      'python',
      'train.py',
      '-b',
      'your training config',
      '--lr=1e-7',
      '--flag=false',
      '--optimizer.name=a;rm -rf',
      '--optimizer.betas=[]',
    ]);
  });

  it('a list macro embedded in a string, or ${program} without a program, is an error', () => {
    const embedded = { parameters: config({}).parameters, command: ['--all=${args}'] };
    expect(renderError(() => renderCommand(embedded, { params }))).toMatchObject({ code: 'COMMAND_INVALID' });
    const noProgram = { parameters: config({}).parameters };
    expect(renderError(() => renderCommand(noProgram, { params })).message).toContain('`program` is not set');
  });
});

describe('formatParamValue', () => {
  it('formats JSON-style literals', () => {
    expect(formatParamValue(true)).toBe('true');
    expect(formatParamValue(false)).toBe('false');
    expect(formatParamValue(null)).toBe('null');
    expect(formatParamValue('adam')).toBe('adam');
    expect(formatParamValue(3e6)).toBe('3000000');
    expect(formatParamValue(0.1)).toBe('0.1');
    expect(formatParamValue(1e-7)).toBe('1e-7');
    expect(formatParamValue([1, 'a', true])).toBe('[1,"a",true]');
    expect(formatParamValue({ a: { b: null } })).toBe('{"a":{"b":null}}');
  });
});
