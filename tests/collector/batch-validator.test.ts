import { describe, expect, it } from 'vitest';
import { conformsToBatchSchema } from '../../collector/ingest/batch-validator.js';
import { MAX_EVENTS_PER_BATCH, batchSchema } from '../../collector/ingest/schema.js';

/**
 * The compiled check must give zod's answer: accepting what zod refuses would store a beacon the
 * worker then sets aside; refusing what zod accepts only costs a zod parse, but is a bug too. Every
 * batch below is judged by both. They are made from one batch holding every event type with every
 * field, by putting in place of each value, one at a time, values at and around every limit of
 * schema.ts and values of the wrong kind.
 */
const TS = Date.UTC(2026, 10, 20, 12);
const fullBatch = () => ({
  site: 'site-key-1',
  // 20 characters, as the snippet's.
  visitor: 'k3j9x0q2m5z8w1r4t7y6',
  sent_at: TS + 5000,
  tz: 'Asia/Shanghai',
  lang: 'zh-CN',
  screen: '1920x1080',
  events: [
    { id: 'e1', type: 'pageview', ts: TS, url: 'https://acme.com/', referrer: 'https://www.google.com/', title: 'Valves' },
    { id: 'e2', type: 'engagement', ts: TS, url: 'https://acme.com/', seconds: 14, scroll: 62 },
    { id: 'e3', type: 'form_start', ts: TS, url: 'https://acme.com/contact', form: 'contact' },
    { id: 'e4', type: 'form_submit', ts: TS, url: 'https://acme.com/contact', form: 'contact', provider: 'native', fields: { email: 'li@example.cn', message: 'Price?' }, outcome: 'success' },
    { id: 'e5', type: 'chat_open', ts: TS, url: 'https://acme.com/', provider: 'whatsapp', target: '8613800000000' },
    { id: 'e6', type: 'track', ts: TS, url: 'https://acme.com/', name: 'catalog_download', props: { file: 'valves.pdf', pages: 12, gated: true, note: null } },
    { id: 'e7', type: 'identify', ts: TS, url: 'https://acme.com/', traits: { email: 'li@example.cn' } },
  ],
});

/** String lengths that schema.ts limits to, and one under and over each. */
const STRING_LIMITS = [1, 8, 20, 32, 35, 64, 100, 256, 512, 1000, 2048, 5000];
const lengthsAround = STRING_LIMITS.flatMap((limit) => [limit - 1, limit, limit + 1]).filter((length) => length >= 0);
const EPOCH_LIMITS = [946_684_800_000, 4_102_444_800_000];

const replacements: unknown[] = [
  undefined, null, true, false, 0, -1, 0.5, 62, 100, 100.5, 86_400, 86_401, -0.1, 1e21,
  ...EPOCH_LIMITS.flatMap((limit) => [limit - 1, limit, limit + 1]),
  '', 'x', '1920x1080', '99999x99999', '123456x1', '1920x1080\n', ' 1920x1080', '1920X1080', '１９２０x1080',
  'pageview', 'engagement', 'form_submit', 'identify', 'nope', 'whatsapp', 'WhatsApp', 'success', 'failure',
  ...lengthsAround.map((length) => 'a'.repeat(length)),
  // Characters outside the BMP: one code point, two UTF-16 units each. zod counts units: `length`
  // code points is twice as long, the second string exactly `length` long.
  ...lengthsAround.map((length) => '😀'.repeat(length)),
  ...lengthsAround.map((length) => `${'😀'.repeat(Math.floor(length / 2))}${length % 2 ? 'a' : ''}`),
  [], [1], {}, { a: 'b' }, { '': 'b' }, { a: 1 }, { a: null },
];

/** Every path to a value in `value` (objects and arrays too), as lists of keys. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, Array.isArray(value) ? Number(key) : key]));
  return prefix.length > 0 ? [prefix, ...children] : children;
}

function withValueAt(path: (string | number)[], replacement: unknown) {
  const copy = fullBatch() as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else {
    parent[last] = replacement;
  }
  return copy;
}

const manyFields = (count: number, keyLength = 5) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`${index}`.padStart(keyLength, 'k'), 'v']));

function candidates(): unknown[] {
  const made: unknown[] = [fullBatch(), null, [], 'batch', 42];
  for (const path of pathsOf(fullBatch())) for (const replacement of replacements) made.push(withValueAt(path, replacement));
  // Limits of counts: events per batch, fields per form or traits, and the length of field names.
  const event = fullBatch().events[0]!;
  for (const count of [0, 1, MAX_EVENTS_PER_BATCH, MAX_EVENTS_PER_BATCH + 1]) made.push({ ...fullBatch(), events: Array.from({ length: count }, () => event) });
  for (const count of [49, 50, 51]) {
    made.push(withValueAt(['events', 3, 'fields'], manyFields(count)));
    made.push(withValueAt(['events', 6, 'traits'], manyFields(count)));
    made.push(withValueAt(['events', 5, 'props'], manyFields(count)));
  }
  for (const keyLength of [0, 1, 64, 65]) {
    const key = 'k'.repeat(keyLength);
    made.push(withValueAt(['events', 3, 'fields'], { [key]: 'v' }));
    made.push(withValueAt(['events', 6, 'traits'], { [key]: 'v' }));
    made.push(withValueAt(['events', 5, 'props'], { [key]: 1 }));
  }
  // Unknown fields are stripped, not refused; an event's type decides which fields it must have.
  made.push({ ...fullBatch(), extra: { nested: true } });
  made.push(withValueAt(['events', 1, 'type'], 'pageview'));
  made.push(withValueAt(['events', 0, 'type'], 'engagement'));
  made.push(withValueAt(['events', 4, 'type'], 'identify'));
  made.push(JSON.parse('{"site":"k","visitor":"visitor-1","sent_at":1764000000000,"events":[{"id":"a","type":"identify","ts":1764000000000,"url":"u","traits":{"__proto__":"x"}}]}'));
  return made;
}

/** Where the compiled check may refuse what zod accepts (batch-validator.ts): it counts lengths in UTF-16 units, so it may leave to zod a string with characters outside the BMP, or a visitor id of 8 to 15 characters. */
const leftToZod = (candidate: unknown) =>
  /[\uD800-\uDFFF]/.test(JSON.stringify(candidate) ?? '') || (typeof (candidate as { visitor?: unknown })?.visitor === 'string' && (candidate as { visitor: string }).visitor.length < 16);

describe('conformsToBatchSchema', () => {
  const verdicts = candidates().map((candidate) => ({ candidate, compiled: conformsToBatchSchema(candidate), zod: batchSchema.safeParse(candidate).success }));
  const shown = (list: typeof verdicts) => list.map(({ candidate, compiled, zod }) => ({ compiled, zod, candidate: JSON.stringify(candidate)?.slice(0, 300) }));

  it('is tried on thousands of batches, on both sides of every limit', () => {
    expect(verdicts.length).toBeGreaterThan(5000);
    expect(verdicts.filter((verdict) => verdict.zod).length).toBeGreaterThan(500);
    expect(verdicts.filter((verdict) => !verdict.zod).length).toBeGreaterThan(500);
    expect(verdicts.filter((verdict) => verdict.zod && leftToZod(verdict.candidate)).length).toBeGreaterThan(50);
  });

  it('never accepts a batch zod refuses', () => {
    expect(shown(verdicts.filter((verdict) => verdict.compiled && !verdict.zod))).toEqual([]);
  });

  it('gives zod\'s answer for every other batch', () => {
    expect(shown(verdicts.filter((verdict) => !leftToZod(verdict.candidate) && verdict.compiled !== verdict.zod))).toEqual([]);
  });

  it('passes a beacon with a visitor id as the snippet makes by itself, and leaves a shorter one to zod', () => {
    const visitorOf8 = { ...fullBatch(), visitor: 'abcdefgh' };
    expect([conformsToBatchSchema(fullBatch()), conformsToBatchSchema(visitorOf8), batchSchema.safeParse(visitorOf8).success]).toEqual([true, false, true]);
  });
});
