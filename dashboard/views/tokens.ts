/** API tokens for scripts: list, create (the secret is shown once) and revoke. */
import { useEffect, useState } from 'preact/hooks';
import { createToken, listTokens, revokeToken, type ApiToken, type CreatedToken } from '../api';
import { t } from '../i18n/index';
import { CopyButton, DateTime, ErrorMessage, html, Loading } from '../ui';

export function TokensView() {
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedToken | null>(null);

  useEffect(() => {
    let current = true;
    setLoadError(null);
    listTokens().then(
      (loaded) => current && setTokens(loaded),
      (failure: unknown) => current && setLoadError(failure),
    );
    return () => {
      current = false;
    };
  }, [attempt]);

  async function create(event: Event) {
    event.preventDefault();
    setCreating(true);
    setActionError(null);
    try {
      const token = await createToken(name.trim());
      setCreated(token);
      setName('');
      setTokens((earlier) => [
        ...(earlier ?? []),
        { id: token.id, name: token.name, created_at: token.created_at, last_used_at: null },
      ]);
    } catch (failure) {
      setActionError(failure);
    } finally {
      setCreating(false);
    }
  }

  async function revoke(token: ApiToken) {
    if (!window.confirm(t('tokens.confirmRevoke', { name: token.name }))) return;
    setActionError(null);
    try {
      await revokeToken(token.id);
      setTokens((earlier) => (earlier ?? []).filter((candidate) => candidate.id !== token.id));
      if (created && created.id === token.id) setCreated(null);
    } catch (failure) {
      setActionError(failure);
    }
  }

  return html`<section class="stack">
    <h1>${t('tokens.title')}</h1>
    <p class="muted">${t('tokens.intro')}</p>

    <form class="card inline-form" onSubmit=${create}>
      <label for="token-name">${t('tokens.name')}</label>
      <input
        id="token-name"
        name="name"
        required
        maxlength="100"
        value=${name}
        onInput=${(event: Event) => setName((event.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" disabled=${creating}>${creating ? t('tokens.creating') : t('tokens.create')}</button>
    </form>

    ${created &&
    html`<div class="notice notice-success" role="status">
      <p>${t('tokens.created', { name: created.name })}</p>
      <div class="snippet">
        <pre><code class="token-secret">${created.token}</code></pre>
        <${CopyButton} text=${created.token} />
        <button type="button" class="button-secondary" onClick=${() => setCreated(null)}>${t('tokens.dismiss')}</button>
      </div>
    </div>`}

    ${actionError !== null && html`<${ErrorMessage} error=${actionError} />`}
    ${loadError !== null && html`<${ErrorMessage} error=${loadError} onRetry=${() => setAttempt((count) => count + 1)} />`}
    ${tokens === null && loadError === null && html`<${Loading} />`}
    ${tokens !== null && tokens.length === 0 && html`<p class="empty">${t('tokens.empty')}</p>`}
    ${tokens !== null &&
    tokens.length > 0 &&
    html`<div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">${t('column.name')}</th>
            <th scope="col">${t('column.created')}</th>
            <th scope="col">${t('column.lastUsed')}</th>
            <th scope="col"><span class="offscreen">${t('column.actions')}</span></th>
          </tr>
        </thead>
        <tbody>
          ${tokens.map(
            (token) => html`<tr key=${token.id}>
              <td>${token.name}</td>
              <td><${DateTime} value=${token.created_at} /></td>
              <td>${token.last_used_at ? html`<${DateTime} value=${token.last_used_at} />` : t('tokens.never')}</td>
              <td>
                <button
                  type="button"
                  class="button-danger"
                  aria-label=${t('tokens.revokeNamed', { name: token.name })}
                  onClick=${() => revoke(token)}
                >
                  ${t('tokens.revoke')}
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`}
  </section>`;
}
