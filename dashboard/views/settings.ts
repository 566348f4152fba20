/** Settings: for now, changing the admin password (the current one must be given again). */
import { useState } from 'preact/hooks';
import { ApiError, changePassword } from '../api';
import { t } from '../i18n/index';
import { ErrorMessage, html } from '../ui';

/** The collector's rule (routes/password.ts), checked here too so the form can say so at once. */
const MINIMUM_PASSWORD_LENGTH = 10;

export function SettingsView() {
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

  const input = (setter: (value: string) => void) => (event: Event) => setter((event.currentTarget as HTMLInputElement).value);

  // The hidden username lets password managers update the saved "admin" entry (see login.ts).
  return html`<section class="stack">
    <h1>${t('settings.title')}</h1>
    <form class="card stack settings-form" onSubmit=${submit}>
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
    </form>
  </section>`;
}
