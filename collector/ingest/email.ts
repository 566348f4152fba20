/**
 * The identity key of a person: one normalized email (SPEC §5). Placeholders that forms and tag
 * managers send when they have nothing (`undefined`, `null`, `test@test.com`) must never become
 * a person, or every anonymous buyer would be merged into one.
 */

/**
 * Deliberately simple: one @, a dot in the domain, no spaces. Browsers validate type=email the same
 * way, but for the domain's letters: an internationalised domain (`info@müller.de`) is a buyer's
 * real address, so its labels may hold any letter or digit.
 */
const EMAIL_SHAPE = /^[^\s@<>()[\],;:"]{1,64}@[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?)+$/u;

/** Filler domains that forms and demos put in front of a filler local part (`test@test.com`). */
const PLACEHOLDER_DOMAINS = new Set([
  'example.com', 'example.org', 'example.net', 'test.com', 'test.de', 'test.org', 'test.net', 'domain.com', 'email.com', 'mail.com',
  'yourdomain.com', 'your-domain.com', 'yourcompany.com', 'company.com', 'website.com', 'sample.com', 'asdf.com', 'xxx.com',
]);
const PLACEHOLDER_LOCAL_PARTS = new Set([
  'test', 'user', 'email', 'name', 'you', 'your', 'me', 'your-email', 'youremail', 'your.email', 'yourname', 'your.name',
  'example', 'sample', 'demo', 'noreply', 'no-reply', 'asdf', 'xxx', 'abc', 'foo', 'john.doe', 'johndoe', 'jane.doe',
]);
/**
 * What a script's missing value turns into when it is made a string (`${email}`): never a mailbox,
 * whatever the domain after it.
 */
const STRINGIFIED_NOTHING = new Set(['undefined', 'null', 'nan']);
/** Top-level domains reserved for tests and documentation (RFC 2606, RFC 6761): never a real inbox. */
const RESERVED_TOP_LEVEL_DOMAIN = /\.(test|example|invalid|localhost)$/;

/**
 * Trims, lower-cases and NFC-normalises an email (an accent typed as one character or as two is
 * one address); null when it is missing, malformed or a placeholder. A filler domain alone does
 * not make a placeholder (`buyer@example.com` stays a person, tests rely on it); a filler local
 * part on a filler domain does (`test@test.com`, `you@example.com`), and a stringified nothing on
 * any domain (`undefined@buyer.com`).
 */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().normalize('NFC').toLowerCase();
  if (email.length > 254 || !EMAIL_SHAPE.test(email)) return null;
  const [localPart = '', domain = ''] = email.split('@');
  if (RESERVED_TOP_LEVEL_DOMAIN.test(domain) || STRINGIFIED_NOTHING.has(localPart)) return null;
  if (PLACEHOLDER_LOCAL_PARTS.has(localPart) && PLACEHOLDER_DOMAINS.has(domain)) return null;
  return email;
}
