/**
 * Settings: the dashboard's language; each site's name, domains, IP mode and retention; the admin
 * password (the current one must be given again).
 */
import { useState } from 'preact/hooks';
import { ApiError, changePassword, updateSite, type IpMode, type Site } from '../api';
import { t, type LanguageTag } from '../i18n/index';
import { ErrorMessage, html, LanguageSelect, Loading } from '../ui';
import { parseDomains } from './setup';

/** The collector's rule (routes/password.ts), checked here too so the form can say so at once. */
const MINIMUM_PASSWORD_LENGTH = 10;

const IP_MODES: IpMode[] = ['full', 'truncated', 'none'];

/** An input, select or textarea handler that hands its text to `setter`. */
const input = (setter: (value: string) => void) => (event: Event) => setter((event.currentTarget as HTMLInputElement).value);

export function SettingsView({
  sites,
  onSiteUpdated,
  onLanguageChange,
}: {
  /** null while the list loads. */
  sites: Site[] | null;
  onSiteUpdated: (site: Site) => void;
  onLanguageChange: (tag: LanguageTag) => void;
}) {
  return html`<section class="stack">
    <h1>${t('settings.title')}</h1>
    <section class="card stack" aria-labelledby="settings-language-title">
      <h2 id="settings-language-title">${t('settings.languageTitle')}</h2>
      <${LanguageSelect} onChange=${onLanguageChange} label=${t('settings.language')} />
      <p class="muted small">${t('settings.languageHint')}</p>
    </section>
    <section class="stack" aria-labelledby="settings-sites-title">
      <h2 id="settings-sites-title">${t('settings.sitesTitle')}</h2>
      <p>${t('settings.sitesIntro')}</p>
      ${sites === null
        ? html`<${Loading} />`
        : sites.length === 0
          ? html`<p class="empty">${t('settings.noSites')}</p>`
          : sites.map((site) => html`<${SiteSettings} key=${site.key} site=${site} onSaved=${onSiteUpdated} />`)}
    </section>
    <${PasswordForm} />
  </section>`;
}

/** One site's form; it sends every field, so what the user sees is what is stored. */
function SiteSettings({ site, onSaved }: { site: Site; onSaved: (site: Site) => void }) {
  const [name, setName] = useState(site.name);
  const [domainsText, setDomainsText] = useState(site.domains.join('\n'));
  const [ipMode, setIpMode] = useState<IpMode | ''>(site.ip_mode ?? '');
  const [retentionDays, setRetentionDays] = useState(site.retention_days === null ? '' : String(site.retention_days));
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const id = (field: string) => `site-${site.key}-${field}`;

  async function submit(event: Event) {
    event.preventDefault();
    setSaved(null);
    setSubmitting(true);
    setError(null);
    try {
      const updated = await updateSite(site.key, {
        name: name.trim(),
        domains: parseDomains(domainsText),
        ip_mode: ipMode || null,
        retention_days: retentionDays.trim() === '' ? null : Number(retentionDays),
      });
      // The collector normalizes domains (https://www.Example.com/ → example.com): show what it kept.
      setName(updated.name);
      setDomainsText(updated.domains.join('\n'));
      setSaved(updated.name);
      onSaved(updated);
    } catch (failure) {
      setError(failure);
    } finally {
      setSubmitting(false);
    }
  }

  return html`<form class="card stack site-settings" aria-labelledby=${id('title')} onSubmit=${submit}>
    <h3 id=${id('title')}>${site.name} <small class="muted">${t('settings.siteKey', { key: site.key })}</small></h3>
    <label for=${id('name')}>${t('settings.siteName')}</label>
    <input id=${id('name')} name="name" required maxlength="100" value=${name} onInput=${input(setName)} />
    <label for=${id('domains')}>${t('settings.siteDomains')}</label>
    <textarea id=${id('domains')} name="domains" rows="3" aria-describedby=${id('domains-hint')} value=${domainsText} onInput=${input(setDomainsText)} />
    <p id=${id('domains-hint')} class="muted small">${t('setup.domainsHint')}</p>
    <label for=${id('ip-mode')}>${t('settings.ipMode')}</label>
    <select id=${id('ip-mode')} name="ip_mode" aria-describedby=${id('ip-mode-hint')} value=${ipMode} onChange=${input((value) => setIpMode(value as IpMode | ''))}>
      <option value="">${t('settings.ipModeDefault', { mode: t(`settings.ipMode.${site.ip_mode_default}`) })}</option>
      ${IP_MODES.map((mode) => html`<option key=${mode} value=${mode}>${t(`settings.ipMode.${mode}`)}</option>`)}
    </select>
    <p id=${id('ip-mode-hint')} class="muted small">${t('settings.ipModeHint')}</p>
    <label for=${id('retention')}>${t('settings.retention')}</label>
    <input
      id=${id('retention')}
      name="retention_days"
      class="days-input"
      type="number"
      min="1"
      max="3650"
      step="1"
      inputmode="numeric"
      aria-describedby=${id('retention-hint')}
      value=${retentionDays}
      onInput=${input(setRetentionDays)}
    />
    <p id=${id('retention-hint')} class="muted small">${t('settings.retentionHint')}</p>
    ${error !== null && html`<${ErrorMessage} error=${error} />`}
    ${saved !== null && html`<p class="notice notice-success" role="status">${t('settings.siteSaved', { name: saved })}</p>`}
    <div><button type="submit" disabled=${submitting}>${submitting ? t('settings.saving') : t('settings.save')}</button></div>
  </form>`;
}

function PasswordForm() {
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [changed, setChanged] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setChanged(false);
    if (password.length < MINIMUM_PASSWORD_LENGTH) {
      setError(new Error(t('settings.tooShort', { min: MINIMUM_PASSWORD_LENGTH })));
      return;
    }
    if (password !== confirmation) {
      setError(new Error(t('settings.mismatch')));
      return;
    }
    setSubmitting(true);
    setError(null);
    try {
      await changePassword({ current, password });
      setCurrent('');
      setPassword('');
      setConfirmation('');
      setChanged(true);
    } catch (failure) {
      setError(failure instanceof ApiError && failure.status === 403 ? new Error(t('settings.wrongCurrent')) : failure);
    } finally {
      setSubmitting(false);
    }
  }

  // The hidden username lets password managers update the saved "admin" entry (see login.ts).
  return html`<form class="card stack settings-form" onSubmit=${submit}>
    <h2>${t('settings.passwordTitle')}</h2>
    <input type="text" name="username" autocomplete="username" value="admin" readonly hidden />
    <label for="settings-current">${t('settings.current')}</label>
    <input id="settings-current" type="password" autocomplete="current-password" required value=${current} onInput=${input(setCurrent)} />
    <label for="settings-new">${t('settings.new')}</label>
    <input
      id="settings-new"
      type="password"
      autocomplete="new-password"
      required
      minlength=${MINIMUM_PASSWORD_LENGTH}
      aria-describedby="settings-new-hint"
      value=${password}
      onInput=${input(setPassword)}
    />
    <p id="settings-new-hint" class="muted small">${t('settings.hint', { min: MINIMUM_PASSWORD_LENGTH })}</p>
    <label for="settings-confirm">${t('settings.confirm')}</label>
    <input id="settings-confirm" type="password" autocomplete="new-password" required value=${confirmation} onInput=${input(setConfirmation)} />
    ${error !== null && html`<${ErrorMessage} error=${error} />`}
    ${changed && html`<p class="notice notice-success" role="status">${t('settings.changed')}</p>`}
    <button type="submit" disabled=${submitting}>${submitting ? t('settings.submitting') : t('settings.submit')}</button>
  </form>`;
}
