/**
 * Sites and their tags: create a site for a website's domains, copy the tag to paste, then watch
 * the live check turn from "waiting for the first event" to "receiving events" once the tag works.
 */
import { useState } from 'preact/hooks';
import { createSite, fetchSiteStatus, type Site } from '../api';
import { t } from '../i18n/index';
import { CopyButton, DateTime, ErrorMessage, formatNumber, html, usePolling } from '../ui';

/** Often enough that a pasted tag shows up while the user still looks; one cheap query a poll. */
const STATUS_POLL_MILLISECONDS = 3_000;

/**
 * Users paste domain lists from anywhere: commas, spaces and new lines all separate. Throws the
 * message to show when there is none; the collector judges the rest.
 */
export function parseDomains(text: string): string[] {
  const domains = text
    .split(/[\s,;]+/)
    .map((domain) => domain.trim())
    .filter(Boolean);
  if (domains.length === 0) throw new Error(t('setup.domainsRequired'));
  return domains;
}

export function SetupView({
  sites,
  selectedKey,
  onSiteCreated,
}: {
  sites: Site[];
  /** The site chosen in the top bar: its card shows the live check. */
  selectedKey: string | null;
  onSiteCreated: (site: Site) => void;
}) {
  const [name, setName] = useState('');
  const [domainsText, setDomainsText] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Site | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      // The overview counts days in this zone; the browser's is the one its user lives by.
      const site = await createSite({ name: name.trim(), domains: parseDomains(domainsText), time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone });
      setCreated(site);
      setName('');
      setDomainsText('');
      onSiteCreated(site);
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return html`<section class="stack">
    <h1>${t('setup.title')}</h1>

    <form class="card stack" onSubmit=${submit}>
      <h2>${t('setup.createTitle')}</h2>
      <label for="site-name">${t('setup.name')}</label>
      <input
        id="site-name"
        name="name"
        required
        maxlength="200"
        value=${name}
        onInput=${(event: Event) => setName((event.currentTarget as HTMLInputElement).value)}
      />
      <label for="site-domains">${t('setup.domains')}</label>
      <textarea
        id="site-domains"
        name="domains"
        rows="3"
        aria-describedby="site-domains-hint"
        value=${domainsText}
        onInput=${(event: Event) => setDomainsText((event.currentTarget as HTMLTextAreaElement).value)}
      ></textarea>
      <p id="site-domains-hint" class="muted small">${t('setup.domainsHint')}</p>
      ${error !== null && html`<${ErrorMessage} error=${error} />`}
      <button type="submit" disabled=${submitting}>${submitting ? t('setup.submitting') : t('setup.submit')}</button>
    </form>

    ${created &&
    html`<div class="notice notice-success created-site">
      <p role="status">${t('setup.created', { name: created.name })}</p>
      <${Snippet} site=${created} />
      <${TagStatus} key=${created.key} site=${created} />
    </div>`}

    <h2>${t('setup.existing')}</h2>
    ${sites.length === 0
      ? html`<p class="muted">${t('setup.none')}</p>`
      : html`<ul class="site-list">
          ${sites.map(
            (site) => html`<li key=${site.key} class="card stack">
              <h3>${site.name}</h3>
              <dl class="facts facts-compact">
                <div><dt>${t('column.key')}</dt><dd><code>${site.key}</code></dd></div>
                <div><dt>${t('column.domains')}</dt><dd>${site.domains.join(', ')}</dd></div>
                <div><dt>${t('column.timeZone')}</dt><dd>${site.time_zone}</dd></div>
                <div><dt>${t('column.created')}</dt><dd><${DateTime} value=${site.created_at} /></dd></div>
              </dl>
              <${Snippet} site=${site} />
              ${site.key === selectedKey && site.key !== created?.key && html`<${TagStatus} key=${site.key} site=${site} />`}
            </li>`,
          )}
        </ul>`}
  </section>`;
}

function Snippet({ site }: { site: Site }) {
  return html`<div class="snippet">
    <pre><code>${site.snippet}</code></pre>
    <${CopyButton} text=${site.snippet} label=${`${t('copy.copy')}: ${t('setup.tag')} (${site.name})`} />
  </div>`;
}

/** The live check: polls the site's status while shown, so a freshly pasted tag is seen within seconds. */
function TagStatus({ site }: { site: Site }) {
  const { value: status, error } = usePolling(() => fetchSiteStatus(site.key), STATUS_POLL_MILLISECONDS, site.key);

  let state = 'checking';
  let text = t('setup.statusChecking');
  if (status && status.last_event_at === null) {
    state = 'waiting';
    text = t('setup.statusWaiting');
  } else if (status && status.events_last_hour > 0) {
    state = 'receiving';
    text = t('setup.statusReceiving', { count: formatNumber(status.events_last_hour) });
  } else if (status) {
    state = 'quiet';
    text = t('setup.statusQuiet');
  }
  return html`<div class=${`tag-status tag-status-${state}`} role="status" aria-live="polite">
    <span class="tag-status-dot" aria-hidden="true"></span>
    <span class="tag-status-text">${text}</span>
    ${status?.last_event_at && html` <span class="muted small">${t('setup.statusLast')} <${DateTime} value=${status.last_event_at} /></span>`}
    ${error !== null && status === null && html`<${ErrorMessage} error=${error} />`}
  </div>`;
}
