/**
 * Analytics dashboard for one account and period of a workspace: audience growth with the follower
 * series, engagement by the workspace's default definition (switchable among every shipped one, and
 * settable as the default by admins), reach, responses from the inbox, interaction by content type,
 * the best-time heatmap and every definition side by side. Each number compares with the previous
 * period and has "how is this calculated" with the API's own inputs; values the API does not have are
 * "—". Account and period live in the address (`?account=…&from=…&to=…`), so a view can be shared.
 */
import { useEffect, useId, useMemo, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { AnalyticsCompetitors } from '../components/analytics-competitors';
import { AnalyticsGoals } from '../components/analytics-goals';
import { AnalyticsCampaigns } from '../components/analytics-campaigns';
import { KpiGoal } from '../components/kpi-goal';
import { AnalyticsFollowerChart } from '../components/analytics-follower-chart';
import { AnalyticsHeatmap } from '../components/analytics-heatmap';
import { KpiCard, KpiChange, KpiValueText, MissingValue } from '../components/kpi-card';
import { addDays, changeBetween, changeView, dayInZone, formatCount, formatDay, formatKpiValue, formatMinutes, formatPercent, missingMark, zonedDayStart } from '../components/kpi-format';
import { definitionText } from '../components/kpi-definition-text';
import { KpiHowCalculated } from '../components/kpi-how-calculated';
import type { AccountKpis, InboxMetrics, KpiEntry } from '../components/kpi-types';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import './analytics.css';

const adminRoles = new Set(['owner', 'admin']);
const tabs = ['dashboard', 'competitors'] as const;

/** The screen's two views. */
export type AnalyticsTab = 'dashboard' | 'competitors';

/** What the dashboard asks the API for; empty from/to let the server pick its default period. */
export interface AnalyticsQuery {
  accountId: string;
  from: string;
  to: string;
}

/** The query string of the address → the dashboard's query (unknown keys ignored). */
export function queryFromSearch(search: string): Partial<AnalyticsQuery> & { tab: AnalyticsTab } {
  const p = new URLSearchParams(search);
  const day = (v: string | null) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : undefined);
  return { accountId: p.get('account') ?? undefined, from: day(p.get('from')), to: day(p.get('to')), tab: p.get('tab') === 'competitors' ? 'competitors' : 'dashboard' };
}

/** The query parameters of GET …/analytics/kpis and …/best-times for a dashboard query. */
export function kpiRequestQuery(q: AnalyticsQuery): { accountId: string; from?: string; to?: string } {
  return { accountId: q.accountId, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) };
}

/** The instants bounding a period of workspace days: the inbox and follower series take instants ([from, to)). */
export function periodInstants(period: { from: string; to: string }, zone: string): { from: string; to: string } {
  return { from: zonedDayStart(period.from, zone), to: zonedDayStart(addDays(period.to, 1), zone) };
}

function Section({ title, children, className }: { title: string; children: ReactNode; className?: string }) {
  const id = useId();
  return (
    <section className={`analytics-section ${className ?? ''}`} aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

function byId(kpis: AccountKpis, id: string): KpiEntry | undefined {
  return kpis.kpis.find((k) => k.definition.id === id);
}

/** A card for an inbox figure, with its own "how is this calculated" (the inbox API's inputs). */
function ResponseCard({
  title,
  value,
  previous,
  format,
  unit,
  how,
}: {
  title: string;
  value: number | null;
  previous: number | null | undefined;
  format: (v: number | null | undefined) => string;
  unit: 'percent' | 'followers';
  how: ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const text = format(value);
  return (
    <article className="card kpi-card" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p className="kpi-value">{text === missingMark ? <MissingValue /> : text}</p>
      <p className="kpi-comparison">
        <KpiChange view={changeView(changeBetween(value, previous), unit, i18n.language)} />{' '}
        <span className="muted">{t('analytics.kpi.previousValue', { value: format(previous) })}</span>
      </p>
      <details className="kpi-how">
        <summary>{t('analytics.how.summary')}</summary>
        {how}
      </details>
    </article>
  );
}

function InboxFacts({ m, zone }: { m: InboxMetrics; zone: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const local = (iso: string) => new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso));
  return (
    <dl className="kpi-facts">
      <dt>{t('analytics.how.received')}</dt>
      <dd>{formatCount(m.received, lng)}</dd>
      <dt>{t('analytics.how.responded')}</dt>
      <dd>{formatCount(m.responded, lng)}</dd>
      <dt>{t('analytics.how.answeredCount')}</dt>
      <dd>{formatCount(m.firstResponse.count, lng)}</dd>
      <dt>{t('analytics.how.target')}</dt>
      <dd>{formatMinutes(m.firstResponseTargetMinutes, lng)}</dd>
      <dt>{t('analytics.how.arithmetic')}</dt>
      <dd>{t('analytics.how.source', { from: local(m.period.from), to: local(m.period.to) })}</dd>
    </dl>
  );
}

/** The inputs of the negative share: messages per label in the period. */
function SentimentFacts({ m, zone }: { m: InboxMetrics; zone: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const local = (iso: string) => new Intl.DateTimeFormat(lng, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(new Date(iso));
  const s = m.sentiment;
  return (
    <dl className="kpi-facts">
      <dt>{t('analytics.how.negative')}</dt>
      <dd>{formatCount(s.negative, lng)}</dd>
      <dt>{t('analytics.how.labelled')}</dt>
      <dd>{formatCount(s.negative + s.neutral + s.positive, lng)}</dd>
      <dt>{t('analytics.how.unlabelled')}</dt>
      <dd>{formatCount(s.unlabelled, lng)}</dd>
      <dt>{t('analytics.how.arithmetic')}</dt>
      <dd>{t('analytics.how.source', { from: local(m.period.from), to: local(m.period.to) })}</dd>
    </dl>
  );
}

function ResponseSection({ current, previous, zone }: { current: InboxMetrics; previous: InboxMetrics | undefined; zone: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  // The inbox sends the rate as a fraction; the dashboard shows percentages.
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : v * 100);
  const how = (definition: string) => (
    <>
      <p>{definition}</p>
      <InboxFacts m={current} zone={zone} />
      {previous && (
        <>
          <h4>{t('analytics.how.previousArithmetic')}</h4>
          <InboxFacts m={previous} zone={zone} />
        </>
      )}
    </>
  );
  return (
    <div className="kpi-grid">
      <ResponseCard title={t('analytics.response.rate')} value={pct(current.responseRate)} previous={pct(previous?.responseRate)} format={(v) => formatPercent(v, lng)} unit="percent" how={how(t('analytics.how.responseRate'))} />
      <ResponseCard
        title={t('analytics.response.firstResponseMedian')}
        value={current.firstResponse.medianMinutes}
        previous={previous?.firstResponse.medianMinutes}
        format={(v) => formatMinutes(v, lng)}
        unit="followers"
        how={how(t('analytics.how.firstResponse'))}
      />
      <ResponseCard
        title={t('analytics.response.firstResponseMean')}
        value={current.firstResponse.meanMinutes}
        previous={previous?.firstResponse.meanMinutes}
        format={(v) => formatMinutes(v, lng)}
        unit="followers"
        how={how(t('analytics.how.firstResponse'))}
      />
      <ResponseCard
        title={t('analytics.response.negativeShare')}
        value={pct(current.sentiment.negativeShare)}
        previous={pct(previous?.sentiment.negativeShare)}
        format={(v) => formatPercent(v, lng)}
        unit="percent"
        how={
          <>
            <p>{t('analytics.how.negativeShare')}</p>
            <SentimentFacts m={current} zone={zone} />
            {previous && (
              <>
                <h4>{t('analytics.how.previousArithmetic')}</h4>
                <SentimentFacts m={previous} zone={zone} />
              </>
            )}
          </>
        }
      />
    </div>
  );
}

function Dashboard({ workspace, kpis, onDefaultChanged }: { workspace: Workspace; kpis: AccountKpis; onDefaultChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const zone = kpis.timeZone;
  const query = { accountId: kpis.accountId, from: kpis.period.from, to: kpis.period.to };
  const [chosen, setChosen] = useState<string | null>(null);
  const [saving, setSaving] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');

  const instants = useMemo(() => periodInstants(kpis.period, zone), [kpis.period, zone]);
  const previousInstants = useMemo(() => periodInstants(kpis.previousPeriod, zone), [kpis.previousPeriod, zone]);
  const bestTimes = useLoad(() => unwrap(ws.analytics['best-times'].$get({ param: { workspaceId: workspace.id }, query })), [client, workspace.id, query.accountId, query.from, query.to, kpis.defaultDefinitionId]);
  const followers = useLoad(
    () => unwrap(ws.accounts[':accountId'].metrics.$get({ param: { workspaceId: workspace.id, accountId: kpis.accountId }, query: instants })),
    [client, workspace.id, kpis.accountId, instants.from, instants.to],
  );
  const inbox = useLoad(async () => {
    const [current, previous] = await Promise.all([
      unwrap(ws['inbox-metrics'].$get({ param: { workspaceId: workspace.id }, query: { accountId: kpis.accountId, ...instants } })),
      unwrap(ws['inbox-metrics'].$get({ param: { workspaceId: workspace.id }, query: { accountId: kpis.accountId, ...previousInstants } })),
    ]);
    return { current, previous };
  }, [client, workspace.id, kpis.accountId, instants.from, instants.to, previousInstants.from, previousInstants.to]);

  const ratios = kpis.kpis.filter((k) => k.definition.formula === 'ratio');
  const engagementId = chosen ?? kpis.defaultDefinitionId;
  const engagement = byId(kpis, engagementId) ?? ratios[0];
  const label = (k: KpiEntry | undefined) => (k ? definitionText(k.definition, i18n.language).label : undefined);
  const defaultLabel = label(byId(kpis, kpis.defaultDefinitionId)) ?? kpis.defaultDefinitionId;
  const growth = ['followers.growth.absolute', 'followers.growth.percent', 'followers.growth.weekly-compound'].map((id) => byId(kpis, id)).filter((k): k is KpiEntry => !!k);
  const reachPooled = byId(kpis, 'err.reach.pooled');
  const reach = [reachPooled, byId(kpis, 'err.reach.mean'), byId(kpis, 'tgstat.err')].filter((k): k is KpiEntry => !!k);
  const canSetDefault = adminRoles.has(workspace.role);

  const makeDefault = async () => {
    if (!engagement || saving === 'saving') return;
    setSaving('saving');
    try {
      await unwrap(ws.analytics.settings.$put({ param: { workspaceId: workspace.id }, json: { defaultDefinitionId: engagement.definition.id } }));
      setSaving('saved');
      setChosen(null);
      onDefaultChanged();
    } catch (e) {
      setSaving({ error: errorMessage(e, t) });
    }
  };

  const card = (entry: KpiEntry, title?: string, extra?: ReactNode) => <KpiCard key={entry.definition.id} entry={entry} network={kpis.network} workspaceZone={zone} title={title} extra={extra} />;

  return (
    <>
      <p className="analytics-period">
        {formatDay(kpis.period.from, lng)} – {formatDay(kpis.period.to, lng)} ({zone}) ·{' '}
        <span className="muted">{t('analytics.comparedWith', { from: formatDay(kpis.previousPeriod.from, lng), to: formatDay(kpis.previousPeriod.to, lng) })}</span>
      </p>

      <Section title={t('analytics.sections.growth')}>
        <div className="kpi-grid">{growth.map((g) => card(g))}</div>
        {followers.loading && !followers.data ? (
          <Loading />
        ) : followers.error ? (
          <ErrorState error={followers.error} onRetry={followers.reload} />
        ) : followers.data ? (
          <AnalyticsFollowerChart points={followers.data.series} zone={zone} label={t('analytics.followers.caption', { handle: kpis.handle })} />
        ) : null}
      </Section>

      <Section title={t('analytics.sections.engagement')}>
        <div className="analytics-definition-pick">
          <label className="field">
            <span className="field-label">{t('analytics.engagementDefinition')}</span>
            <select
              value={engagement?.definition.id ?? ''}
              onChange={(e) => {
                setChosen(e.target.value);
                setSaving('idle');
              }}
            >
              {ratios.map((k) => (
                <option key={k.definition.id} value={k.definition.id}>
                  {k.definition.id === kpis.defaultDefinitionId ? t('analytics.workspaceDefault', { label: label(k) }) : label(k)} — {k.definition.vendor}
                </option>
              ))}
            </select>
          </label>
          {canSetDefault && engagement && engagement.definition.id !== kpis.defaultDefinitionId && (
            <button type="button" className="button" disabled={saving === 'saving'} onClick={() => void makeDefault()}>
              {t('analytics.makeDefault')}
            </button>
          )}
          {saving === 'saved' && <span role="status">{t('analytics.defaultSaved')}</span>}
          {typeof saving === 'object' && (
            <span className="field-error" role="alert">
              {saving.error}
            </span>
          )}
        </div>
        <div className="kpi-grid">{engagement && card(engagement, t('analytics.sections.engagement'))}</div>
      </Section>

      <Section title={t('analytics.sections.reach')}>
        <div className="kpi-grid">
          {reach.map((k) =>
            card(
              k,
              undefined,
              k.definition.denominator === 'reach' ? (
                <p className="muted">{t('analytics.kpi.reachCounted', { reach: formatCount(k.inputs.denominator, lng) })}</p>
              ) : k.definition.numerator?.default.required.includes('views') ? (
                <p className="muted">{t('analytics.kpi.viewsCounted', { views: formatCount(k.inputs.numerator, lng) })}</p>
              ) : undefined,
            ),
          )}
        </div>
      </Section>

      <Section title={t('analytics.sections.response')}>
        {inbox.loading && !inbox.data ? (
          <Loading />
        ) : inbox.error || !inbox.data ? (
          <p className="muted">
            {t('analytics.response.unavailable')} {inbox.error ? errorMessage(inbox.error, t) : ''}
          </p>
        ) : (
          <ResponseSection current={inbox.data.current} previous={inbox.data.previous} zone={zone} />
        )}
      </Section>

      <Section title={t('analytics.sections.contentTypes')}>
        {kpis.byContentType.length === 0 ? (
          <p className="muted">{t('analytics.contentTypeTable.empty')}</p>
        ) : (
          <table className="analytics-table">
            <caption>{t('analytics.contentTypeTable.caption', { definition: defaultLabel })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('analytics.contentTypeTable.type')}</th>
                <th scope="col">{t('analytics.contentTypeTable.posts')}</th>
                <th scope="col">{t('analytics.contentTypeTable.value')}</th>
              </tr>
            </thead>
            <tbody>
              {kpis.byContentType.map((c) => {
                const def = byId(kpis, c.definitionId)?.definition;
                return (
                  <tr key={c.contentType} data-content-type={c.contentType}>
                    <th scope="row">{t(`analytics.contentTypes.${c.contentType}`, { defaultValue: c.contentType })}</th>
                    <td>{formatCount(c.posts, lng)}</td>
                    <td>
                      <KpiValueText value={c.value} unit="percent" />
                      {def && <KpiHowCalculated definition={def} network={kpis.network} workspaceZone={zone} inputs={c.inputs} />}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>

      <Section title={t('analytics.sections.bestTimes')}>
        {bestTimes.loading && !bestTimes.data ? (
          <Loading />
        ) : bestTimes.error || !bestTimes.data ? (
          <ErrorState error={bestTimes.error} onRetry={bestTimes.reload} />
        ) : (
          <AnalyticsHeatmap data={bestTimes.data} definitionLabel={label(byId(kpis, bestTimes.data.definitionId)) ?? bestTimes.data.definitionId} />
        )}
      </Section>

      <Section title={t('analytics.sections.allDefinitions')}>
        <table className="analytics-table analytics-all">
          <thead>
            <tr>
              <th scope="col">{t('analytics.table.definition')}</th>
              <th scope="col">{t('analytics.table.vendor')}</th>
              <th scope="col">{t('analytics.kpi.value')}</th>
              <th scope="col">{t('analytics.kpi.previous')}</th>
              <th scope="col">{t('analytics.kpi.change')}</th>
              <th scope="col">{t('goals.title')}</th>
            </tr>
          </thead>
          <tbody>
            {kpis.kpis.map((k) => (
              <tr key={k.definition.id} data-kpi={k.definition.id}>
                <th scope="row">
                  {label(k)}
                  <KpiHowCalculated definition={k.definition} network={kpis.network} workspaceZone={zone} inputs={k.inputs} previous={k.previous.inputs} />
                </th>
                <td>{k.definition.vendor}</td>
                <td>
                  <KpiValueText value={k.value} unit={k.definition.unit} />
                </td>
                <td>{formatKpiValue(k.previous.value, k.definition.unit, lng)}</td>
                <td>
                  <KpiChange view={changeView(k.change, k.definition.unit, lng)} />
                </td>
                <td>
                  <KpiGoal goal={k.goal} unit={k.definition.unit} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>
    </>
  );
}

/** The analytics screen. */
export function AnalyticsScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const initial = useMemo(() => queryFromSearch(typeof window === 'undefined' ? '' : window.location.search), []);
  const [query, setQuery] = useState<AnalyticsQuery>({ accountId: initial.accountId ?? '', from: initial.from ?? '', to: initial.to ?? '' });
  const [draft, setDraft] = useState({ from: query.from, to: query.to });
  const [tab, setTab] = useState<AnalyticsTab>(initial.tab);
  const accounts = useLoad(() => unwrap(ws.accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const items = accounts.data?.items ?? [];
  const accountId = items.some((a) => a.id === query.accountId) ? query.accountId : (items[0]?.id ?? '');

  const kpis = useLoad(
    () => (accountId ? unwrap(ws.analytics.kpis.$get({ param: { workspaceId: workspace.id }, query: kpiRequestQuery({ ...query, accountId }) })) : Promise.resolve(null)),
    [client, workspace.id, accountId, query.from, query.to],
  );

  // The server picks the default period; show it in the date fields once known.
  useEffect(() => {
    if (kpis.data) setDraft({ from: kpis.data.period.from, to: kpis.data.period.to });
  }, [kpis.data]);

  // Keep account and period in the address (replaced, so Back leaves the screen).
  useEffect(() => {
    if (!accountId) return;
    const p = new URLSearchParams(window.location.search);
    p.set('account', accountId);
    for (const k of ['from', 'to'] as const) {
      if (query[k]) p.set(k, query[k]);
      else p.delete(k);
    }
    if (tab === 'competitors') p.set('tab', tab);
    else p.delete('tab');
    const next = `${window.location.pathname}?${p.toString()}`;
    if (next !== window.location.pathname + window.location.search) window.history.replaceState(window.history.state, '', next);
  }, [accountId, query, tab]);

  // Arrow keys move between the tabs (the WAI-ARIA tabs pattern); Tab goes on into the panel.
  const tabKeys = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = tabs.indexOf(tab);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next);
    document.getElementById(`analytics-tab-${next}`)?.focus();
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setQuery((q) => ({ ...q, accountId, from: draft.from, to: draft.to }));
  };
  const preset = (days: number) => {
    const to = addDays(dayInZone(Date.now(), workspace.timezone), -1);
    const from = addDays(to, -(days - 1));
    setDraft({ from, to });
    setQuery((q) => ({ ...q, accountId, from, to }));
  };

  return (
    <div className="analytics">
      <header className="screen-header">
        <h1>{t('analytics.title')}</h1>
      </header>
      {accounts.loading && !accounts.data ? (
        <Loading />
      ) : accounts.error ? (
        <ErrorState error={accounts.error} onRetry={accounts.reload} />
      ) : items.length === 0 ? (
        <EmptyState>{t('analytics.noAccounts')}</EmptyState>
      ) : (
        <>
          <form className="analytics-filters card" aria-label={t('analytics.filters')} onSubmit={apply}>
            <label className="field">
              <span className="field-label">{t('analytics.account')}</span>
              <select value={accountId} onChange={(e) => setQuery((q) => ({ ...q, accountId: e.target.value }))}>
                {items.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.displayName ? `${a.displayName} (${a.handle})` : a.handle} · {a.network}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span className="field-label">{t('analytics.from')}</span>
              <input type="date" value={draft.from} max={draft.to || undefined} onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))} />
            </label>
            <label className="field">
              <span className="field-label">{t('analytics.to')}</span>
              <input type="date" value={draft.to} min={draft.from || undefined} onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))} />
            </label>
            <div className="form-actions">
              <button type="submit" className="button button-primary">
                {t('analytics.apply')}
              </button>
            </div>
            <div className="analytics-presets" role="group" aria-label={t('analytics.presets')}>
              <button type="button" className="button button-quiet" onClick={() => preset(7)}>
                {t('analytics.last7')}
              </button>
              <button type="button" className="button button-quiet" onClick={() => preset(30)}>
                {t('analytics.last30')}
              </button>
              <button type="button" className="button button-quiet" onClick={() => preset(90)}>
                {t('analytics.last90')}
              </button>
            </div>
          </form>
          <div className="analytics-tabs" role="tablist" aria-label={t('analytics.tabs.label')} onKeyDown={tabKeys}>
            {tabs.map((k) => (
              <button
                key={k}
                type="button"
                role="tab"
                id={`analytics-tab-${k}`}
                aria-selected={tab === k}
                aria-controls="analytics-panel"
                tabIndex={tab === k ? 0 : -1}
                className={`button ${tab === k ? 'button-primary' : 'button-quiet'}`}
                onClick={() => setTab(k)}
              >
                {t(`analytics.tabs.${k}`)}
              </button>
            ))}
          </div>
          <div id="analytics-panel" role="tabpanel" aria-labelledby={`analytics-tab-${tab}`}>
            {kpis.loading && !kpis.data ? (
              <Loading />
            ) : kpis.error ? (
              <ErrorState error={kpis.error} onRetry={kpis.reload} />
            ) : !kpis.data ? null : tab === 'competitors' ? (
              <AnalyticsCompetitors
                key={kpis.data.defaultDefinitionId}
                workspace={workspace}
                accounts={items}
                period={kpis.data.period}
                definitions={kpis.data.kpis.map((k) => k.definition)}
                defaultDefinitionId={kpis.data.defaultDefinitionId}
              />
            ) : (
              <>
                <Dashboard key={`${kpis.data.accountId}:${kpis.data.period.from}:${kpis.data.period.to}`} workspace={workspace} kpis={kpis.data} onDefaultChanged={kpis.reload} />
                <AnalyticsCampaigns workspace={workspace} period={kpis.data.period} />
                <AnalyticsGoals key={`goals:${kpis.data.accountId}:${kpis.data.period.from}:${kpis.data.period.to}`} workspace={workspace} accountId={kpis.data.accountId} period={kpis.data.period} definitions={kpis.data.kpis.map((k) => k.definition)} onChanged={kpis.reload} />
              </>
            )}
          </div>
        </>
      )}
    </div>
  );
}
