/**
 * Small pieces several screens share: html binding, dates, durations, safe links to captured URLs,
 * error and copy widgets. Screens themselves live in views/, one file each.
 */
import { h, type ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { ApiError } from './api';
import { currentLanguage, hasMessage, isLanguageTag, LANGUAGES, t, type LanguageTag } from './i18n/index';

export const html = htm.bind(h);

/** Sent to every screen that moves the user elsewhere; main.ts owns the history. */
export type Navigate = (path: string, options?: { replace?: boolean }) => void;

/** Intl formats are costly to build and tables format hundreds of cells: one of each per language. */
const formatCache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function cachedFormat<Format extends Intl.DateTimeFormat | Intl.NumberFormat>(name: string, build: (locale: string) => Format): Format {
  const locale = currentLanguage();
  const key = `${locale} ${name}`;
  let format = formatCache.get(key) as Format | undefined;
  if (!format) {
    format = build(locale);
    formatCache.set(key, format);
  }
  return format;
}

const dateTimeFormat = () => cachedFormat('dateTime', (locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }));
const timeFormat = () => cachedFormat('time', (locale) => new Intl.DateTimeFormat(locale, { timeStyle: 'medium' }));

/** A count grouped as the chosen language writes it. */
export function formatNumber(value: number): string {
  return cachedFormat('number', (locale) => new Intl.NumberFormat(locale)).format(value);
}

/** A share such as a conversion rate: 0.034 → "3.4%". */
export function formatPercent(value: number): string {
  return cachedFormat('percent', (locale) => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 })).format(value);
}

function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * A time in the reader's own zone and the chosen language; the exact UTC value from the API stays in the
 * tooltip and the `datetime` attribute, since buyers and the sales team are rarely in one zone.
 */
export function DateTime({ value, timeOnly = false }: { value: string | null | undefined; timeOnly?: boolean }) {
  const date = parseDate(value);
  if (!date) return html`<span>${t('common.none')}</span>`;
  const text = (timeOnly ? timeFormat() : dateTimeFormat()).format(date);
  return html`<time datetime=${value} title=${value}>${text}</time>`;
}

export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  if (seconds < 60) return t('duration.seconds', { seconds });
  if (seconds < 3600) return t('duration.minutes', { minutes: Math.floor(seconds / 60), seconds: seconds % 60 });
  return t('duration.hours', { hours: Math.floor(seconds / 3600), minutes: Math.floor((seconds % 3600) / 60) });
}

export function secondsBetween(startIso: string, endIso: string): number {
  const start = parseDate(startIso);
  const end = parseDate(endIso);
  return start && end ? (end.getTime() - start.getTime()) / 1000 : 0;
}

export function channelLabel(channel: string | null | undefined): string {
  if (!channel) return t('common.none');
  const key = `channel.${channel}`;
  return hasMessage(key) ? t(key) : channel;
}

/** Text or a dash, so empty cells read as "unknown" rather than as a layout glitch. */
export function orDash(value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? t('common.none') : String(value);
}

/**
 * Captured URLs come from visitors' browsers (and so from anyone who can send to /collect):
 * only http(s) becomes a link; `javascript:`, `data:` and the rest stay inert text.
 */
export function safeHttpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** A captured URL as a link that opens the buyer's page in a new tab without leaking the dashboard. */
export function ExternalLink({ url, children }: { url: string | null | undefined; children?: ComponentChildren }) {
  const href = safeHttpUrl(url);
  const label = children ?? url ?? t('common.none');
  if (!href) return html`<span class="url">${label}</span>`;
  return html`<a class="url" href=${href} target="_blank" rel="noopener noreferrer nofollow">${label}</a>`;
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof ApiError ? describeDetails(error.details) : [];
  return html`<div class="notice notice-error" role="alert">
    <p>${message}</p>
    ${details.length > 0 && html`<ul>${details.map((detail) => html`<li>${detail}</li>`)}</ul>`}
    ${onRetry && html`<button type="button" class="button-secondary" onClick=${onRetry}>${t('error.retry')}</button>`}
  </div>`;
}

/** Validation details are zod issues (`{ path, message }`) or plain strings; anything else is not shown. */
function describeDetails(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.slice(0, 10).flatMap((detail: unknown) => {
    if (typeof detail === 'string') return [detail];
    if (typeof detail === 'object' && detail !== null && typeof (detail as { message?: unknown }).message === 'string') {
      const { message, path } = detail as { message: string; path?: unknown };
      const where = Array.isArray(path) ? path.join('.') : typeof path === 'string' ? path : '';
      return [where ? `${where}: ${message}` : message];
    }
    return [];
  });
}

/**
 * The language switch: each language under its own name, the choice remembered in this browser.
 * In the top bar its label is for screen readers only; Settings shows its own `label`.
 */
export function LanguageSelect({ onChange, label }: { onChange: (tag: LanguageTag) => void; label?: string }) {
  return html`<label class=${label ? 'language-select language-select-labelled' : 'language-select'}>
    <span class=${label ? undefined : 'offscreen'}>${label ?? t('nav.language')}</span>
    <select
      value=${currentLanguage()}
      onChange=${(event: Event) => {
        const tag = (event.currentTarget as HTMLSelectElement).value;
        if (isLanguageTag(tag)) onChange(tag);
      }}
    >
      ${LANGUAGES.map((language) => html`<option key=${language.tag} value=${language.tag} lang=${language.tag}>${language.name}</option>`)}
    </select>
  </label>`;
}

export function Loading() {
  return html`<p class="loading" role="status">${t('app.loading')}</p>`;
}

/** Copies `text`; falls back to a selected textarea where the Clipboard API is missing (plain http). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const resetTimer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(resetTimer.current), []);

  async function copy() {
    const copied = await copyText(text);
    setState(copied ? 'copied' : 'failed');
    window.clearTimeout(resetTimer.current);
    resetTimer.current = window.setTimeout(() => setState('idle'), 2500);
  }

  return html`<span class="copy">
    <button type="button" class="button-secondary" onClick=${copy} aria-label=${label}>
      ${state === 'copied' ? t('copy.copied') : t('copy.copy')}
    </button>
    <span class="copy-status" role="status">${state === 'failed' ? t('copy.failed') : ''}</span>
  </span>`;
}

async function copyText(text: string): Promise<boolean> {
  // navigator.clipboard exists only in secure contexts; a self-hosted http://IP:3000 is not one.
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Permission refused: try the old way below.
    }
  }
  const textarea = document.createElement('textarea');
  textarea.value = text;
  textarea.setAttribute('readonly', '');
  textarea.className = 'offscreen';
  document.body.append(textarea);
  textarea.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    textarea.remove();
  }
}

/** The name a person goes by in lists and headings: name, else email, else an anonymous number. */
export function personLabel(person: { id: string | number; name: string | null; email: string | null }): string {
  return person.name || person.email || t('people.anonymous', { id: person.id });
}

/**
 * Calls `load` now and again `intervalMs` after each answer while the component is shown, and
 * starts over when `key` changes. The next call waits for this one's answer, so a slow server
 * never has several piled up. A failure keeps the last value and sets `error` until a call answers.
 */
export function usePolling<Value>(load: () => Promise<Value>, intervalMs: number, key: string): { value: Value | null; error: unknown } {
  const [state, setState] = useState<{ value: Value | null; error: unknown }>({ value: null, error: null });
  useEffect(() => {
    let current = true;
    let timer = 0;
    setState({ value: null, error: null });
    const poll = () => {
      load()
        .then(
          (value) => current && setState({ value, error: null }),
          (error: unknown) => current && setState((previous) => ({ value: previous.value, error })),
        )
        .finally(() => {
          if (current) timer = window.setTimeout(poll, intervalMs);
        });
    };
    poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [key]);
  return state;
}
