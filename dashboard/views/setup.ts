/** Sites and their tags: create a site for a website's domains, then copy the tag to paste. */
import { useState } from 'preact/hooks';
import { createSite, type Site } from '../api';
import { t } from '../i18n/index';
import { CopyButton, DateTime, ErrorMessage, html } from '../ui';

/** Users paste domain lists from anywhere: commas, spaces and new lines all separate. */
export function parseDomains(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((domain) => domain.trim())
    .filter(Boolean);
}

export function SetupView({ sites, onSiteCreated }: { sites: Site[]; onSiteCreated: (site: Site) => void }) {
  const [name, setName] = useState('');
  const [domainsText, setDomainsText] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Site | null>(null);

  async function submit(event: Event) {
    event.preventDefault();
    const domains = parseDomains(domainsText);
    if (domains.length === 0) {
      setError(new Error(t('setup.domainsRequired')));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      const site = await createSite({ name: name.trim(), domains });
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
    html`<div class="notice notice-success created-site" role="status">
      <p>${t('setup.created', { name: created.name })}</p>
      <${Snippet} site=${created} />
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
                <div><dt>${t('column.created')}</dt><dd><${DateTime} value=${site.created_at} /></dd></div>
              </dl>
              <${Snippet} site=${site} />
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
