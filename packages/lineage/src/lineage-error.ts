import { HyperfleetError } from '@hyperfleet/domain';

/** Stable codes callers can switch on; the message says what went wrong and what to do. */
export type LineageErrorCode =
  | 'NOT_A_REPO' // the directory is not inside a git work tree
  | 'NO_COMMIT' // the repo has no commit yet
  | 'DIRTY_REPO' // uncommitted/untracked files under the `refuse` policy
  | 'FLOATING_REF' // a branch/tag name where a commit hash is required
  | 'UNPUSHED_COMMIT' // the commit is on no remote the workers can reach
  | 'DIFF_CONFLICT' // the pinned diff does not apply to the commit
  | 'MISSING_BLOB' // a content-addressed blob (diff, bundle) is not available
  | 'PATH_OUTSIDE_REPO' // a data path that is not inside the repository
  | 'DATA_NOT_FOUND' // a data path or cache object that does not exist
  | 'HASH_MISMATCH' // content whose hash is not what the pin / .dvc file says
  | 'BAD_DVC_FILE' // a .dvc / dvc.lock file we cannot read
  | 'REMOTE_UNREACHABLE' // the data remote cannot be reached (or failed mid-transfer)
  | 'BAD_REMOTE' // a remote URL we do not understand
  | 'GIT_FAILED'; // any other git failure (stderr in the message, credentials redacted)

export class LineageError extends HyperfleetError {
  override name = 'LineageError';
  declare readonly code: LineageErrorCode;
  /** Paths involved (conflicting files, corrupted objects…), when there are any. */
  readonly paths: string[];

  constructor(
    code: LineageErrorCode,
    message: string,
    opts: { hint?: string; paths?: string[]; cause?: unknown } = {},
  ) {
    super(code, message, opts);
    this.paths = opts.paths ?? [];
  }
}

export function isLineageError(err: unknown, code?: LineageErrorCode): err is LineageError {
  return err instanceof LineageError && (code === undefined || err.code === code);
}
