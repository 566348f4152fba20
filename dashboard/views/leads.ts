/** The leads of the selected site (people with an email) and the CSV export for the sales team. */
import { useEffect, useState } from 'preact/hooks';
import { leadsCsvUrl, listLeads, type Lead, type Site } from '../api';
import { t } from '../i18n/index';
import { channelLabel, DateTime, ErrorMessage, formatNumber, html, Loading, orDash, personLabel } from '../ui';

export function LeadsView({ site }: { site: Site }) {
  const [leads, setLeads] = useState<Lead[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');

  useEffect(() => {
    let current = true;
    setLeads(null);
    setError(null);
    listLeads(site.key).then(
      (loaded) => current && setLeads(loaded),
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [site.key, attempt]);

  const csvName = `leads-${site.key}${from ? `-from-${from}` : ''}${to ? `-to-${to}` : ''}.csv`;
  return html`<section class="stack">
    <h1>${t('leads.title')} <small class="muted">${site.name}</small></h1>
    <p class="muted">${t('leads.intro')}</p>

    <form class="card export" onSubmit=${(event: Event) => event.preventDefault()}>
      <h2 class="label">${t('leads.export')}</h2>
      <div class="export-fields">
        <label>
          ${t('leads.from')}
          <input type="date" value=${from} max=${to || undefined} onInput=${(event: Event) => setFrom((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          ${t('leads.to')}
          <input type="date" value=${to} min=${from || undefined} onInput=${(event: Event) => setTo((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <a class="button" href=${leadsCsvUrl(site.key, { from, to })} download=${csvName}>${t('leads.download')}</a>
      </div>
      <p class="muted small">${t('leads.rangeHint')}</p>
    </form>

    ${error !== null && html`<${ErrorMessage} error=${error} onRetry=${() => setAttempt((count) => count + 1)} />`}
    ${leads === null && error === null && html`<${Loading} />`}
    ${leads !== null && leads.length === 0 && html`<p class="empty">${t('leads.empty')}</p>`}
    ${leads !== null &&
    leads.length > 0 &&
    html`<div class="table-scroll">
      <table class="leads-table">
        <thead>
          <tr>
            <th scope="col">${t('column.name')}</th>
            <th scope="col">${t('column.email')}</th>
            <th scope="col">${t('column.phone')}</th>
            <th scope="col">${t('column.company')}</th>
            <th scope="col">${t('column.country')}</th>
            <th scope="col">${t('column.firstChannel')}</th>
            <th scope="col">${t('column.firstCampaign')}</th>
            <th scope="col">${t('column.lastSeen')}</th>
            <th scope="col" class="number">${t('column.sessions')}</th>
            <th scope="col" class="number">${t('column.pageviews')}</th>
            <th scope="col" class="number">${t('column.forms')}</th>
            <th scope="col" class="number">${t('column.chats')}</th>
            <th scope="col">${t('column.message')}</th>
          </tr>
        </thead>
        <tbody>
          ${leads.map(
            (lead) => html`<tr key=${lead.id}>
              <td><a href=${`/people/${encodeURIComponent(String(lead.id))}`}>${personLabel(lead)}</a></td>
              <td>${lead.email}</td>
              <td>${orDash(lead.phone)}</td>
              <td>${orDash(lead.company)}</td>
              <td>${orDash(lead.country ?? lead.ip_country)}</td>
              <td>${channelLabel(lead.first_channel)}${lead.first_source && ` · ${lead.first_source}`}</td>
              <td>${orDash(lead.first_campaign)}</td>
              <td><${DateTime} value=${lead.last_seen} /></td>
              <td class="number">${formatNumber(lead.sessions)}</td>
              <td class="number">${formatNumber(lead.pageviews)}</td>
              <td class="number">${formatNumber(lead.forms)}</td>
              <td class="number">${formatNumber(lead.chats)}</td>
              <td class="truncate" title=${lead.message ?? ''}>${orDash(lead.message)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
  </section>`;
}
