/**
 * The inbox: comments, replies, mentions, quotes and direct messages of every connected account in
 * one list, newest first, searched and filtered (network, account, type, status, sentiment, assignee,
 * tag, language, dates, late first response), paged by cursor; bulk changes of work state on the
 * ticked messages; the team's response figures; and the conversation of the chosen message
 * (components/inbox-conversation.tsx). Everything that comes from a network is rendered as text
 * (components/inbox-network-text.tsx).
 */
import type { InferRequestType } from 'hono/client';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { InboxConversation, SentimentBadge, inboxAbilities, inboxStatuses, type InboxChange, type InboxMember, type InboxMessage, type InboxStatus } from '../components/inbox-conversation';
import { NetworkAuthor } from '../components/inbox-network-text';
import { InboxAutomation } from '../components/inbox-rules';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime, formatNumber } from '../i18n/format';

type InboxApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['inbox-messages'];
/** The list's query string, as the typed client knows it. */
export type InboxQuery = NonNullable<InferRequestType<InboxApi['$get']>['query']>;
/** One kind of message. */
export type InboxKind = NonNullable<InboxQuery['kind']>;
export type { InboxMessage };
type Sentiment = 'negative' | 'neutral' | 'positive';

// Listed here (the use case module is server code); the compiler checks that they are the API's.
const inboxKinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const satisfies readonly InboxKind[];
type MissingKind = Exclude<InboxKind, (typeof inboxKinds)[number]>;
const everyKindListed: [MissingKind] extends [never] ? true : false = true;
void everyKindListed;
const sentiments = ['negative', 'neutral', 'positive'] as const satisfies readonly Sentiment[];

/** The filters a person sets; empty strings mean "any". */
export interface InboxFilters {
  /** Words that must all occur (text, author handle or name). */
  q: string;
  network: string;
  accountId: string;
  kind: '' | InboxKind;
  status: '' | InboxStatus;
  sentiment: '' | Sentiment;
  /** A member id, `me` or `none`. */
  assignee: string;
  tag: string;
  lang: string;
  /** Local calendar dates (YYYY-MM-DD): written on or after the first, on or before the second. */
  since: string;
  until: string;
  breached: boolean;
}

/** No filter set. */
export const noInboxFilters: InboxFilters = { q: '', network: '', accountId: '', kind: '', status: '', sentiment: '', assignee: '', tag: '', lang: '', since: '', until: '', breached: false };

/** Page size of the list. */
const PAGE = 30;

function localMidnight(date: string, addDays = 0): string | null {
  const d = new Date(`${date}T00:00:00`);
  if (Number.isNaN(d.getTime())) return null;
  d.setDate(d.getDate() + addDays);
  return d.toISOString();
}

/** The API query for a set of filters (only the ones that are set), plus the page cursor. */
export function inboxQuery(f: InboxFilters, cursor?: string | null): InboxQuery {
  const q: InboxQuery = { limit: String(PAGE) };
  if (f.q.trim()) q.q = f.q.trim();
  if (f.network) q.network = f.network;
  if (f.accountId) q.accountId = f.accountId;
  if (f.kind) q.kind = f.kind;
  if (f.status) q.status = f.status;
  if (f.sentiment) q.sentiment = f.sentiment;
  if (f.assignee) q.assignee = f.assignee;
  if (f.tag.trim()) q.tag = f.tag.trim();
  if (f.lang.trim()) q.lang = f.lang.trim().toLowerCase();
  // Dates are the person's own calendar days: "until" includes its whole day.
  const since = f.since ? localMidnight(f.since) : null;
  if (since) q.since = since;
  const until = f.until ? localMidnight(f.until, 1) : null;
  if (until) q.until = until;
  if (f.breached) q.breached = 'true';
  if (cursor) q.cursor = cursor;
  return q;
}

function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

function MessageSummary({ m, account, assignee }: { m: InboxMessage; account: Account | undefined; assignee: string | null }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <span className="inbox-item-head">
        <NetworkAuthor author={m.author} />
        <span className="inbox-badges">
          <span className={`badge inbox-status-${m.status}`}>{t(`inbox.status.${m.status}`)}</span>
          <SentimentBadge sentiment={m.sentiment} />
          {m.priority === 'high' || m.priority === 'urgent' ? <span className="badge badge-needs">{t(`inbox.priority.${m.priority}`)}</span> : null}
          {m.sla.breached && <span className="badge badge-needs">{t('inbox.slaBreached')}</span>}
          {m.moderation.hiddenAt && <span className="badge">{t('inboxModeration.badge.hidden')}</span>}
          {m.moderation.deletedAt && <span className="badge">{t('inboxModeration.badge.deleted')}</span>}
        </span>
      </span>
      <span className="inbox-item-text">{m.deletedAt ? t('inbox.deleted') : m.text}</span>
      <span className="inbox-item-meta muted">
        {t(`inbox.kind.${m.kind}`)} · {account ? `${account.handle} · ` : ''}
        {m.network} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, i18n.language)}</time>
        {assignee ? ` · ${t('inbox.assignedTo', { name: assignee })}` : ''}
        {m.tags.length ? ` · ${m.tags.map((x) => `#${x}`).join(' ')}` : ''}
      </span>
    </>
  );
}

function Metrics({ workspace }: { workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const metrics = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId']['inbox-metrics'].$get({ param: { workspaceId: workspace.id }, query: {} })), [client, workspace.id]);
  const m = metrics.data;
  if (!m) return null;
  const pct = (x: number | null) => (x === null ? '—' : `${formatNumber(Math.round(x * 100), i18n.language)} %`);
  const mins = (x: number | null) => (x === null ? '—' : t('inbox.metrics.minutes', { count: Math.round(x) }));
  return (
    <dl className="inbox-metrics" aria-label={t('inbox.metrics.title')}>
      <div>
        <dt>{t('inbox.metrics.responseRate')}</dt>
        <dd>{pct(m.responseRate)}</dd>
      </div>
      <div>
        <dt>{t('inbox.metrics.firstResponseMedian')}</dt>
        <dd>{mins(m.firstResponse.medianMinutes)}</dd>
      </div>
      <div>
        <dt>{t('inbox.metrics.firstResponseMean')}</dt>
        <dd>{mins(m.firstResponse.meanMinutes)}</dd>
      </div>
      <div>
        <dt>{t('inbox.metrics.resolutionMedian')}</dt>
        <dd>{mins(m.resolution.medianMinutes)}</dd>
      </div>
      <div>
        <dt>{t('inbox.metrics.breached')}</dt>
        <dd>
          {formatNumber(m.breached, i18n.language)} ({pct(m.breachRate)})
        </dd>
      </div>
    </dl>
  );
}

function BulkBar({ count, members, onApply, onClear }: { count: number; members: InboxMember[]; onApply: (c: InboxChange) => Promise<void>; onClear: () => void }) {
  const { t } = useTranslation();
  const [tag, setTag] = useState('');
  return (
    <div className="inbox-bulk" role="region" aria-label={t('inbox.bulk.title')}>
      <strong>{t('inbox.bulk.selected', { count })}</strong>
      <label className="field-inline">
        <span className="field-label">{t('inbox.bulk.setStatus')}</span>
        <select value="" onChange={(e) => e.target.value && void onApply({ status: e.target.value as InboxStatus })}>
          <option value="">—</option>
          {inboxStatuses.map((s) => (
            <option key={s} value={s}>
              {t(`inbox.status.${s}`)}
            </option>
          ))}
        </select>
      </label>
      <label className="field-inline">
        <span className="field-label">{t('inbox.bulk.assign')}</span>
        <select value="" onChange={(e) => e.target.value && void onApply({ assigneeId: e.target.value === 'none' ? null : e.target.value })}>
          <option value="">—</option>
          <option value="none">{t('inbox.unassigned')}</option>
          {members.map((u) => (
            <option key={u.userId} value={u.userId}>
              {u.name}
            </option>
          ))}
        </select>
      </label>
      <form
        className="inbox-tag-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (tag.trim()) void onApply({ addTags: [tag.trim()] }).then(() => setTag(''));
        }}
      >
        <label className="field-inline">
          <span className="field-label">{t('inbox.bulk.tag')}</span>
          <input value={tag} maxLength={50} onChange={(e) => setTag(e.target.value)} />
        </label>
        <button type="submit" className="button" disabled={!tag.trim()}>
          {t('inbox.addTagButton')}
        </button>
      </form>
      <button type="button" className="button button-quiet" onClick={onClear}>
        {t('inbox.bulk.clear')}
      </button>
    </div>
  );
}

/** The inbox screen of a workspace; `pollMs` is how often it looks for new messages while visible. */
export function InboxScreen({ workspace, pollMs = 60_000 }: { workspace: Workspace; pollMs?: number }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const [filters, setFilters] = useState<InboxFilters>(noInboxFilters);
  const [search, setSearch] = useState('');
  const q = useDebounced(search, 300);
  const query = { ...filters, q };
  const [items, setItems] = useState<InboxMessage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [ticked, setTicked] = useState<Set<string>>(new Set());
  const [bulkError, setBulkError] = useState<string | null>(null);
  const [fresh, setFresh] = useState(0);
  const can = inboxAbilities(workspace.role);
  const [view, setView] = useState<'messages' | 'automation'>('messages');

  const accounts = useLoad(() => unwrap(ws.accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const membersLoad = useLoad(() => unwrap(ws.members.$get({ param: { workspaceId: workspace.id }, query: { limit: '100' } })), [client, workspace.id]);
  const page = useLoad(() => unwrap(ws['inbox-messages'].$get({ param: { workspaceId: workspace.id }, query: inboxQuery(query) })), [client, workspace.id, JSON.stringify(query)]);

  useEffect(() => {
    if (!page.data) return;
    setItems(page.data.items);
    setCursor(page.data.nextCursor);
    setTicked(new Set());
    setFresh(0);
  }, [page.data]);

  // New messages arrive while someone reads: say how many instead of moving the list under them.
  const shown = useRef(items);
  shown.current = items;
  const queryKey = JSON.stringify(query);
  useEffect(() => {
    const list = client.api.v1.workspaces[':workspaceId']['inbox-messages'];
    const timer = setInterval(() => {
      if (document.visibilityState === 'hidden') return;
      unwrap(list.$get({ param: { workspaceId: workspace.id }, query: inboxQuery(JSON.parse(queryKey) as InboxFilters) })).then(
        (latest) => {
          const known = new Set(shown.current.map((m) => m.id));
          setFresh(latest.items.filter((m) => !known.has(m.id)).length);
        },
        () => undefined,
      );
    }, pollMs);
    return () => clearInterval(timer);
  }, [client, workspace.id, queryKey, pollMs]);

  const accountList: Account[] = accounts.data?.items ?? [];
  const accountById = new Map(accountList.map((a) => [a.id, a]));
  const members: InboxMember[] = (membersLoad.data?.items ?? []).map((m) => ({ userId: m.userId, name: m.name }));
  const memberName = (id: string | null) => (id ? (members.find((m) => m.userId === id)?.name ?? null) : null);
  const networks = [...new Set(accountList.map((a) => a.network))].sort();
  const selected = items.find((m) => m.id === selectedId) ?? null;

  const set = <K extends keyof InboxFilters>(key: K, value: InboxFilters[K]) => setFilters((f) => ({ ...f, [key]: value }));
  const replaceItems = (changed: InboxMessage[]) => setItems((all) => all.map((m) => changed.find((c) => c.id === m.id) ?? m));

  const loadMore = async () => {
    if (!cursor || more.loading) return;
    setMore({ loading: true, error: null });
    try {
      const next = await unwrap(ws['inbox-messages'].$get({ param: { workspaceId: workspace.id }, query: inboxQuery(query, cursor) }));
      setItems((all) => [...all, ...next.items.filter((n) => !all.some((a) => a.id === n.id))]);
      setCursor(next.nextCursor);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };

  const applyBulk = async (change: InboxChange) => {
    setBulkError(null);
    try {
      const r = await unwrap(ws['inbox-messages'].bulk.$post({ param: { workspaceId: workspace.id }, json: { messageIds: [...ticked], change } }));
      replaceItems(r.items);
    } catch (e) {
      setBulkError(errorMessage(e, t));
    }
  };

  const filtered = search.trim() !== '' || Object.entries(filters).some(([k, v]) => k !== 'q' && v !== noInboxFilters[k as keyof InboxFilters]);
  const allTicked = items.length > 0 && items.every((m) => ticked.has(m.id));

  return (
    <div className="inbox">
      <div className="screen-header">
        <h1>{t('inbox.title')}</h1>
      </div>
      <div role="tablist" aria-label={t('inbox.view.label')} className="listening-tabs">
        {(['messages', 'automation'] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={view === v}
            className="button button-quiet"
            onClick={() => {
              // Back to the list: rules may have acted on messages meanwhile.
              if (v === 'messages' && view !== 'messages') page.reload();
              setView(v);
            }}
          >
            {t(`inbox.view.${v}`)}
          </button>
        ))}
      </div>
      {view === 'automation' ? (
        <InboxAutomation workspace={workspace} members={members} />
      ) : (
        <>
      <Metrics workspace={workspace} />
      <form className="posts-filters inbox-filters" aria-label={t('inbox.filters')} onSubmit={(e) => e.preventDefault()}>
        <label className="field-inline inbox-search">
          <span className="field-label">{t('inbox.filter.search')}</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <FilterSelect label={t('inbox.filter.status')} value={filters.status} onChange={(v) => set('status', v as InboxFilters['status'])} choices={inboxStatuses.map((s) => ({ value: s, label: t(`inbox.status.${s}`) }))} />
        <FilterSelect
          label={t('inbox.filter.assignee')}
          value={filters.assignee}
          onChange={(v) => set('assignee', v)}
          choices={[{ value: 'me', label: t('inbox.filter.me') }, { value: 'none', label: t('inbox.unassigned') }, ...members.map((u) => ({ value: u.userId, label: u.name }))]}
        />
        <FilterSelect label={t('inbox.filter.sentiment')} value={filters.sentiment} onChange={(v) => set('sentiment', v as InboxFilters['sentiment'])} choices={sentiments.map((s) => ({ value: s, label: t(`listening.sentiment.${s}`) }))} />
        <FilterSelect label={t('inbox.filter.network')} value={filters.network} onChange={(v) => set('network', v)} choices={networks.map((n) => ({ value: n, label: n }))} />
        <FilterSelect
          label={t('inbox.filter.account')}
          value={filters.accountId}
          onChange={(v) => set('accountId', v)}
          choices={accountList.filter((a) => !filters.network || a.network === filters.network).map((a) => ({ value: a.id, label: `${a.handle} (${a.network})` }))}
        />
        <FilterSelect label={t('inbox.filter.kind')} value={filters.kind} onChange={(v) => set('kind', v as InboxFilters['kind'])} choices={inboxKinds.map((k) => ({ value: k, label: t(`inbox.kind.${k}`) }))} />
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.tag')}</span>
          <input value={filters.tag} onChange={(e) => set('tag', e.target.value)} />
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.lang')}</span>
          <input value={filters.lang} maxLength={8} placeholder="ru" onChange={(e) => set('lang', e.target.value)} />
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.since')}</span>
          <input type="date" value={filters.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.until')}</span>
          <input type="date" value={filters.until} onChange={(e) => set('until', e.target.value)} />
        </label>
        <label className="check">
          <input type="checkbox" checked={filters.breached} onChange={(e) => set('breached', e.target.checked)} />
          {t('inbox.filter.breached')}
        </label>
        <button type="button" className="button" onClick={page.reload}>
          {t('inbox.refresh')}
        </button>
        {filtered && (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => {
              setFilters(noInboxFilters);
              setSearch('');
            }}
          >
            {t('inbox.filter.clear')}
          </button>
        )}
      </form>
      {fresh > 0 && (
        <p className="notice" role="status">
          <button type="button" className="button" onClick={page.reload}>
            {t('inbox.fresh', { count: fresh })}
          </button>
        </p>
      )}
      {can.triage && ticked.size > 0 && <BulkBar count={ticked.size} members={members} onApply={applyBulk} onClear={() => setTicked(new Set())} />}
      {bulkError && (
        <p className="form-error" role="alert">
          {bulkError}
        </p>
      )}
      <div className="inbox-layout">
        <div className="inbox-list-pane">
          {page.loading && items.length === 0 ? (
            <Loading />
          ) : page.error ? (
            <ErrorState error={page.error} onRetry={page.reload} />
          ) : items.length === 0 ? (
            <EmptyState>{filtered ? t('inbox.noMatches') : t('inbox.empty')}</EmptyState>
          ) : (
            <>
              {can.triage && (
                <label className="check">
                  <input type="checkbox" checked={allTicked} onChange={(e) => setTicked(e.target.checked ? new Set(items.map((m) => m.id)) : new Set())} />
                  {t('inbox.bulk.all')}
                </label>
              )}
              <ul className="inbox-list plain-list" aria-label={t('inbox.messages')}>
                {items.map((m) => (
                  <li key={m.id} className={`inbox-item${m.id === selectedId ? ' inbox-item-selected' : ''}${m.deletedAt ? ' inbox-item-deleted' : ''}`}>
                    {can.triage && (
                      <input
                        type="checkbox"
                        className="inbox-tick"
                        aria-label={t('inbox.bulk.tick', { handle: m.author.handle })}
                        checked={ticked.has(m.id)}
                        onChange={(e) =>
                          setTicked((s) => {
                            const next = new Set(s);
                            if (e.target.checked) next.add(m.id);
                            else next.delete(m.id);
                            return next;
                          })
                        }
                      />
                    )}
                    <button type="button" className="inbox-item-button" aria-pressed={m.id === selectedId} onClick={() => setSelectedId(m.id)}>
                      <MessageSummary m={m} account={accountById.get(m.accountId)} assignee={memberName(m.assigneeId)} />
                    </button>
                  </li>
                ))}
              </ul>
              {more.error ? <p className="form-error">{errorMessage(more.error, t)}</p> : null}
              {cursor && (
                <button type="button" className="button" onClick={() => void loadMore()} disabled={more.loading}>
                  {more.loading ? t('common.loading') : t('inbox.loadMore')}
                </button>
              )}
            </>
          )}
        </div>
        <div className="inbox-detail-pane">
          {selected ? (
            <InboxConversation key={selected.id} workspace={workspace} messageId={selected.id} account={accountById.get(selected.accountId)} members={members} onChanged={(m) => replaceItems([m])} />
          ) : (
            <EmptyState>{t('inbox.pick')}</EmptyState>
          )}
        </div>
      </div>
        </>
      )}
    </div>
  );
}

/** One filter drop-down of the inbox: "any" (the empty value) first, then the choices. */
function FilterSelect({ label, value, onChange, choices }: { label: string; value: string; onChange: (value: string) => void; choices: Array<{ value: string; label: string }> }) {
  const { t } = useTranslation();
  return (
    <label className="field-inline">
      <span className="field-label">{label}</span>
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('inbox.filter.any')}</option>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
