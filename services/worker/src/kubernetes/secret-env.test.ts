import { describe, expect, it } from 'vitest';
import { parseSecretEnv } from './secret-env';

describe('--secret-env / HYPERFLEET_K8S_SECRET_ENV', () => {
  it('maps each secret name to a Secret key, from several lists', () => {
    expect(parseSecretEnv(['HF_TOKEN=hf-token/token, WANDB_API_KEY=wandb.keys/api_key', undefined])).toEqual({
      HF_TOKEN: { name: 'hf-token', key: 'token' },
      WANDB_API_KEY: { name: 'wandb.keys', key: 'api_key' },
    });
  });

  it('refuses what is not NAME=<secret>/<key>, and the agent’s own settings', () => {
    expect(() => parseSecretEnv(['HF_TOKEN=hf-token'])).toThrow(/"HF_TOKEN=hf-token" is not NAME=<secret>\/<key>/);
    expect(() => parseSecretEnv(['HF_TOKEN=Bad_Secret/key'])).toThrow(/is not NAME=<secret>\/<key>/);
    expect(() => parseSecretEnv(['HYPERFLEET_TOKEN=hyperfleet-worker/token'])).toThrow(
      /HYPERFLEET_TOKEN cannot be allowed as a secret/,
    );
  });
});
