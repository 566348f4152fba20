/**
 * Boots the dashboard: checks the session, keeps the selected site, and routes on
 * location.pathname. The collector answers every non-API path with index.html, so each route
 * below can be opened directly, reloaded, or linked to (the leads CSV links to /people/:id).
 */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { fetchCurrentUser, listSites, logOut, onUnauthorized, type Site, type User } from './api';
import { currentLanguage, detectLanguage, setLanguage, t, type LanguageTag, type MessageKey } from './i18n/index';
import { ErrorMessage, html, LanguageSelect, Loading, type Navigate } from './ui';
import { LeadsView } from './views/leads';
import { LoginView } from './views/login';
import { OverviewView } from './views/overview';
import { PeopleView } from './views/people';
import { SettingsView } from './views/settings';
import { SetupView } from './views/setup';
import { TokensView } from './views/tokens';
import { TrailView } from './views/trail';

type Route =
  | { name: 'login' }
  | { name: 'people' }
  | { name: 'overview' }
  | { name: 'trail'; personId: string }
  | { name: 'leads' }
  | { name: 'setup' }
  | { name: 'tokens' }
  | { name: 'settings' }
  | { name: 'not_found' };

function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  if (path === '/' || path === '') return { name: 'people' };
  if (path === '/login') return { name: 'login' };
  if (path === '/leads') return { name: 'leads' };
  if (path === '/overview') return { name: 'overview' };
  if (path === '/setup') return { name: 'setup' };
  if (path === '/tokens') return { name: 'tokens' };
  if (path === '/settings') return { name: 'settings' };
  const trail = /^\/people\/([^/]+)$/.exec(path);
  if (trail?.[1]) return { name: 'trail', personId: decodeURIComponent(trail[1]) };
  return { name: 'not_found' };
}

const SITE_STORAGE_KEY = 'leadtrail.site';

/** Storage can throw (blocked cookies, some private modes); the choice then lasts for the tab only. */
function readStoredSite(): string | null {
  try {
    return window.localStorage.getItem(SITE_STORAGE_KEY);
  } catch {
    return null;
  }
}

function storeSite(key: string): void {
  try {
    window.localStorage.setItem(SITE_STORAGE_KEY, key);
  } catch {
    // Not fatal: see readStoredSite.
  }
}

/** Only a same-origin path may follow a login, so ?next= cannot send anyone to another site. */
function safeNextPath(search: string): string {
  const next = new URLSearchParams(search).get('next');
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return '/';
  return next;
}

const locationListeners = new Set<() => void>();

const navigate: Navigate = (path, options = {}) => {
  if (path === location.pathname + location.search && !options.replace) return;
  history[options.replace ? 'replaceState' : 'pushState'](null, '', path);
  locationListeners.forEach((listener) => listener());
};

/**
 * Plain <a href> everywhere keeps links keyboard-, middle-click- and copy-friendly; this turns a
 * normal left click on an in-app link into a pushState navigation instead of a page load.
 */
function interceptLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.hasAttribute('download') || (anchor.target && anchor.target !== '_self')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/dashboard/')) return;
  // In-page anchors such as the skip link keep the browser's own jump.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

function useLocation(): { pathname: string; search: string } {
  const read = () => ({ pathname: location.pathname, search: location.search });
  const [current, setCurrent] = useState(read);
  useEffect(() => {
    const update = () => setCurrent(read());
    locationListeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      locationListeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return current;
}

const ROUTE_TITLES: Record<Route['name'], MessageKey> = {
  login: 'login.title',
  people: 'nav.people',
  overview: 'nav.overview',
  trail: 'nav.people',
  leads: 'nav.leads',
  setup: 'nav.setup',
  tokens: 'nav.tokens',
  settings: 'nav.settings',
  not_found: 'notFound.title',
};

function App() {
  const currentLocation = useLocation();
  const route = matchRoute(currentLocation.pathname);
  /** undefined while the first /api/me is in flight; null when logged out. */
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [sites, setSites] = useState<Site[] | null>(null);
  const [sitesError, setSitesError] = useState<unknown>(null);
  const [selectedSiteKey, setSelectedSiteKey] = useState<string | null>(readStoredSite);
  // t() reads the module's language; this state only makes the whole tree re-render on a switch.
  const [language, setLanguageState] = useState<LanguageTag>(currentLanguage);

  function changeLanguage(tag: LanguageTag) {
    setLanguage(tag, { remember: true });
    setLanguageState(tag);
  }

  useEffect(() => {
    document.addEventListener('click', interceptLinkClick);
    onUnauthorized(() => {
      setUser(null);
      setSites(null);
    });
    fetchCurrentUser().then(setUser, () => setUser(null));
    return () => document.removeEventListener('click', interceptLinkClick);
  }, []);

  // Logged out anywhere but the login screen: go there, and come back to this page afterwards.
  useEffect(() => {
    if (user === null && route.name !== 'login') {
      const here = location.pathname + location.search;
      navigate(here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (user && route.name === 'login') {
      navigate(safeNextPath(currentLocation.search), { replace: true });
    }
  }, [user, route.name]);

  useEffect(() => {
    if (!user) return;
    setSitesError(null);
    listSites().then(setSites, setSitesError);
  }, [user]);

  // After an in-app navigation, move focus to the new content as a page load would, so keyboard
  // and screen-reader users start at the top of the new screen rather than on the old link.
  const previousPath = useRef(currentLocation.pathname);
  useEffect(() => {
    if (previousPath.current === currentLocation.pathname) return;
    previousPath.current = currentLocation.pathname;
    document.getElementById('main')?.focus({ preventScroll: false });
  }, [currentLocation.pathname]);

  useEffect(() => {
    // The trail sets its own title once the person's name is known.
    if (route.name !== 'trail') document.title = `${t(ROUTE_TITLES[route.name])} · ${t('app.name')}`;
  }, [route.name, language]);

  const selectedSite = sites?.find((site) => site.key === selectedSiteKey) ?? sites?.[0] ?? null;

  function selectSite(key: string) {
    setSelectedSiteKey(key);
    storeSite(key);
  }

  async function handleLogOut() {
    try {
      await logOut();
    } finally {
      setUser(null);
      setSites(null);
      navigate('/login', { replace: true });
    }
  }

  if (user === undefined) return html`<main id="main" class="main"><${Loading} /></main>`;
  if (user === null) {
    return html`<main id="main" class="main main-login">
      <div class="login-language"><${LanguageSelect} onChange=${changeLanguage} /></div>
      ${route.name === 'login' ? html`<${LoginView} onLoggedIn=${() => fetchCurrentUser().then(setUser, () => setUser(null))} />` : html`<${Loading} />`}
    </main>`;
  }

  return html`<div class="layout">
    <a class="skip-link" href="#main">${t('nav.skip')}</a>
    <header class="topbar">
      <a class="brand" href="/">${t('app.name')}</a>
      <nav aria-label=${t('nav.label')}>
        <ul>
          <${NavLink} href="/overview" active=${route.name === 'overview'} label=${t('nav.overview')} />
          <${NavLink} href="/" active=${route.name === 'people' || route.name === 'trail'} label=${t('nav.people')} />
          <${NavLink} href="/leads" active=${route.name === 'leads'} label=${t('nav.leads')} />
          <${NavLink} href="/setup" active=${route.name === 'setup'} label=${t('nav.setup')} />
          <${NavLink} href="/tokens" active=${route.name === 'tokens'} label=${t('nav.tokens')} />
          <${NavLink} href="/settings" active=${route.name === 'settings'} label=${t('nav.settings')} />
        </ul>
      </nav>
      <div class="topbar-end">
        ${sites &&
        sites.length > 0 &&
        html`<label class="site-select">
          <span>${t('nav.site')}</span>
          <select value=${selectedSite?.key} onChange=${(event: Event) => selectSite((event.currentTarget as HTMLSelectElement).value)}>
            ${sites.map((site) => html`<option key=${site.key} value=${site.key}>${site.name}</option>`)}
          </select>
        </label>`}
        <${LanguageSelect} onChange=${changeLanguage} />
        <span class="user-name muted">${user.name}</span>
        <button type="button" class="button-secondary" onClick=${handleLogOut}>${t('nav.logout')}</button>
      </div>
    </header>
    <main id="main" class="main" tabindex="-1">
      ${renderRoute()}
    </main>
  </div>`;

  function renderRoute() {
    // Logged in on /login: the effect above is about to send the user on; show nothing else meanwhile.
    if (route.name === 'login') return html`<${Loading} />`;
    if (route.name === 'trail') return html`<${TrailView} key=${route.personId} personId=${route.personId} />`;
    if (route.name === 'tokens') return html`<${TokensView} />`;
    if (route.name === 'settings') {
      return html`<${SettingsView}
        sites=${sites}
        onSiteUpdated=${(updated: Site) => setSites((earlier) => earlier?.map((site) => (site.key === updated.key ? updated : site)) ?? null)}
        onLanguageChange=${changeLanguage}
      />`;
    }
    if (route.name === 'not_found') {
      return html`<section class="stack"><h1>${t('notFound.title')}</h1><p><a href="/">${t('notFound.back')}</a></p></section>`;
    }
    if (sitesError !== null) return html`<${ErrorMessage} error=${sitesError} onRetry=${() => listSites().then(setSites, setSitesError)} />`;
    if (sites === null) return html`<${Loading} />`;
    if (route.name === 'setup') {
      return html`<${SetupView}
        sites=${sites}
        selectedKey=${selectedSite?.key ?? null}
        onSiteCreated=${(site: Site) => {
          setSites((earlier) => [...(earlier ?? []), site]);
          selectSite(site.key);
        }}
      />`;
    }
    if (!selectedSite) {
      return html`<section class="stack notice">
        <p>${t('sites.none')}</p>
        <p><a class="button" href="/setup">${t('sites.create')}</a></p>
      </section>`;
    }
    if (route.name === 'overview') return html`<${OverviewView} key=${selectedSite.key} site=${selectedSite} />`;
    if (route.name === 'leads') return html`<${LeadsView} key=${selectedSite.key} site=${selectedSite} />`;
    return html`<${PeopleView} key=${selectedSite.key} site=${selectedSite} navigate=${navigate} />`;
  }
}

function NavLink({ href, active, label }: { href: string; active: boolean; label: string }) {
  return html`<li><a href=${href} aria-current=${active ? 'page' : undefined}>${label}</a></li>`;
}

setLanguage(detectLanguage());
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
