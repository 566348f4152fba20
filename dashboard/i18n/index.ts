/**
 * The translation helper and the chosen language. A language is a dictionary typed as `Messages`
 * plus its BCP 47 tag, which also drives `Intl` formats and `<html lang>`. The choice is kept in
 * localStorage; the first visit follows the browser's languages.
 */
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey };

/** Each language's own name, so a reader finds theirs whatever the UI currently shows. */
export const LANGUAGES = [
  { tag: 'en', name: 'English', messages: en },
  { tag: 'zh-CN', name: '简体中文', messages: zhCN },
] as const satisfies ReadonlyArray<{ tag: string; name: string; messages: Messages }>;

export type LanguageTag = (typeof LANGUAGES)[number]['tag'];

const LANGUAGE_STORAGE_KEY = 'leadtrail.language';

let language: LanguageTag = 'en';
let messages: Messages = en;

export function isLanguageTag(value: unknown): value is LanguageTag {
  return LANGUAGES.some((entry) => entry.tag === value);
}

/** The stored choice, else the first of the browser's languages we have (any `zh…` reads 简体中文). */
export function detectLanguage(): LanguageTag {
  try {
    const stored = window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
    if (isLanguageTag(stored)) return stored;
  } catch {
    // Storage blocked: fall back to the browser's languages.
  }
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const lower = (tag ?? '').toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

export function currentLanguage(): LanguageTag {
  return language;
}

/** Switches every later `t()` call and `Intl` format (a re-render shows it); `remember` stores it. */
export function setLanguage(tag: LanguageTag, { remember = false }: { remember?: boolean } = {}): void {
  language = tag;
  messages = LANGUAGES.find((entry) => entry.tag === tag)?.messages ?? en;
  document.documentElement.lang = tag;
  if (!remember) return;
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, tag);
  } catch {
    // Not fatal: the choice then lasts for this page only.
  }
}

/** The UI string for `key`, with `{placeholder}`s replaced by `params`. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = messages[key] ?? en[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/** Whether `key` names a string; used for values such as channels that may be new to this build. */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(messages, key);
}
