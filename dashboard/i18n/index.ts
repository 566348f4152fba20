/**
 * The translation helper. Only English exists in this first cut; adding a language means a
 * `zh-CN.ts` typed as `Messages` and choosing it in `setLanguage`.
 */
import { en, type MessageKey, type Messages } from './en';

export type { MessageKey };

let messages: Messages = en;

/** Switches every later `t()` call to another dictionary (a re-render shows it). */
export function setMessages(dictionary: Messages): void {
  messages = dictionary;
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
