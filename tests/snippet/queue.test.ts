// @vitest-environment jsdom
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadSnippet, recordRequests, type Recorder } from './page.js';

let sent: Recorder;
let laterError: unknown;
let globalsBefore: string[];
let globalsAfter: string[];

beforeAll(async () => {
  vi.useFakeTimers();
  sent = recordRequests();
  globalsBefore = Object.keys(window);
  // The stub from SPEC §2, as the page runs it before lt.js arrives.
  const stub: { (...args: unknown[]): void; q?: IArguments[] } = function () {
    (stub.q = stub.q || []).push(arguments);
  };
  window.leadtrail = stub as Window['leadtrail'];
  window.leadtrail!('identify', { email: 'buyer@example.com', name: 'Li Wei', phone: 8613800138000, company: null, country: '' });
  window.leadtrail!('track', 'quote_requested', { product: 'SKU-1', quantity: 20, urgent: true, nested: { a: 1 } });
  window.leadtrail!('no_such_command' as never);
  window.leadtrail!('track', 'after_a_bad_call');
  await loadSnippet();
  globalsAfter = Object.keys(window);
  try {
    vi.advanceTimersByTime(1000);
  } catch (error) {
    laterError = error;
  }
});

describe('the queue stub', () => {
  it('replays the calls made before lt.js loaded, in order, after the pageview', () => {
    expect(sent.events().map((event) => (event.type == 'track' ? event.name : event.type))).toEqual([
      'pageview',
      'identify',
      'quote_requested',
      'after_a_bad_call',
    ]);
  });

  it('sends identify traits as strings and leaves out empty ones', () => {
    expect(sent.eventsOf('identify')[0]!.traits).toEqual({ email: 'buyer@example.com', name: 'Li Wei', phone: '8613800138000' });
  });

  it('keeps numbers and booleans in track props and flattens anything else to a string', () => {
    expect(sent.eventsOf('track')[0]!.props).toEqual({ product: 'SKU-1', quantity: 20, urgent: true, nested: '[object Object]' });
  });

  it('reports a bad queued call without stopping the calls after it', () => {
    expect(laterError).toBeInstanceOf(TypeError);
    expect(String(laterError)).toContain('no_such_command');
  });
});

describe('window.leadtrail', () => {
  it('replaces the stub and is the only global the snippet adds', () => {
    expect(window.leadtrail!.q).toBeUndefined();
    expect(globalsAfter.filter((key) => !globalsBefore.includes(key))).toEqual(['leadtrail']);
  });

  it('throws on an unknown command and on track without a name', () => {
    expect(() => window.leadtrail!('identfy' as never)).toThrow(TypeError);
    expect(() => window.leadtrail!('track')).toThrow(TypeError);
    expect(() => window.leadtrail!('track', '')).toThrow(TypeError);
  });

  it('sends identify at once, since a navigation may follow', () => {
    sent.requests.length = 0;
    window.leadtrail!('identify', { email: 'second@example.com' });
    expect(sent.eventsOf('identify')).toHaveLength(1);
  });

  it('does nothing more when the tag is on the page twice', async () => {
    sent.requests.length = 0;
    vi.resetModules();
    await import('../../snippet/index.js');
    history.pushState(null, '', '/once');
    vi.advanceTimersByTime(1000);
    expect(sent.eventsOf('pageview')).toHaveLength(1);
  });
});
