/** The login screen: one password field, because the first cut has a single admin account. */
import { useState } from 'preact/hooks';
import { ApiError, logIn } from '../api';
import { t } from '../i18n/index';
import { ErrorMessage, html } from '../ui';

export function LoginView({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [password, setPassword] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: Event) {
    event.preventDefault();
    setSubmitting(true);
    setError(null);
    try {
      await logIn(password);
      onLoggedIn();
    } catch (failure) {
      // The server's message is English; the one answer every user meets is said in their language.
      setError(failure instanceof ApiError && failure.status === 401 ? new Error(t('login.wrong')) : failure);
      setSubmitting(false);
    }
  }

  // The hidden username: the one account is "admin", and naming it lets password managers file
  // the password under it instead of under a blank user.
  return html`<section class="login">
    <h1>${t('app.name')}</h1>
    <form class="card stack" onSubmit=${submit}>
      <h2>${t('login.title')}</h2>
      <p>${t('login.intro')}</p>
      <input type="text" name="username" autocomplete="username" value="admin" readonly hidden />
      <label for="login-password">${t('login.password')}</label>
      <input
        id="login-password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
        autofocus
        value=${password}
        onInput=${(event: Event) => setPassword((event.currentTarget as HTMLInputElement).value)}
      />
      ${error !== null && html`<${ErrorMessage} error=${error} />`}
      <button type="submit" disabled=${submitting}>
        ${submitting ? t('login.submitting') : t('login.submit')}
      </button>
    </form>
  </section>`;
}
