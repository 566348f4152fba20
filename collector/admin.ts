/**
 * The admin account (SPEC §1): created on first start with LEADTRAIL_ADMIN_PASSWORD, or with a
 * random password that is printed once. Later starts leave the account alone: the password is
 * changed in the dashboard, not by restarting with another environment.
 */
import type { AccountRepository } from './repositories/accounts.js';
import { ADMIN_USER } from './routes/session.js';
import { generateSecret, hashPassword } from './security.js';

export interface AdminAccountResult {
  created: boolean;
  /** Set only when a random password was generated: the caller must show it once. */
  generatedPassword: string | null;
}

export async function ensureAdminAccount(accounts: AccountRepository, configuredPassword: string | undefined): Promise<AdminAccountResult> {
  if (await accounts.findUserByName(ADMIN_USER)) return { created: false, generatedPassword: null };
  const generatedPassword = configuredPassword ? null : generateSecret().slice(0, 20);
  await accounts.createUser(ADMIN_USER, await hashPassword(configuredPassword ?? generatedPassword!));
  return { created: true, generatedPassword };
}
