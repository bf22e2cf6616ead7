import { describe, expect, it } from 'vitest';
import {
  agentSecretPolicy,
  EMBEDDED_SECRET_POLICY,
  parseSecretNames,
  refusedSecret,
  resolveTrialEnv,
} from './trial-secrets';

const source = { HF_TOKEN: 'hf-value', WANDB_API_KEY: 'wandb-value', AWS_SECRET_ACCESS_KEY: 'aws-value' };
const spec = { WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: { secret: 'HF_TOKEN' } };

describe('trial secrets', () => {
  it('an allowed secret is read from this machine’s environment, under the trial’s variable name', () => {
    const resolved = resolveTrialEnv(spec, agentSecretPolicy(['HF_TOKEN']), source, 'agent a1');
    expect(resolved).toEqual({ ok: true, env: { WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: 'hf-value' } });
  });

  it('a secret the operator did not allow refuses the attempt: the error names it and the fix, never a value', () => {
    const resolved = resolveTrialEnv(
      { ...spec, AWS: { secret: 'AWS_SECRET_ACCESS_KEY' } },
      agentSecretPolicy(['HF_TOKEN']),
      source,
      'agent a1',
    );
    expect(resolved).toEqual({
      ok: false,
      error:
        "the sweep's env AWS asks for secret AWS_SECRET_ACCESS_KEY, which agent a1 does not allow: its operator starts it with --allow-secret AWS_SECRET_ACCESS_KEY (or HYPERFLEET_ALLOWED_SECRETS=AWS_SECRET_ACCESS_KEY), with AWS_SECRET_ACCESS_KEY set in its environment",
    });
    expect(refusedSecret(spec, agentSecretPolicy([]), 'agent a1')).toContain('secret HF_TOKEN');
    expect(refusedSecret({ A: 'literal' }, agentSecretPolicy([]), 'agent a1')).toBeNull();
  });

  it('an allowed secret that is not set refuses the attempt too', () => {
    const resolved = resolveTrialEnv(spec, agentSecretPolicy(['HF_TOKEN']), {}, 'agent a1');
    expect(resolved).toEqual({
      ok: false,
      error:
        "the sweep's env HUGGINGFACE_TOKEN asks for secret HF_TOKEN, which is not set on agent a1: set HF_TOKEN in the environment the agent is started in",
    });
  });

  it('embedded mode allows every name: the user runs their own sweep', () => {
    expect(resolveTrialEnv(spec, EMBEDDED_SECRET_POLICY, source, 'this machine')).toEqual({
      ok: true,
      env: { WANDB_MODE: 'offline', HUGGINGFACE_TOKEN: 'hf-value' },
    });
    const unset = resolveTrialEnv(spec, EMBEDDED_SECRET_POLICY, {}, 'this machine');
    expect(!unset.ok && unset.error).toContain('not set on this machine: export HF_TOKEN before running hyperfleet');
  });

  it('the operator’s list: comma-separated, repeatable; the agent’s own HYPERFLEET_* settings can never be allowed', () => {
    expect(parseSecretNames(['HF_TOKEN, WANDB_API_KEY', undefined, 'HF_TOKEN,'])).toEqual([
      'HF_TOKEN',
      'WANDB_API_KEY',
    ]);
    expect(() => parseSecretNames(['HYPERFLEET_TOKEN'])).toThrow(/HYPERFLEET_TOKEN cannot be allowed/);
    expect(() => parseSecretNames(['HF-TOKEN'])).toThrow(/not an environment variable name/);
  });
});
