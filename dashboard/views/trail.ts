/**
 * One person's trail: who they are, what brought them, on which devices, then every visit in
 * time order with what they read, wrote and clicked. Everything here was typed by a visitor or
 * sent by a browser, so it is rendered only as text; links are made only from http(s) URLs.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, fetchTrail, type Device, type FlatProps, type Touch, type Trail, type TrailEvent, type TrailSession } from '../api';
import { currentLanguage, hasMessage, t } from '../i18n/index';
import {
  channelLabel,
  DateTime,
  ErrorMessage,
  ExternalLink,
  formatDuration,
  html,
  Loading,
  orDash,
  personLabel,
  secondsBetween,
} from '../ui';

/** The buyer's clock moves while the page is open; a minute is its resolution. */
const LOCAL_TIME_TICK_MILLISECONDS = 30_000;

/** Distinct non-empty values, most recently seen device first (devices come oldest first). */
function latestFirst(devices: Device[], pick: (device: Device) => string | null): string[] {
  const values = [...devices].reverse().map(pick).filter((value): value is string => Boolean(value));
  return [...new Set(values)];
}

export function TrailView({ personId }: { personId: string }) {
  const [trail, setTrail] = useState<Trail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setTrail(null);
    setError(null);
    fetchTrail(personId).then(
      (loaded) => {
        if (!current) return;
        setTrail(loaded);
        document.title = `${personLabel(loaded.person)} · ${t('app.name')}`;
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [personId, attempt]);

  const back = html`<p><a href="/">${t('trail.back')}</a></p>`;
  if (error !== null) {
    const notFound = error instanceof ApiError && error.status === 404;
    return html`<section class="stack">
      ${back}
      ${notFound
        ? html`<p class="notice">${t('trail.notFound')}</p>`
        : html`<${ErrorMessage} error=${error} onRetry=${() => setAttempt((count) => count + 1)} />`}
    </section>`;
  }
  if (!trail) return html`<section class="stack">${back}<${Loading} /></section>`;

  const { person, devices, sessions } = trail;
  const clickIds = Object.entries(person.click_ids ?? {}).filter(([, value]) => Boolean(value));
  const ipCountries = latestFirst(devices, (device) => device.country);
  const organisations = latestFirst(devices, (device) => device.organisation);
  const [timeZone] = latestFirst(devices, (device) => device.time_zone);
  const statedCountry = person.country?.trim() ?? '';
  // A stated country is free text ("Germany", "DE"); only a two-letter one can be compared.
  const countryDiffers =
    /^[A-Za-z]{2}$/.test(statedCountry) && ipCountries.length > 0 && !ipCountries.includes(statedCountry.toUpperCase());
  const timeOnSite = sessions.reduce((total, session) => total + secondsBetween(session.started_at, session.ended_at), 0);
  return html`<article class="stack trail">
    ${back}
    <header class="person-header stack">
      <h1>
        ${personLabel(person)}
        ${' '}
        ${person.identified
          ? html`<span class="badge badge-identified">${t('people.identified')}</span>`
          : html`<span class="badge">${t('people.anonymousBadge')}</span>`}
      </h1>
      <dl class="facts">
        <div><dt>${t('column.email')}</dt><dd>${orDash(person.email)}</dd></div>
        <div><dt>${t('column.phone')}</dt><dd>${orDash(person.phone)}</dd></div>
        <div><dt>${t('column.company')}</dt><dd>${orDash(person.company)}</dd></div>
        <div><dt>${t('trail.statedCountry')}</dt><dd>${orDash(person.country)}</dd></div>
        <div class="fact-ip-country">
          <dt>${t('trail.ipCountry')}</dt>
          <dd>
            ${ipCountries.length > 0 ? ipCountries.join(', ') : t('common.none')}
            ${countryDiffers && html` <span class="mismatch">(${t('trail.countryMismatch')})</span>`}
          </dd>
        </div>
        <div class="fact-organisation"><dt>${t('trail.organisation')}</dt><dd>${organisations.length > 0 ? organisations.join(', ') : t('common.none')}</dd></div>
        <div class="fact-local-time"><dt>${t('trail.localTime')}</dt><dd>${timeZone ? html`<${LocalTime} zone=${timeZone} />` : t('common.none')}</dd></div>
        <div class="fact-time-on-site">
          <dt>${t('trail.timeOnSite')}</dt>
          <dd>
            ${sessions.length === 1
              ? t('trail.timeOnSiteOne', { duration: formatDuration(timeOnSite) })
              : t('trail.timeOnSiteValue', { duration: formatDuration(timeOnSite), visits: sessions.length })}
          </dd>
        </div>
        <div><dt>${t('column.firstSeen')}</dt><dd><${DateTime} value=${person.first_seen} /></dd></div>
        <div><dt>${t('column.lastSeen')}</dt><dd><${DateTime} value=${person.last_seen} /></dd></div>
      </dl>
      ${person.message && html`<div><h2 class="label">${t('trail.message')}</h2><p class="message">${person.message}</p></div>`}
    </header>

    <section class="card">
      <h2>${t('trail.attribution')}</h2>
      <dl class="facts">
        <div><dt>${t('trail.firstTouch')}</dt><dd><${TouchLine} touch=${person.first_touch} /></dd></div>
        <div><dt>${t('trail.lastTouch')}</dt><dd><${TouchLine} touch=${person.last_touch} /></dd></div>
        ${clickIds.length > 0 &&
        html`<div><dt>${t('trail.clickIds')}</dt><dd><${FieldList} values=${Object.fromEntries(clickIds)} /></dd></div>`}
      </dl>
    </section>

    <section class="card">
      <h2>${t('trail.devices')}</h2>
      ${devices.length === 0
        ? html`<p class="muted">${t('trail.noDevices')}</p>`
        : html`<ul class="devices">
            ${devices.map(
              (device) => html`<li key=${device.id}>
                <strong>${deviceLabel(device)}</strong>
                ${device.country && html` · ${device.country}`}
                <span class="muted"> · <${DateTime} value=${device.first_seen} /> – <${DateTime} value=${device.last_seen} /></span>
              </li>`,
            )}
          </ul>`}
    </section>

    <section>
      <h2>${t('trail.timeline')}</h2>
      ${sessions.length === 0
        ? html`<p class="muted">${t('trail.noSessions')}</p>`
        : html`<ol class="timeline">
            ${sessions.map(
              (session, index) => html`<${SessionItem} key=${session.id} session=${session} number=${index + 1} devices=${devices} />`,
            )}
          </ol>`}
    </section>
  </article>`;
}

/**
 * Now on the buyer's clock, from their browser's IANA zone: when a call or WhatsApp message will
 * reach them awake. An unknown zone (a browser may send anything) shows the zone name alone.
 */
function LocalTime({ zone }: { zone: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), LOCAL_TIME_TICK_MILLISECONDS);
    return () => window.clearInterval(timer);
  }, []);
  let time: string;
  try {
    time = new Intl.DateTimeFormat(currentLanguage(), { timeZone: zone, weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(now);
  } catch {
    return html`<span>${zone}</span>`;
  }
  return html`<span class="local-time">${t('trail.localTimeZone', { time, zone })}</span>`;
}

function TouchLine({ touch }: { touch: Touch | null }) {
  if (!touch) return html`<span class="muted">${t('trail.noTouch')}</span>`;
  return html`<span>
    <strong>${channelLabel(touch.channel)}</strong>
    ${sourceLine(touch) && html` · ${sourceLine(touch)}`}
    ${touch.at && html` <span class="muted">· <${DateTime} value=${touch.at} /></span>`}
  </span>`;
}

/** "google / cpc · spring-fair": source and medium as GA shows them, then the campaign. */
function sourceLine(origin: { source: string | null; medium: string | null; campaign: string | null }): string {
  const sourceMedium = [origin.source, origin.medium].filter(Boolean).join(' / ');
  return [sourceMedium, origin.campaign].filter(Boolean).join(' · ');
}

function deviceLabel(device: Device | undefined): string {
  if (!device || (!device.browser && !device.os)) return device?.device ?? t('trail.unknownDevice');
  const line = t('trail.deviceLine', { browser: device.browser ?? '?', os: device.os ?? '?' });
  return device.device ? `${line} (${device.device})` : line;
}

function SessionItem({ session, number, devices }: { session: TrailSession; number: number; devices: Device[] }) {
  const device = devices.find((candidate) => String(candidate.id) === String(session.device));
  const origin = sourceLine(session);
  return html`<li class="session">
    <header class="session-header">
      <h3>${t('trail.session', { number })} · <${DateTime} value=${session.started_at} /></h3>
      <dl class="facts facts-compact">
        <div><dt>${t('column.channel')}</dt><dd>${channelLabel(session.channel)}${origin && ` · ${origin}`}</dd></div>
        <div><dt>${t('trail.duration')}</dt><dd>${formatDuration(secondsBetween(session.started_at, session.ended_at))}</dd></div>
        <div><dt>${t('trail.device')}</dt><dd>${deviceLabel(device)}</dd></div>
        <div><dt>${t('trail.landingPage')}</dt><dd><${ExternalLink} url=${session.landing_page} /></dd></div>
        ${session.referrer &&
        html`<div><dt>${t('trail.referrer')}</dt><dd><${ExternalLink} url=${session.referrer} /></dd></div>`}
      </dl>
    </header>
    <ol class="events">
      ${session.events.map((event) => html`<${EventItem} key=${event.id} event=${event} />`)}
    </ol>
  </li>`;
}

function eventLabel(type: string): string {
  const key = `event.${type}`;
  return hasMessage(key) ? t(key) : type;
}

function EventItem({ event }: { event: TrailEvent }) {
  return html`<li class=${`event event-${event.type}`}>
    <span class="event-time"><${DateTime} value=${event.ts} timeOnly=${true} /></span>
    <div class="event-body">
      <span class="event-type">${eventLabel(event.type)}</span>
      <${EventDetails} event=${event} />
    </div>
  </li>`;
}

function EventDetails({ event }: { event: TrailEvent }) {
  switch (event.type) {
    case 'pageview':
      return html`<div>
        <div class="event-title">${event.title || t('event.untitled')}</div>
        <${ExternalLink} url=${event.url} />
      </div>`;
    case 'engagement': {
      const parts = [t('event.activeTime', { duration: formatDuration(event.seconds ?? 0) })];
      if (typeof event.scroll === 'number') parts.push(t('event.scrolled', { percent: Math.round(event.scroll) }));
      return html`<div>${parts.join(', ')} · <${ExternalLink} url=${event.url} /></div>`;
    }
    case 'form_start':
      return html`<div>${event.form && t('event.form', { form: event.form })} <${ExternalLink} url=${event.url} /></div>`;
    case 'form_submit':
      return html`<div>
        <div>
          ${[
            event.form ? t('event.form', { form: event.form }) : '',
            event.provider ? t('event.provider', { provider: event.provider }) : '',
            event.outcome ? t('event.outcome', { outcome: event.outcome }) : '',
          ]
            .filter(Boolean)
            .join(' · ')}
        </div>
        <${FieldList} values=${event.fields ?? {}} />
        <${ExternalLink} url=${event.url} />
      </div>`;
    case 'chat_open':
      return html`<div>
        <strong>${orDash(event.provider)}</strong>${event.target && html` · <span class="chat-target">${event.target}</span>`}
        <div><${ExternalLink} url=${event.url} /></div>
      </div>`;
    case 'track':
      return html`<div>
        <strong>${orDash(event.name)}</strong>
        <${FieldList} values=${event.props ?? {}} />
      </div>`;
    case 'identify':
      return html`<${FieldList} values=${event.traits ?? {}} />`;
  }
}

/** A form fill, traits or event props as a small definition list; known field names are translated. */
function FieldList({ values }: { values: FlatProps }) {
  const entries = Object.entries(values).filter(([, value]) => value !== null && value !== '');
  if (entries.length === 0) return null;
  return html`<dl class="fields">
    ${entries.map(([name, value]) => {
      const key = `field.${name}`;
      return html`<div key=${name}><dt>${hasMessage(key) ? t(key) : name}</dt><dd>${String(value)}</dd></div>`;
    })}
  </dl>`;
}
