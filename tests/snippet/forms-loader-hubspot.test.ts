// @vitest-environment jsdom
// A page whose only form is a HubSpot iframe embed: lt.js sees no form, only the iframe's messages.
import { expect, it, vi } from 'vitest';
import { formsLoaded, loadSnippet, recordRequests, serveForms } from './page.js';

/** What HubSpot's embed posts to the page (type hsFormCallback; onFormSubmitted carries the values). */
const hubspot = (eventName: string, data: unknown = {}) =>
  new MessageEvent('message', { data: { type: 'hsFormCallback', eventName, id: '7e6d5c4b', data } });

it("imports lt-forms.js at a HubSpot iframe's first message, and counts the submission it reports while the file downloads", async () => {
  vi.useFakeTimers();
  const sent = recordRequests();
  let arrive!: () => void;
  let markRequested!: () => void;
  const requested = new Promise<void>((resolve) => (markRequested = resolve));
  const formsFile = serveForms(() => {
    markRequested();
    return new Promise<void>((resolve) => (arrive = resolve));
  });
  document.body.innerHTML = '<div class="hbspt-form"><iframe class="hs-form-iframe"></iframe></div>';
  await loadSnippet();
  expect(formsFile.requests).toBe(0);

  window.dispatchEvent(hubspot('onFormSubmit'));
  await requested;
  window.dispatchEvent(hubspot('onFormSubmitted', { submissionValues: { email: 'priya@mumbai-valves.in', firstname: 'Priya', password: 'x' } }));
  expect(sent.eventsOf('form_submit')).toEqual([]);

  arrive();
  await formsLoaded();
  expect(sent.eventsOf('form_submit')).toEqual([
    expect.objectContaining({ form: '7e6d5c4b', provider: 'hubspot', outcome: 'success', fields: { email: 'priya@mumbai-valves.in', name: 'Priya' } }),
  ]);
  expect(formsFile.requests).toBe(1);
});
