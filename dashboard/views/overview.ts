/**
 * The overview of the selected site: the people on it now, totals with the conversion rate, a
 * chart of visitors, sessions and leads per day (uPlot), and the top channels, sources, countries,
 * forms and pages. Days are calendar days in the site's reporting time zone, which the range note
 * names. The per-day figures are also a table, for screen readers and for copying into a report.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { fetchOverview, fetchVisitorsNow, type Overview, type Site } from '../api';
import { currentLanguage, t, type MessageKey } from '../i18n/index';
import { channelLabel, ErrorMessage, ExternalLink, formatNumber, formatPercent, html, Loading, usePolling } from '../ui';

export function OverviewView({ site }: { site: Site }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  /** The range asked for: changes only on submit, so typing a date does not fetch at each key. */
  const [range, setRange] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setError(null);
    fetchOverview(site.key, range).then(
      (loaded) => {
        if (!current) return;
        setOverview(loaded);
        setFrom(loaded.from);
        setTo(loaded.to);
      },
      (failure: unknown) => current && setError(failure),
    );
    return () => {
      current = false;
    };
  }, [site.key, range.from, range.to, attempt]);

  function submit(event: Event) {
    event.preventDefault();
    setRange({ from, to });
  }

  return html`<section class="stack overview">
    <h1>${t('overview.title')} <small class="muted">${site.name}</small></h1>
    <${LiveVisitors} site=${site} />
    <form class="card export" onSubmit=${submit}>
      <div class="export-fields">
        <label>
          ${t('overview.from')}
          <input type="date" required value=${from} max=${to || undefined} onInput=${(event: Event) => setFrom((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <label>
          ${t('overview.to')}
          <input type="date" required value=${to} min=${from || undefined} onInput=${(event: Event) => setTo((event.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit">${t('overview.apply')}</button>
      </div>
      ${overview && html`<p class="muted small">${t('overview.rangeNote', { from: overview.from, to: overview.to, timeZone: overview.time_zone })}</p>`}
    </form>

    ${error !== null && html`<${ErrorMessage} error=${error} onRetry=${() => setAttempt((count) => count + 1)} />`}
    ${overview === null && error === null && html`<${Loading} />`}
    ${overview !== null && html`<${OverviewBody} overview=${overview} />`}
  </section>`;
}

/** A live figure, not a report: often enough to see a visitor arrive, one index read a poll. */
const NOW_POLL_MILLISECONDS = 30_000;

function LiveVisitors({ site }: { site: Site }) {
  const { value: now, error } = usePolling(() => fetchVisitorsNow(site.key), NOW_POLL_MILLISECONDS, site.key);
  // A stale figure would pass for a live one: after a failed poll it is left out until one answers.
  if (now === null || error !== null) return null;
  return html`<p class=${`live-visitors${now.visitors > 0 ? ' live-visitors-active' : ''}`} role="status" aria-live="polite">
    <span class="live-visitors-dot" aria-hidden="true"></span>
    ${t('overview.now', { count: formatNumber(now.visitors), minutes: formatNumber(now.minutes) })}
  </p>`;
}

const TOTALS: Array<{ key: 'visitors' | 'sessions' | 'leads' | 'form_fills' | 'chat_opens'; label: MessageKey }> = [
  { key: 'visitors', label: 'overview.visitors' },
  { key: 'sessions', label: 'overview.sessions' },
  { key: 'leads', label: 'overview.leads' },
  { key: 'form_fills', label: 'overview.formFills' },
  { key: 'chat_opens', label: 'overview.chatOpens' },
];

function OverviewBody({ overview }: { overview: Overview }) {
  const { totals } = overview;
  return html`<div class="stack">
    <dl class="totals">
      ${TOTALS.map(
        (total) => html`<div key=${total.key} class=${`total total-${total.key}`}>
          <dt>${t(total.label)}</dt>
          <dd>${formatNumber(totals[total.key])}</dd>
        </div>`,
      )}
      <div class="total total-conversion_rate">
        <dt title=${t('overview.conversionHint')}>${t('overview.conversion')}</dt>
        <dd>${totals.conversion_rate === null ? t('common.none') : formatPercent(totals.conversion_rate)}</dd>
      </div>
    </dl>

    ${totals.sessions === 0 && html`<p class="empty">${t('overview.empty')}</p>`}

    <section class="card">
      <h2>${t('overview.chart')}</h2>
      <${DailyChart} overview=${overview} />
      <details>
        <summary>${t('overview.daily')}</summary>
        <${DailyTable} overview=${overview} />
      </details>
    </section>

    <div class="overview-tops">
      <section class="card">
        <h2>${t('overview.channels')}</h2>
        <${TopTable}
          headings=${[t('column.channel'), t('overview.sessions'), t('overview.visitors'), t('overview.leads')]}
          rows=${overview.channels.map((row) => [channelLabel(row.channel), row.sessions, row.visitors, row.leads])}
        />
      </section>
      <section class="card">
        <h2>${t('overview.sources')}</h2>
        <${TopTable}
          headings=${[t('overview.source'), t('overview.sessions'), t('overview.visitors'), t('overview.leads')]}
          rows=${overview.sources.map((row) => [row.source ?? t('overview.noSource'), row.sessions, row.visitors, row.leads])}
        />
      </section>
      <section class="card">
        <h2>${t('overview.countries')}</h2>
        <${TopTable}
          headings=${[t('column.country'), t('overview.visitors')]}
          rows=${overview.countries.map((row) => [countryName(row.country), row.visitors])}
        />
      </section>
      <section class="card">
        <h2>${t('overview.forms')}</h2>
        <${TopTable}
          headings=${[t('overview.form'), t('overview.formFills')]}
          rows=${overview.forms.map((row) => [row.form ?? t('overview.unnamedForm'), row.fills])}
        />
      </section>
    </div>

    <section class="card">
      <h2>${t('overview.pages')}</h2>
      <${TopTable}
        headings=${[t('overview.page'), t('column.pageviews'), t('overview.visitors')]}
        rows=${overview.pages.map((row) => [
          html`<div class="event-title">${row.title || ''}</div><${ExternalLink} url=${row.url} />`,
          row.pageviews,
          row.visitors,
        ])}
      />
    </section>
  </div>`;
}

/** Text cells stay text; numbers are formatted and right-aligned. */
function TopTable({ headings, rows }: { headings: string[]; rows: unknown[][] }) {
  if (rows.length === 0) return html`<p class="muted">${t('common.none')}</p>`;
  return html`<div class="table-scroll">
    <table>
      <thead>
        <tr>
          ${headings.map((heading, index) => html`<th scope="col" class=${index > 0 ? 'number' : undefined}>${heading}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (cells) => html`<tr>
            ${cells.map((cell, index) =>
              typeof cell === 'number' ? html`<td class=${index > 0 ? 'number' : undefined}>${formatNumber(cell)}</td>` : html`<td>${cell}</td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function DailyTable({ overview }: { overview: Overview }) {
  return html`<div class="table-scroll">
    <table class="daily-table">
      <thead>
        <tr>
          <th scope="col">${t('overview.date')}</th>
          ${TOTALS.map((total) => html`<th scope="col" class="number">${t(total.label)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${overview.days.map(
          (day) => html`<tr key=${day.date}>
            <th scope="row"><time datetime=${day.date}>${formatDay(day.date, { year: 'numeric', month: 'short', day: 'numeric' })}</time></th>
            ${TOTALS.map((total) => html`<td class="number">${formatNumber(day[total.key])}</td>`)}
          </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/**
 * Overview days are calendar dates in the site's zone; formatted as UTC midnights, no zone (not
 * even the reader's own) can shift them to a neighbouring date.
 */
function formatDay(date: string, options: Intl.DateTimeFormatOptions): string {
  return new Intl.DateTimeFormat(currentLanguage(), { ...options, timeZone: 'UTC' }).format(new Date(`${date}T00:00:00Z`));
}

/** The region's name in the chosen language (DE → Germany, 德国); the code where Intl cannot name it. */
function countryName(code: string | null): string {
  if (!code) return t('overview.unknownCountry');
  try {
    return new Intl.DisplayNames([currentLanguage()], { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

const SERIES: Array<{ key: 'visitors' | 'sessions' | 'leads'; label: MessageKey; stroke: string; fill?: string }> = [
  { key: 'sessions', label: 'overview.sessions', stroke: '#9aa5b8' },
  { key: 'visitors', label: 'overview.visitors', stroke: '#2f6fed', fill: 'rgba(47, 111, 237, 0.08)' },
  { key: 'leads', label: 'overview.leads', stroke: '#1a8f4c' },
];

function DailyChart({ overview }: { overview: Overview }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const days = overview.days;
    const data: uPlot.AlignedData = [
      days.map((day) => Date.parse(`${day.date}T00:00:00Z`) / 1000),
      ...SERIES.map((series) => days.map((day) => day[series.key])),
    ];
    const width = () => Math.max(280, element.clientWidth);
    const chart = new uPlot(
      {
        width: width(),
        height: 260,
        // Days are plain dates placed at UTC midnights: ticks and the legend read them back in UTC.
        tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
        scales: { x: { time: true }, y: { range: (_chart, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { values: (_chart, splits) => splits.map((seconds) => formatDay(isoDate(seconds), { month: 'short', day: 'numeric' })) },
          { values: (_chart, splits) => splits.map((value) => (Number.isInteger(value) ? formatNumber(value) : '')) },
        ],
        series: [
          { label: t('overview.date'), value: (_chart, seconds) => (seconds === null ? '' : formatDay(isoDate(seconds), { year: 'numeric', month: 'short', day: 'numeric' })) },
          ...SERIES.map((series) => ({
            label: t(series.label),
            stroke: series.stroke,
            width: 2,
            ...(series.fill ? { fill: series.fill } : {}),
            value: (_chart: uPlot, value: number | null) => (value === null ? '' : formatNumber(value)),
          })),
        ],
      },
      data,
      element,
    );
    const resize = () => chart.setSize({ width: width(), height: 260 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.destroy();
    };
  }, [overview, currentLanguage()]);

  return html`<div class="chart" ref=${container} role="img" aria-label=${t('overview.chart')}></div>`;
}

/** uPlot's time scale counts seconds; the day is read back in UTC. */
function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
