/**
 * Dashboard accounts: users with password hashes, login sessions behind the cookie, and API
 * tokens. Only hashes of session cookies and tokens are stored, so a copied database file does not
 * grant access.
 */
import type { SqliteDatabase } from '../db/open.js';

export interface User {
  id: number;
  name: string;
  passwordHash: string;
}

export interface ApiToken {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface AccountRepository {
  countUsers(): Promise<number>;
  createUser(name: string, passwordHash: string): Promise<User>;
  findUserByName(name: string): Promise<User | null>;
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;
  createLoginSession(tokenHash: string, userId: number, expiresAt: number): Promise<void>;
  /** The user behind a live login session, or null when it is unknown or expired. */
  findUserByLoginSession(tokenHash: string, now: number): Promise<User | null>;
  deleteLoginSession(tokenHash: string): Promise<void>;
  /** Ends every login session of the user except the one with `keepTokenHash` (if any). */
  deleteOtherLoginSessions(userId: number, keepTokenHash: string | null): Promise<void>;
  createApiToken(userId: number, name: string, tokenHash: string): Promise<ApiToken>;
  listApiTokens(userId: number): Promise<ApiToken[]>;
  /** False when no such token of this user exists. */
  deleteApiToken(userId: number, tokenId: number): Promise<boolean>;
  /** The user behind a bearer token; records when it was last used. */
  findUserByApiToken(tokenHash: string, now: number): Promise<User | null>;
}

interface UserRow {
  id: number;
  name: string;
  password_hash: string;
}

interface ApiTokenRow {
  id: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

const toUser = (row: UserRow | undefined): User | null =>
  row ? { id: row.id, name: row.name, passwordHash: row.password_hash } : null;

const toApiToken = (row: ApiTokenRow): ApiToken => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

export function createAccountRepository(database: SqliteDatabase): AccountRepository {
  const statements = {
    countUsers: database.prepare('SELECT count(*) FROM users').pluck(),
    insertUser: database.prepare('INSERT INTO users (name, password_hash, created_at) VALUES (?, ?, ?)'),
    findUserByName: database.prepare('SELECT * FROM users WHERE name = ?'),
    setPasswordHash: database.prepare('UPDATE users SET password_hash = ? WHERE id = ?'),
    insertLoginSession: database.prepare('INSERT INTO login_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
    findUserByLoginSession: database.prepare(
      'SELECT users.* FROM login_sessions JOIN users ON users.id = login_sessions.user_id WHERE token_hash = ? AND expires_at > ?',
    ),
    deleteLoginSession: database.prepare('DELETE FROM login_sessions WHERE token_hash = ?'),
    deleteExpiredLoginSessions: database.prepare('DELETE FROM login_sessions WHERE expires_at <= ?'),
    deleteOtherLoginSessions: database.prepare('DELETE FROM login_sessions WHERE user_id = ? AND token_hash IS NOT ?'),
    insertApiToken: database.prepare('INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)'),
    listApiTokens: database.prepare('SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id'),
    deleteApiToken: database.prepare('DELETE FROM api_tokens WHERE user_id = ? AND id = ?'),
    findUserByApiToken: database.prepare('SELECT users.*, api_tokens.id AS token_id FROM api_tokens JOIN users ON users.id = api_tokens.user_id WHERE token_hash = ?'),
    touchApiToken: database.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
  };

  return {
    async countUsers() {
      return statements.countUsers.get() as number;
    },
    async createUser(name, passwordHash) {
      const result = statements.insertUser.run(name, passwordHash, Date.now());
      return { id: Number(result.lastInsertRowid), name, passwordHash };
    },
    async findUserByName(name) {
      return toUser(statements.findUserByName.get(name) as UserRow | undefined);
    },
    async setPasswordHash(userId, passwordHash) {
      statements.setPasswordHash.run(passwordHash, userId);
    },
    async createLoginSession(tokenHash, userId, expiresAt) {
      const now = Date.now();
      // Logins are rare: sweeping expired sessions here keeps the table small without a timer.
      statements.deleteExpiredLoginSessions.run(now);
      statements.insertLoginSession.run(tokenHash, userId, now, expiresAt);
    },
    async findUserByLoginSession(tokenHash, now) {
      return toUser(statements.findUserByLoginSession.get(tokenHash, now) as UserRow | undefined);
    },
    async deleteLoginSession(tokenHash) {
      statements.deleteLoginSession.run(tokenHash);
    },
    async deleteOtherLoginSessions(userId, keepTokenHash) {
      statements.deleteOtherLoginSessions.run(userId, keepTokenHash);
    },
    async createApiToken(userId, name, tokenHash) {
      const createdAt = Date.now();
      const result = statements.insertApiToken.run(userId, name, tokenHash, createdAt);
      return { id: Number(result.lastInsertRowid), name, createdAt, lastUsedAt: null };
    },
    async listApiTokens(userId) {
      return (statements.listApiTokens.all(userId) as ApiTokenRow[]).map(toApiToken);
    },
    async deleteApiToken(userId, tokenId) {
      return statements.deleteApiToken.run(userId, tokenId).changes > 0;
    },
    async findUserByApiToken(tokenHash, now) {
      const row = statements.findUserByApiToken.get(tokenHash) as (UserRow & { token_id: number }) | undefined;
      if (!row) return null;
      statements.touchApiToken.run(now, row.token_id);
      return toUser(row);
    },
  };
}
