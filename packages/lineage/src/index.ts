export { currentActor } from './actor';
export { canonicalJson } from './canonical-json';
export {
  assertCommitHash,
  type CodePin,
  type PinCodeOptions,
  type PinnedCode,
  pinCode,
  requireReachable,
  type UntrackedPolicy,
} from './code-pin';
export { sha256Address } from './content-hash';
export { DataCache, type LinkMode } from './data-cache';
export { addData, cacheHashed, type DataPin, type PinDataOptions, pinData, repoRelative } from './data-pin';
export { type DataRemote, md5OfKey, objectKey } from './data-remote';
export {
  checkoutData,
  fetchData,
  gcCache,
  objectsOf,
  type PushProgress,
  pushData,
  type TransferReport,
} from './data-sync';
export { type DvcOut, formatDvcFile, readDvcFile, writeDvcFile } from './dvc-file';
export { DVCIGNORE, DvcIgnore } from './dvc-ignore';
export { readDvcLockOuts } from './dvc-lock';
export { type EnvFingerprint, type FingerprintOptions, fingerprintEnvironment } from './env-fingerprint';
export { type FileLockOptions, withFileLock } from './file-lock';
export { type GitOptions, type GitResult, git, gitText } from './git';
export { applyBundle, bundleRef, type CreateBundleOptions, createBundle } from './git-bundle';
export { gitCredentialEnv } from './git-credentials';
export { type DirEntry, dirListing, type HashedPath, type HashOptions, hashPath } from './hash-path';
export { isLineageError, LineageError, type LineageErrorCode } from './lineage-error';
export { LocalRemote } from './local-remote';
export { Md5Pool, md5File } from './md5-file';
export { openRemote } from './open-remote';
export { pythonJsonDumps } from './python-json';
export { redactText, redactUrl } from './redact-url';
export { S3Remote, type S3RemoteOptions } from './s3-remote';
export { StatCache } from './stat-cache';
export {
  buildTrialLineage,
  type IdentityInput,
  lineageDifferences,
  type SweepPins,
  type TrialLineage,
  trialIdentity,
} from './trial-lineage';
