/**
 * Host matching shared by the Origin check and self-referral detection: a site domain covers
 * itself, `www.` and every subdomain (SPEC §4).
 */

/** Lower-cases a host name and strips a trailing dot and a leading `www.`. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '').replace(/^www\./, '');
}

/** True when `host` is one of `domains` or a subdomain of one. */
export function hostMatchesDomains(host: string, domains: readonly string[]): boolean {
  const candidate = host.toLowerCase().replace(/\.$/, '');
  return domains.some((domain) => {
    const bare = normalizeDomain(domain);
    return candidate === bare || candidate.endsWith(`.${bare}`);
  });
}

/** The host of a URL, or null when the text is not an absolute URL. */
export function hostOf(url: string | undefined | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase() || null;
  } catch {
    return null;
  }
}
