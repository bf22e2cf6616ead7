import { isLineageError } from '@hyperfleet/lineage';
import { isStoreError } from '@hyperfleet/store';
import { CliError, EXIT } from '../cli-error';

// The user's input is wrong (fix it and rerun) rather than something failing underneath.
const USAGE = new Set([
  'NOT_A_REPO',
  'NO_COMMIT',
  'DIRTY_REPO',
  'FLOATING_REF',
  'UNPUSHED_COMMIT',
  'PATH_OUTSIDE_REPO',
  'DATA_NOT_FOUND',
  'BAD_DVC_FILE',
  'HASH_MISMATCH',
  'BAD_REMOTE',
]);

/** Runs a lineage command, turning lineage/store errors into CLI errors with their hints and exit codes. */
export async function withLineageErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isLineageError(err)) throw new CliError(err.message, err.hint, USAGE.has(err.code) ? EXIT.usage : EXIT.failure);
    if (isStoreError(err, 'STORE_NOT_FOUND') || isStoreError(err, 'STORE_INVALID')) {
      throw new CliError(err.message, 'list what exists with `hyperfleet model ls` / `hyperfleet ls`', EXIT.usage);
    }
    throw err;
  }
}
