/**
 * Listening: saved queries with their editor, each query's stream of matches and its volume chart,
 * spike alerts with the workspace-wide settings, and the testimonials library. Matched text comes
 * from the networks and is rendered as text only.
 */
import type { InferResponseType } from 'hono/client';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { NetworkAuthor, NetworkLink, NetworkText } from '../components/inbox-network-text';
import { AlertSettingsFields, ListeningQueryEditor, defaultAlertSettings, type AlertSettings, type ListeningQuery } from '../components/listening-query-editor';
import { ListeningVolumeChart } from '../components/listening-volume-chart';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime, formatNumber } from '../i18n/format';

type ListeningApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['listening'];
type TestimonialsApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['testimonials'];
/** One match of a query's stream. */
export type ListeningMatch = InferResponseType<ListeningApi['queries'][':queryId']['matches']['$get'], 200>['items'][number];
/** One spike alert. */
export type ListeningAlert = InferResponseType<ListeningApi['alerts']['$get'], 200>['items'][number];
/** One testimonial. */
export type Testimonial = InferResponseType<TestimonialsApi['$get'], 200>['items'][number];
type Permission = Testimonial['permission'];
type Sentiment = 'negative' | 'neutral' | 'positive';

const permissions = ['not_requested', 'requested', 'granted', 'denied'] as const satisfies readonly Permission[];
const sentiments = ['negative', 'neutral', 'positive'] as const satisfies readonly Sentiment[];
const managerRoles = new Set(['owner', 'admin', 'editor']);

function SentimentBadge({ label, score }: { label: string; score: number }) {
  const { t, i18n } = useTranslation();
  const known = (sentiments as readonly string[]).includes(label) ? label : 'neutral';
  return (
    <span className={`badge sentiment-${known}`} title={formatNumber(score, i18n.language)}>
      {t(`listening.sentiment.${known}`)}
    </span>
  );
}

function MatchItem({ workspaceId, m, canManage }: { workspaceId: string; m: ListeningMatch; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [kept, setKept] = useState<'idle' | 'saving' | 'kept' | { error: string }>('idle');
  const keep = async () => {
    // Only inbox messages can become testimonials; posts found by network search have no message id.
    if (kept === 'saving' || m.messageId === null) return;
    setKept('saving');
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId'].testimonials.$post({ param: { workspaceId }, json: { messageId: m.messageId, allowNonPositive: m.sentiment.label !== 'positive' } }));
      setKept('kept');
    } catch (e) {
      setKept({ error: errorMessage(e, t) });
    }
  };
  return (
    <li className="listening-match">
      <div className="inbox-item-head">
        <NetworkAuthor author={m.author} />
        <SentimentBadge label={m.sentiment.label} score={m.sentiment.score} />
      </div>
      {m.deletedAt ? <p className="muted">{t('inbox.deletedOnNetwork')}</p> : null}
      <NetworkText text={m.text} />
      <p className="inbox-item-meta muted">
        {m.network} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, i18n.language)}</time>
        {m.lang ? ` · ${m.lang}` : ''} · <NetworkLink href={m.url}>{t('inbox.openOnNetwork')}</NetworkLink>
      </p>
      {canManage && m.messageId !== null && (
        <div className="form-actions">
          {kept === 'kept' ? (
            <span role="status">{t('listening.testimonials.kept')}</span>
          ) : (
            <button type="button" className="button button-quiet" disabled={kept === 'saving'} onClick={() => void keep()}>
              {t('listening.testimonials.keep')}
            </button>
          )}
          {typeof kept === 'object' && <span className="field-error">{kept.error}</span>}
        </div>
      )}
    </li>
  );
}

function QueryStream({ workspace, query, canManage }: { workspace: Workspace; query: ListeningQuery; canManage: boolean }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const q = client.api.v1.workspaces[':workspaceId'].listening.queries[':queryId'];
  const param = { workspaceId: workspace.id, queryId: query.id };
  const [sentiment, setSentiment] = useState<'' | Sentiment>('');
  const [bucket, setBucket] = useState<'hour' | 'day'>('hour');
  const [bySentiment, setBySentiment] = useState(true);
  const [items, setItems] = useState<ListeningMatch[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const matches = useLoad(
    () => unwrap(q.matches.$get({ param, query: { limit: '30', ...(sentiment ? { sentiment } : {}) } })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, workspace.id, query.id, query.updatedAt, sentiment],
  );
  const volume = useLoad(
    () => unwrap(q.volume.$get({ param, query: { bucket, bySentiment: bySentiment ? 'true' : 'false' } })),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [client, workspace.id, query.id, query.updatedAt, bucket, bySentiment],
  );
  useEffect(() => {
    if (!matches.data) return;
    setItems(matches.data.items);
    setCursor(matches.data.nextCursor);
  }, [matches.data]);
  const loadMore = async () => {
    if (!cursor) return;
    const next = await unwrap(q.matches.$get({ param, query: { limit: '30', cursor, ...(sentiment ? { sentiment } : {}) } }));
    setItems((all) => [...all, ...next.items]);
    setCursor(next.nextCursor);
  };

  return (
    <section className="listening-stream" aria-label={t('listening.stream.title', { name: query.name })}>
      <div className="listening-volume">
        <div className="posts-filters">
          <label className="field-inline">
            <span className="field-label">{t('listening.volume.bucket')}</span>
            <select value={bucket} onChange={(e) => setBucket(e.target.value as 'hour' | 'day')}>
              <option value="hour">{t('listening.volume.hourly')}</option>
              <option value="day">{t('listening.volume.daily')}</option>
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={bySentiment} onChange={(e) => setBySentiment(e.target.checked)} />
            {t('listening.volume.bySentiment')}
          </label>
        </div>
        {volume.loading && !volume.data ? (
          <Loading />
        ) : volume.error ? (
          <ErrorState error={volume.error} onRetry={volume.reload} />
        ) : volume.data ? (
          <ListeningVolumeChart buckets={volume.data.buckets} bucket={volume.data.bucket} label={t('listening.volume.title', { count: volume.data.total, zone: volume.data.zone })} />
        ) : null}
      </div>
      <h3>{t('listening.stream.heading')}</h3>
      <label className="field-inline">
        <span className="field-label">{t('listening.stream.sentiment')}</span>
        <select value={sentiment} onChange={(e) => setSentiment(e.target.value as '' | Sentiment)}>
          <option value="">{t('inbox.filter.any')}</option>
          {sentiments.map((s) => (
            <option key={s} value={s}>
              {t(`listening.sentiment.${s}`)}
            </option>
          ))}
        </select>
      </label>
      {matches.loading && items.length === 0 ? (
        <Loading />
      ) : matches.error ? (
        <ErrorState error={matches.error} onRetry={matches.reload} />
      ) : items.length === 0 ? (
        <EmptyState>{t('listening.stream.empty')}</EmptyState>
      ) : (
        <>
          <ul className="plain-list listening-matches" aria-label={t('listening.stream.matches')}>
            {items.map((m) => (
              <MatchItem key={m.id} workspaceId={workspace.id} m={m} canManage={canManage} />
            ))}
          </ul>
          {cursor && (
            <button type="button" className="button" onClick={() => void loadMore()}>
              {t('inbox.loadMore')}
            </button>
          )}
        </>
      )}
    </section>
  );
}

function QueriesTab({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const lst = client.api.v1.workspaces[':workspaceId'].listening;
  const queries = useLoad(() => unwrap(lst.queries.$get({ param: { workspaceId: workspace.id }, query: { limit: '100' } })), [client, workspace.id]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [editing, setEditing] = useState<'new' | 'current' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const list = queries.data?.items ?? [];
  const selected = list.find((q) => q.id === selectedId) ?? list[0] ?? null;

  const remove = async (q: ListeningQuery) => {
    if (!window.confirm(t('listening.queries.removeConfirm', { name: q.name }))) return;
    try {
      await unwrap(lst.queries[':queryId'].$delete({ param: { workspaceId: workspace.id, queryId: q.id } }));
      setSelectedId(null);
      queries.reload();
    } catch (e) {
      setActionError(errorMessage(e, t));
    }
  };
  const toggle = async (q: ListeningQuery) => {
    try {
      await unwrap(lst.queries[':queryId'].$patch({ param: { workspaceId: workspace.id, queryId: q.id }, json: { active: !q.active } }));
      queries.reload();
    } catch (e) {
      setActionError(errorMessage(e, t));
    }
  };

  if (queries.loading && !queries.data) return <Loading />;
  if (queries.error) return <ErrorState error={queries.error} onRetry={queries.reload} />;
  return (
    <div className="listening-layout">
      <nav className="listening-queries" aria-label={t('listening.queries.title')}>
        {canManage && (
          <button type="button" className="button button-primary" onClick={() => setEditing('new')}>
            {t('listening.queries.new')}
          </button>
        )}
        {list.length === 0 ? (
          <p className="muted">{t('listening.queries.empty')}</p>
        ) : (
          <ul className="plain-list">
            {list.map((q) => (
              <li key={q.id}>
                <button
                  type="button"
                  className="inbox-item-button"
                  aria-pressed={selected?.id === q.id}
                  onClick={() => {
                    setSelectedId(q.id);
                    setEditing(null);
                  }}
                >
                  <span className="inbox-author-name">{q.name}</span>
                  <code className="muted">{q.normalized}</code>
                  {!q.active && <span className="badge">{t('listening.queries.paused')}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
      </nav>
      <div className="listening-detail">
        {actionError && (
          <p className="form-error" role="alert">
            {actionError}
          </p>
        )}
        {editing === 'new' ? (
          <ListeningQueryEditor
            workspaceId={workspace.id}
            query={null}
            canManage={canManage}
            onSaved={(q) => {
              setSelectedId(q.id);
              setEditing(null);
              queries.reload();
            }}
            onCancel={() => setEditing(null)}
          />
        ) : selected ? (
          <>
            <div className="screen-header">
              <h2>{selected.name}</h2>
              {canManage && (
                <div className="form-actions">
                  <button type="button" className="button" onClick={() => setEditing(editing === 'current' ? null : 'current')}>
                    {t('listening.queries.edit')}
                  </button>
                  <button type="button" className="button" onClick={() => void toggle(selected)}>
                    {selected.active ? t('listening.queries.pause') : t('listening.queries.resume')}
                  </button>
                  <button type="button" className="button button-danger" onClick={() => void remove(selected)}>
                    {t('listening.queries.remove')}
                  </button>
                </div>
              )}
            </div>
            {editing === 'current' && (
              <ListeningQueryEditor
                key={selected.id}
                workspaceId={workspace.id}
                query={selected}
                canManage={canManage}
                onSaved={() => {
                  setEditing(null);
                  queries.reload();
                }}
                onCancel={() => setEditing(null)}
              />
            )}
            <QueryStream key={selected.id} workspace={workspace} query={selected} canManage={canManage} />
          </>
        ) : (
          <EmptyState>{t('listening.queries.start')}</EmptyState>
        )}
      </div>
    </div>
  );
}

function AlertsTab({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const lst = client.api.v1.workspaces[':workspaceId'].listening;
  const param = { workspaceId: workspace.id };
  const settings = useLoad(() => unwrap(lst.settings.$get({ param })), [client, workspace.id]);
  const alerts = useLoad(() => unwrap(lst.alerts.$get({ param, query: { limit: '50' } })), [client, workspace.id]);
  const queries = useLoad(() => unwrap(lst.queries.$get({ param, query: { limit: '100' } })), [client, workspace.id]);
  const [draft, setDraft] = useState<AlertSettings | null>(null);
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');
  const value = draft ?? settings.data?.alerts ?? defaultAlertSettings;
  const queryName = (id: string | null) => (id ? (queries.data?.items.find((q) => q.id === id)?.name ?? id) : t('listening.alerts.workspaceScope'));

  const save = async () => {
    setState('saving');
    try {
      const saved = await unwrap(lst.settings.$patch({ param, json: { alerts: value } }));
      setDraft(saved.alerts);
      setState('saved');
    } catch (e) {
      setState({ error: errorMessage(e, t) });
    }
  };

  return (
    <div className="listening-alerts">
      <section className="card" aria-label={t('listening.alerts.workspaceTitle')}>
        <h2>{t('listening.alerts.workspaceTitle')}</h2>
        {settings.loading && !settings.data ? (
          <Loading />
        ) : settings.error ? (
          <ErrorState error={settings.error} onRetry={settings.reload} />
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <fieldset disabled={!canManage} className="plain-fieldset">
              <AlertSettingsFields value={value} onChange={(v) => (setDraft(v), setState('idle'))} idPrefix="workspace-alerts" />
            </fieldset>
            {typeof state === 'object' && (
              <p className="form-error" role="alert">
                {state.error}
              </p>
            )}
            {state === 'saved' && <p role="status">{t('listening.alerts.saved')}</p>}
            {canManage && (
              <button type="submit" className="button button-primary" disabled={state === 'saving'}>
                {state === 'saving' ? t('common.saving') : t('common.save')}
              </button>
            )}
          </form>
        )}
      </section>
      <section aria-label={t('listening.alerts.recent')}>
        <h2>{t('listening.alerts.recent')}</h2>
        {alerts.loading && !alerts.data ? (
          <Loading />
        ) : alerts.error ? (
          <ErrorState error={alerts.error} onRetry={alerts.reload} />
        ) : (alerts.data?.items.length ?? 0) === 0 ? (
          <EmptyState>{t('listening.alerts.none')}</EmptyState>
        ) : (
          <ul className="plain-list listening-alert-list">
            {alerts.data!.items.map((a) => (
              <li key={a.id} className="card">
                <strong>{queryName(a.queryId)}</strong> · <time dateTime={a.createdAt}>{formatDateTime(a.createdAt, i18n.language)}</time>
                <p>
                  {t('listening.alerts.summary', {
                    count: a.windowCount,
                    mean: formatNumber(Math.round(a.baselineMean * 10) / 10, i18n.language),
                    threshold: formatNumber(Math.round(a.threshold * 10) / 10, i18n.language),
                    k: a.k,
                  })}
                </p>
                <p className="muted">{a.reason}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}

function TestimonialsTab({ workspace, canManage }: { workspace: Workspace; canManage: boolean }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const tm = client.api.v1.workspaces[':workspaceId'].testimonials;
  const [permission, setPermission] = useState<'' | Permission>('');
  const list = useLoad(() => unwrap(tm.$get({ param: { workspaceId: workspace.id }, query: { limit: '100', ...(permission ? { permission } : {}) } })), [client, workspace.id, permission]);
  const [error, setError] = useState<string | null>(null);

  const change = async (x: Testimonial, json: { permission?: Permission; note?: string | null }) => {
    try {
      await unwrap(tm[':testimonialId'].$patch({ param: { workspaceId: workspace.id, testimonialId: x.id }, json }));
      list.reload();
    } catch (e) {
      setError(errorMessage(e, t));
    }
  };
  const remove = async (x: Testimonial) => {
    if (!window.confirm(t('listening.testimonials.removeConfirm'))) return;
    try {
      await unwrap(tm[':testimonialId'].$delete({ param: { workspaceId: workspace.id, testimonialId: x.id } }));
      list.reload();
    } catch (e) {
      setError(errorMessage(e, t));
    }
  };

  return (
    <section aria-label={t('listening.testimonials.title')}>
      <label className="field-inline">
        <span className="field-label">{t('listening.testimonials.permission')}</span>
        <select value={permission} onChange={(e) => setPermission(e.target.value as '' | Permission)}>
          <option value="">{t('inbox.filter.any')}</option>
          {permissions.map((p) => (
            <option key={p} value={p}>
              {t(`listening.permission.${p}`)}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {list.loading && !list.data ? (
        <Loading />
      ) : list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} />
      ) : (list.data?.items.length ?? 0) === 0 ? (
        <EmptyState>{t('listening.testimonials.empty')}</EmptyState>
      ) : (
        <ul className="plain-list listening-testimonials" aria-label={t('listening.testimonials.title')}>
          {list.data!.items.map((x) => (
            <li key={x.id} className="card">
              <blockquote>
                <NetworkText text={x.text} />
              </blockquote>
              <p className="inbox-item-meta muted">
                <NetworkAuthor author={x.author} /> · {x.network} · <time dateTime={x.writtenAt}>{formatDateTime(x.writtenAt, i18n.language)}</time> ·{' '}
                <NetworkLink href={x.url}>{t('inbox.openOnNetwork')}</NetworkLink>
              </p>
              <div className="posts-filters">
                <label className="field-inline">
                  <span className="field-label">{t('listening.testimonials.permission')}</span>
                  <select value={x.permission} disabled={!canManage} onChange={(e) => void change(x, { permission: e.target.value as Permission })}>
                    {permissions.map((p) => (
                      <option key={p} value={p}>
                        {t(`listening.permission.${p}`)}
                      </option>
                    ))}
                  </select>
                </label>
                {x.note ? <p className="field-help">{x.note}</p> : null}
                {canManage && (
                  <button type="button" className="button button-quiet" onClick={() => void remove(x)}>
                    {t('listening.testimonials.remove')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const tabs = ['queries', 'alerts', 'testimonials'] as const;
type Tab = (typeof tabs)[number];

/** The listening screen of a workspace. */
export function ListeningScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('queries');
  const canManage = managerRoles.has(workspace.role);
  return (
    <div className="listening">
      <div className="screen-header">
        <h1>{t('listening.title')}</h1>
      </div>
      <div role="tablist" aria-label={t('listening.sections')} className="listening-tabs">
        {tabs.map((x) => (
          <button key={x} type="button" role="tab" id={`listening-tab-${x}`} aria-selected={tab === x} aria-controls={`listening-panel-${x}`} className="button button-quiet" onClick={() => setTab(x)}>
            {t(`listening.tab.${x}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`listening-panel-${tab}`} aria-labelledby={`listening-tab-${tab}`}>
        {tab === 'queries' ? <QueriesTab workspace={workspace} canManage={canManage} /> : tab === 'alerts' ? <AlertsTab workspace={workspace} canManage={canManage} /> : <TestimonialsTab workspace={workspace} canManage={canManage} />}
      </div>
    </div>
  );
}
