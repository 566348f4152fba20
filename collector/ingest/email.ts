/**
 * The identity key of a person: one normalized email (SPEC §5). Placeholders that forms and tag
 * managers send when they have nothing (`undefined`, `null`, `test@test.com`) must never become
 * a person, or every anonymous buyer would be merged into one.
 */

/** Deliberately simple: one @, a dot in the domain, no spaces. Browsers validate type=email the same way. */
const EMAIL_SHAPE = /^[^\s@<>()[\],;:"]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Filler domains that forms and demos put in front of a filler local part (`test@test.com`). */
const PLACEHOLDER_DOMAINS = new Set(['example.com', 'example.org', 'example.net', 'test.com', 'domain.com', 'email.com', 'mail.com', 'yourdomain.com', 'company.com']);
const PLACEHOLDER_LOCAL_PARTS = new Set(['test', 'user', 'email', 'name', 'your-email', 'youremail', 'your.email', 'yourname', 'example', 'noreply', 'no-reply', 'null', 'undefined', 'asdf', 'xxx']);
/** Top-level domains reserved for tests and documentation (RFC 2606, RFC 6761): never a real inbox. */
const RESERVED_TOP_LEVEL_DOMAIN = /\.(test|example|invalid|localhost)$/;

/**
 * Trims and lower-cases an email; null when it is missing, malformed or a placeholder. A filler
 * domain alone does not make a placeholder (`buyer@example.com` stays a person, tests rely on it);
 * a filler local part on a filler domain does (`test@test.com`, `email@example.com`).
 */
export function normalizeEmail(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL_SHAPE.test(email)) return null;
  const [localPart = '', domain = ''] = email.split('@');
  if (RESERVED_TOP_LEVEL_DOMAIN.test(domain)) return null;
  if (PLACEHOLDER_LOCAL_PARTS.has(localPart) && PLACEHOLDER_DOMAINS.has(domain)) return null;
  return email;
}
