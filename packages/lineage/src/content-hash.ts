import { createHash } from 'node:crypto';

/** Content address of a blob (a diff, a bundle): `sha256:<hex>`. */
export function sha256Address(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
