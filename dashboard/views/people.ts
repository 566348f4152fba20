/**
 * People of the selected site, newest activity first or sorted by a column header, with a search,
 * filters (status, channel, IP country, active between two days) and cursor paging.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Channel } from '../../collector/ingest/channel.js';
import { listPeople, type PeopleFilters, type PeopleOrder, type PeoplePage, type PeopleSort, type PersonSummary, type Site } from '../api';
import { t } from '../i18n/index';
import { channelLabel, DateTime, ErrorMessage, formatNumber, html, Loading, orDash, personLabel, type Navigate } from '../ui';

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

/** Active between two days (whole UTC days, as the leads CSV's range). */
const DATE_FILTERS = [
  { edge: 'from', label: 'people.filterFrom' },
  { edge: 'to', label: 'people.filterTo' },
] as const;

type ListFilters = Required<Pick<PeopleFilters, 'identified' | 'channel' | 'country' | 'from' | 'to'>>;
const NO_FILTERS: ListFilters = { identified: '', channel: '', country: '', from: '', to: '' };

export function PeopleView({ site, navigate }: { site: Site; navigate: Navigate }) {
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ListFilters>(NO_FILTERS);
  const [countryInput, setCountryInput] = useState('');
  /** The order asked for; the list's own answer says which one it applied. */
  const [requestedOrder, setRequestedOrder] = useState<PeopleOrder>({});
  const [appliedOrder, setAppliedOrder] = useState<Required<PeopleOrder> | null>(null);
  /** The rows shown stay while a new order or filter loads, so the header button just pressed keeps focus. */
  const [people, setPeople] = useState<PersonSummary[] | null>(null);
  const [loading, setLoading] = useState(true);
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

  const filtered = Object.values(filters).some((value) => value !== '');

  function showPage(page: PeoplePage, append: boolean) {
    setPeople((earlier) => (append ? [...(earlier ?? []), ...page.people] : page.people));
    setAppliedOrder({ sort: page.sort, order: page.order });
    setNext(page.next);
  }

  useEffect(() => {
    // A slower answer to an older search must not overwrite a newer one.
    let current = true;
    setLoading(true);
    setError(null);
    listPeople({ site: site.key, search, ...filters, ...requestedOrder })
      .then(
        (page) => current && showPage(page, false),
        (failure: unknown) => current && setError(failure),
      )
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [site.key, search, filters, requestedOrder, attempt]);

  /** The same column again reverses its order; another column starts in its natural one, which the collector picks. */
  function sortBy(sort: PeopleSort) {
    setRequestedOrder(appliedOrder?.sort === sort ? { sort, order: appliedOrder.order === 'asc' ? 'desc' : 'asc' } : { sort });
  }

  async function loadMore() {
    if (!next || !appliedOrder) return;
    setLoadingMore(true);
    try {
      // A cursor continues the list it came from: same search, filters and order.
      showPage(await listPeople({ site: site.key, search, ...filters, ...appliedOrder, cursor: next }), true);
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
      ${DATE_FILTERS.map(
        ({ edge, label }) => html`<label key=${edge}>
          <span>${t(label)}</span>
          <input
            name=${edge}
            type="date"
            value=${filters[edge]}
            onChange=${(event: Event) => setFilters({ ...filters, [edge]: (event.currentTarget as HTMLInputElement).value })}
          />
        </label>`,
      )}
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
    ${loading && error === null && html`<${Loading} />`}
    ${people !== null && people.length === 0 && html`<p class="empty">
      ${search ? t('people.noMatch', { query: search }) : filtered ? t('people.noFilterMatch') : t('people.empty')}
    </p>`}
    ${people !== null &&
    people.length > 0 &&
    html`<div class="table-scroll">
      <table class="people-table">
        <thead>
          <tr>
            <${SortHeader} sort="name" label=${t('column.name')} applied=${appliedOrder} onSort=${sortBy} />
            <th scope="col">${t('column.email')}</th>
            <${SortHeader} sort="company" label=${t('column.company')} applied=${appliedOrder} onSort=${sortBy} />
            <${SortHeader} sort="country" label=${t('column.country')} applied=${appliedOrder} onSort=${sortBy} />
            <th scope="col">${t('column.channel')}</th>
            <${SortHeader} sort="first_seen" label=${t('column.firstSeen')} applied=${appliedOrder} onSort=${sortBy} />
            <${SortHeader} sort="last_seen" label=${t('column.lastSeen')} applied=${appliedOrder} onSort=${sortBy} />
            <${SortHeader} sort="sessions" label=${t('column.sessions')} applied=${appliedOrder} onSort=${sortBy} numeric />
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
              <td class="wrap"><${DateTime} value=${person.first_seen} /></td>
              <td class="wrap"><${DateTime} value=${person.last_seen} /></td>
              <td class="number">${formatNumber(person.sessions)}</td>
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

/**
 * A column header that sorts the list: a real button (keyboard and screen readers), the order on the
 * header cell as aria-sort, and an arrow for sighted users.
 */
function SortHeader({
  sort,
  label,
  applied,
  onSort,
  numeric = false,
}: {
  sort: PeopleSort;
  label: string;
  applied: Required<PeopleOrder> | null;
  onSort: (sort: PeopleSort) => void;
  numeric?: boolean;
}) {
  const order = applied?.sort === sort ? applied.order : null;
  return html`<th scope="col" class=${numeric ? 'number' : undefined} aria-sort=${order === null ? undefined : order === 'asc' ? 'ascending' : 'descending'}>
    <button type="button" class="sort-button" onClick=${() => onSort(sort)}>
      ${label}<span class="sort-mark" aria-hidden="true">${order === 'asc' ? '▲' : order === 'desc' ? '▼' : '↕'}</span>
    </button>
  </th>`;
}
