/** People of the selected site, newest activity first, with a search, filters and cursor paging. */
import { useEffect, useState } from 'preact/hooks';
import type { Channel } from '../../collector/ingest/channel.js';
import { listPeople, type PeopleFilters, type PersonSummary, type Site } from '../api';
import { t } from '../i18n/index';
import { channelLabel, DateTime, ErrorMessage, html, Loading, orDash, personLabel, type Navigate } from '../ui';

/** Long enough to skip a request per keystroke, short enough to feel live. */
const SEARCH_DELAY_MILLISECONDS = 300;

/** Every channel, in the collector's order; typed against its `Channel` so a new one fails the typecheck here. */
const CHANNEL_OPTIONS = Object.keys({
  paid_search: true,
  organic_search: true,
  paid_social: true,
  organic_social: true,
  b2b_marketplace: true,
  email: true,
  messaging: true,
  referral: true,
  direct: true,
} satisfies Record<Channel, true>) as Channel[];

type ListFilters = Required<Pick<PeopleFilters, 'identified' | 'channel' | 'country'>>;
const NO_FILTERS: ListFilters = { identified: '', channel: '', country: '' };

export function PeopleView({ site, navigate }: { site: Site; navigate: Navigate }) {
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ListFilters>(NO_FILTERS);
  const [countryInput, setCountryInput] = useState('');
  const [people, setPeople] = useState<PersonSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const timer = window.setTimeout(() => setSearch(searchInput.trim()), SEARCH_DELAY_MILLISECONDS);
    return () => window.clearTimeout(timer);
  }, [searchInput]);

  useEffect(() => {
    // The collector takes two letters or nothing; anything else waits for the user to finish typing.
    const code = countryInput.trim().toUpperCase();
    if (code !== '' && !/^[A-Z]{2}$/.test(code)) return;
    const timer = window.setTimeout(() => setFilters((earlier) => ({ ...earlier, country: code })), SEARCH_DELAY_MILLISECONDS);
    return () => window.clearTimeout(timer);
  }, [countryInput]);

  const filtered = filters.identified !== '' || filters.channel !== '' || filters.country !== '';

  useEffect(() => {
    // A slower answer to an older search must not overwrite a newer one.
    let current = true;
    setPeople(null);
    setError(null);
    listPeople({ site: site.key, search, ...filters }).then(
      (page) => {
        if (!current) return;
        setPeople(page.people);
        setNext(page.next);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [site.key, search, filters, attempt]);

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    try {
      // A cursor continues the list it came from: same search, same filters.
      const page = await listPeople({ site: site.key, search, ...filters, cursor: next });
      setPeople((earlier) => [...(earlier ?? []), ...page.people]);
      setNext(page.next);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoadingMore(false);
    }
  }

  function openRow(event: MouseEvent, person: PersonSummary) {
    // The name link handles its own clicks (and middle-clicks); a click elsewhere on the row is a shortcut.
    if ((event.target as Element).closest('a, button')) return;
    if (window.getSelection()?.toString()) return;
    navigate(`/people/${encodeURIComponent(String(person.id))}`);
  }

  function submitSearch(event: Event) {
    event.preventDefault();
    setSearch(searchInput.trim());
  }

  return html`<section class="stack">
    <h1>${t('people.title')} <small class="muted">${site.name}</small></h1>
    <form class="search" role="search" onSubmit=${submitSearch}>
      <label class="offscreen" for="people-search">${t('people.search')}</label>
      <input
        id="people-search"
        type="search"
        placeholder=${t('people.search')}
        value=${searchInput}
        onInput=${(event: Event) => setSearchInput((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit">${t('people.searchButton')}</button>
    </form>
    <form class="filters" aria-label=${t('people.filters')} onSubmit=${(event: Event) => event.preventDefault()}>
      <label>
        <span>${t('people.filterStatus')}</span>
        <select
          name="identified"
          value=${filters.identified}
          onChange=${(event: Event) =>
            setFilters({ ...filters, identified: (event.currentTarget as HTMLSelectElement).value as ListFilters['identified'] })}
        >
          <option value="">${t('people.filterAny')}</option>
          <option value="true">${t('people.filterIdentified')}</option>
          <option value="false">${t('people.filterAnonymous')}</option>
        </select>
      </label>
      <label>
        <span>${t('people.filterChannel')}</span>
        <select
          name="channel"
          value=${filters.channel}
          onChange=${(event: Event) => setFilters({ ...filters, channel: (event.currentTarget as HTMLSelectElement).value })}
        >
          <option value="">${t('people.filterAny')}</option>
          ${CHANNEL_OPTIONS.map((channel) => html`<option key=${channel} value=${channel}>${channelLabel(channel)}</option>`)}
        </select>
      </label>
      <label>
        <span>${t('people.filterCountry')}</span>
        <input
          name="country"
          class="country-input"
          maxlength="2"
          autocomplete="off"
          placeholder=${t('people.filterCountryHint')}
          value=${countryInput}
          onInput=${(event: Event) => setCountryInput((event.currentTarget as HTMLInputElement).value)}
        />
      </label>
      ${(filtered || countryInput) &&
      html`<button
        type="button"
        class="button-secondary"
        onClick=${() => {
          setCountryInput('');
          setFilters(NO_FILTERS);
        }}
      >
        ${t('people.filterClear')}
      </button>`}
    </form>
    ${error !== null && html`<${ErrorMessage} error=${error} onRetry=${() => setAttempt((count) => count + 1)} />`}
    ${people === null && error === null && html`<${Loading} />`}
    ${people !== null && people.length === 0 && html`<p class="empty">
      ${search ? t('people.noMatch', { query: search }) : filtered ? t('people.noFilterMatch') : t('people.empty')}
    </p>`}
    ${people !== null &&
    people.length > 0 &&
    html`<div class="table-scroll">
      <table class="people-table">
        <thead>
          <tr>
            <th scope="col">${t('column.name')}</th>
            <th scope="col">${t('column.email')}</th>
            <th scope="col">${t('column.company')}</th>
            <th scope="col">${t('column.country')}</th>
            <th scope="col">${t('column.channel')}</th>
            <th scope="col">${t('column.lastSeen')}</th>
            <th scope="col">${t('column.status')}</th>
          </tr>
        </thead>
        <tbody>
          ${people.map(
            (person) => html`<tr key=${person.id} class="clickable" onClick=${(event: MouseEvent) => openRow(event, person)}>
              <td><a href=${`/people/${encodeURIComponent(String(person.id))}`}>${personLabel(person)}</a></td>
              <td>${orDash(person.email)}</td>
              <td class="wrap">${orDash(person.company)}</td>
              <td class="wrap">
                ${person.country || (person.ip_country ? '' : t('common.none'))}
                ${person.ip_country && html`<div class="muted small ip-country">${t('people.ipCountry', { country: person.ip_country })}</div>`}
              </td>
              <td>${channelLabel(person.channel)}</td>
              <td><${DateTime} value=${person.last_seen} /></td>
              <td>
                ${person.identified
                  ? html`<span class="badge badge-identified">${t('people.identified')}</span>`
                  : html`<span class="badge">${t('people.anonymousBadge')}</span>`}
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
    ${next &&
    people !== null &&
    html`<button type="button" class="button-secondary" onClick=${loadMore} disabled=${loadingMore}>
      ${loadingMore ? t('people.loadingMore') : t('people.more')}
    </button>`}
  </section>`;
}
