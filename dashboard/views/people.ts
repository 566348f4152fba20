/** People of the selected site, newest activity first, with a search and cursor paging. */
import { useEffect, useState } from 'preact/hooks';
import { listPeople, type PersonSummary, type Site } from '../api';
import { t } from '../i18n/index';
import { channelLabel, DateTime, ErrorMessage, html, Loading, orDash, personLabel, type Navigate } from '../ui';

/** Long enough to skip a request per keystroke, short enough to feel live. */
const SEARCH_DELAY_MILLISECONDS = 300;

export function PeopleView({ site, navigate }: { site: Site; navigate: Navigate }) {
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
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
    // A slower answer to an older search must not overwrite a newer one.
    let current = true;
    setPeople(null);
    setError(null);
    listPeople({ site: site.key, search }).then(
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
  }, [site.key, search, attempt]);

  async function loadMore() {
    if (!next) return;
    setLoadingMore(true);
    try {
      const page = await listPeople({ site: site.key, search, cursor: next });
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
    ${error !== null && html`<${ErrorMessage} error=${error} onRetry=${() => setAttempt((count) => count + 1)} />`}
    ${people === null && error === null && html`<${Loading} />`}
    ${people !== null && people.length === 0 && html`<p class="empty">${search ? t('people.noMatch', { query: search }) : t('people.empty')}</p>`}
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
              <td>${orDash(person.company)}</td>
              <td>${orDash(person.country)}</td>
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
