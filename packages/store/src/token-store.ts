/** A stored API token: its SHA-256 (hex), never the secret, and the one role it holds on one project (or `*`). */
export interface StoredTokenRecord {
  id: string;
  /** Unique; the actor in the audit log. */
  name: string;
  sha256: string;
  project: string;
  role: string;
  createdAt: number;
  createdBy: string | null;
  expiresAt: number | null;
  revokedAt: number | null;
  revokedBy: string | null;
}

/** API tokens minted through the server (`hyperfleet token create`); creation and revocation are audited. */
export interface TokenStore {
  /** STORE_CONFLICT when the name is taken. Writes a `token.created` audit event. */
  create(token: StoredTokenRecord): Promise<void>;
  findBySha256(sha256: string): Promise<StoredTokenRecord | null>;
  /** Newest first. */
  list(): Promise<StoredTokenRecord[]>;
  /** By id or name; STORE_NOT_FOUND when neither matches. Idempotent on a revoked token. Audited. */
  revoke(idOrName: string, actor: string | null, at: number): Promise<StoredTokenRecord>;
}
