/**
 * Where cached data objects are shared: a directory (local or a mounted share) or S3-compatible storage.
 * Objects use the cache's layout (`files/md5/<2>/<30>`), which is DVC 3's remote layout too.
 * `put` is atomic per object (temp + rename, one PutObject, or a multipart upload completed only once every
 * part is there), so an interrupted push leaves no partial object behind and pushing again resumes with
 * what is missing.
 */
export interface DataRemote {
  /** The remote's URL without credentials, for messages. */
  readonly url: string;
  has(md5: string): Promise<boolean>;
  put(md5: string, file: string): Promise<void>;
  /** Downloads to `destFile` (a temp path the caller verifies and moves into its cache). */
  get(md5: string, destFile: string): Promise<void>;
  /** Every object md5 on the remote (`….dir` kept). */
  list(): Promise<Set<string>>;
  close(): Promise<void>;
}

/** Object key (relative path) of an md5 in the DVC 3 layout. */
export function objectKey(md5: string): string {
  return `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
}

/** The md5 an object key names, or null for anything else under the prefix. */
export function md5OfKey(key: string): string | null {
  const m = /files\/md5\/([0-9a-f]{2})\/([0-9a-f]{30}(?:\.dir)?)$/.exec(key);
  return m ? `${m[1]}${m[2]}` : null;
}
