/**
 * The inbox: comments, replies, mentions and quotes of every connected account in one list, newest
 * first, filtered by what the API supports (network, account, type, date), paged by cursor; and the
 * conversation of the chosen message: our original post, the message it answers, the message itself,
 * and the reply box. Everything that comes from a network is rendered as text (see
 * components/inbox-network-text.tsx).
 */
import type { InferRequestType, InferResponseType } from 'hono/client';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { InboxReplyBox } from '../components/inbox-reply-box';
import { NetworkAuthor, NetworkLink, NetworkText } from '../components/inbox-network-text';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime } from '../i18n/format';

type InboxApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['inbox-messages'];
/** One inbox message as the API sends it. */
export type InboxMessage = InferResponseType<InboxApi['$get'], 200>['items'][number];
/** The list's query string, as the typed client knows it. */
export type InboxQuery = NonNullable<InferRequestType<InboxApi['$get']>['query']>;
/** One kind of message. */
export type InboxKind = NonNullable<InboxQuery['kind']>;

// Listed here (the use case module is server code); the compiler checks both ways that they are the API's.
const inboxKinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const satisfies readonly InboxKind[];
type MissingKind = Exclude<InboxKind, (typeof inboxKinds)[number]>;
const everyKindListed: MissingKind extends never ? true : false = true;
void everyKindListed;

/** The filters a person sets; empty strings mean "any". */
export interface InboxFilters {
  network: string;
  accountId: string;
  kind: '' | InboxKind;
  /** A local calendar date (YYYY-MM-DD): messages written on or after its start. */
  since: string;
}

/** No filter set. */
export const noInboxFilters: InboxFilters = { network: '', accountId: '', kind: '', since: '' };

/** Page size of the list. */
const PAGE = 30;

/** The API query for a set of filters (only the ones that are set), plus the page cursor. */
export function inboxQuery(f: InboxFilters, cursor?: string | null): InboxQuery {
  const q: InboxQuery = { limit: String(PAGE) };
  if (f.network) q.network = f.network;
  if (f.accountId) q.accountId = f.accountId;
  if (f.kind) q.kind = f.kind;
  if (f.since) {
    // The date is the person's own calendar day: its local midnight, sent as an instant.
    const d = new Date(`${f.since}T00:00:00`);
    if (!Number.isNaN(d.getTime())) q.since = d.toISOString();
  }
  if (cursor) q.cursor = cursor;
  return q;
}

function MessageSummary({ m, account }: { m: InboxMessage; account: Account | undefined }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <span className="inbox-item-head">
        <NetworkAuthor author={m.author} />
        <span className="badge">{t(`inbox.kind.${m.kind}`)}</span>
      </span>
      <span className="inbox-item-text">{m.deletedAt ? t('inbox.deleted') : m.text}</span>
      <span className="inbox-item-meta muted">
        {account ? `${account.handle} · ` : ''}
        {m.network} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, i18n.language)}</time>
      </span>
    </>
  );
}

function Conversation({ workspace, message, all, account }: { workspace: Workspace; message: InboxMessage; all: InboxMessage[]; account: Account | undefined }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const post = useLoad(
    () => (message.postId ? unwrap(ws.posts[':postId'].$get({ param: { workspaceId: workspace.id, postId: message.postId } })) : Promise.resolve(null)),
    [client, workspace.id, message.postId],
  );
  // The thread as far as this page knows it: the chain of parents, then the replies under the message.
  const byExternal = useMemo(() => new Map(all.filter((x) => x.accountId === message.accountId).map((x) => [x.externalId, x])), [all, message.accountId]);
  const parents: InboxMessage[] = [];
  for (let p = message.parentExternalId ? byExternal.get(message.parentExternalId) : undefined; p && parents.length < 20; p = p.parentExternalId ? byExternal.get(p.parentExternalId) : undefined) parents.unshift(p);
  const children = all.filter((x) => x.accountId === message.accountId && x.parentExternalId === message.externalId);
  const target = post.data?.targets.find((x) => x.id === message.targetId) ?? post.data?.targets[0];

  const disabledReason = message.deletedAt ? t('inbox.reply.deletedMessage') : account && account.status !== 'ok' ? t('inbox.reply.needsReconnect', { handle: account.handle }) : null;

  return (
    <section className="inbox-conversation card" aria-label={t('inbox.conversation')}>
      {message.postId && (
        <div className="inbox-original">
          <h3 className="inbox-section-title">{t('inbox.originalPost')}</h3>
          {post.loading && !post.data ? <Loading /> : post.error ? <ErrorState error={post.error} onRetry={post.reload} /> : target ? <NetworkText text={target.text} /> : null}
        </div>
      )}
      <ol className="inbox-thread" aria-label={t('inbox.thread')}>
        {parents.map((p) => (
          <li key={p.id} className="inbox-thread-item">
            <NetworkAuthor author={p.author} />
            <NetworkText text={p.deletedAt ? t('inbox.deleted') : p.text} />
          </li>
        ))}
        <li className="inbox-thread-item inbox-thread-current" aria-current="true">
          <div className="inbox-item-head">
            <NetworkAuthor author={message.author} />
            <span className="badge">{t(`inbox.kind.${message.kind}`)}</span>
          </div>
          {message.deletedAt ? <p className="muted">{t('inbox.deletedOnNetwork')}</p> : null}
          <NetworkText text={message.text} />
          <p className="inbox-item-meta muted">
            <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, i18n.language)}</time>
            {message.editedAt ? ` · ${t('inbox.edited')}` : ''}
            {message.lang ? ` · ${message.lang}` : ''}
            {message.author.followers != null ? ` · ${t('inbox.followers', { count: message.author.followers })}` : ''}
            {' · '}
            <NetworkLink href={message.url}>{t('inbox.openOnNetwork')}</NetworkLink>
          </p>
        </li>
        {children.map((c) => (
          <li key={c.id} className="inbox-thread-item inbox-thread-child">
            <NetworkAuthor author={c.author} />
            <NetworkText text={c.deletedAt ? t('inbox.deleted') : c.text} />
          </li>
        ))}
      </ol>
      <InboxReplyBox key={message.id} workspaceId={workspace.id} messageId={message.id} network={message.network} account={account} disabledReason={disabledReason} />
    </section>
  );
}

/** The inbox screen of a workspace. */
export function InboxScreen({ workspace }: { workspace: Workspace }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const ws = client.api.v1.workspaces[':workspaceId'];
  const [filters, setFilters] = useState<InboxFilters>(noInboxFilters);
  const [items, setItems] = useState<InboxMessage[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [more, setMore] = useState<{ loading: boolean; error: unknown }>({ loading: false, error: null });
  const [selectedId, setSelectedId] = useState<string | null>(null);

  const accounts = useLoad(() => unwrap(ws.accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const page = useLoad(() => unwrap(ws['inbox-messages'].$get({ param: { workspaceId: workspace.id }, query: inboxQuery(filters) })), [client, workspace.id, filters]);

  useEffect(() => {
    if (!page.data) return;
    setItems(page.data.items);
    setCursor(page.data.nextCursor);
  }, [page.data]);

  const accountList: Account[] = accounts.data?.items ?? [];
  const accountById = new Map(accountList.map((a) => [a.id, a]));
  const networks = [...new Set(accountList.map((a) => a.network))].sort();
  const selected = items.find((m) => m.id === selectedId) ?? null;

  const set = <K extends keyof InboxFilters>(key: K, value: InboxFilters[K]) => {
    setFilters((f) => ({ ...f, [key]: value }));
    setSelectedId(null);
  };

  const loadMore = async () => {
    if (!cursor || more.loading) return;
    setMore({ loading: true, error: null });
    try {
      const next = await unwrap(ws['inbox-messages'].$get({ param: { workspaceId: workspace.id }, query: inboxQuery(filters, cursor) }));
      setItems((all) => [...all, ...next.items.filter((n) => !all.some((a) => a.id === n.id))]);
      setCursor(next.nextCursor);
      setMore({ loading: false, error: null });
    } catch (error) {
      setMore({ loading: false, error });
    }
  };

  const filtered = filters.network !== '' || filters.accountId !== '' || filters.kind !== '' || filters.since !== '';

  return (
    <div className="inbox">
      <div className="screen-header">
        <h1>{t('inbox.title')}</h1>
      </div>
      <form className="posts-filters inbox-filters" aria-label={t('inbox.filters')} onSubmit={(e) => e.preventDefault()}>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.network')}</span>
          <select value={filters.network} onChange={(e) => set('network', e.target.value)}>
            <option value="">{t('inbox.filter.any')}</option>
            {networks.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.account')}</span>
          <select value={filters.accountId} onChange={(e) => set('accountId', e.target.value)}>
            <option value="">{t('inbox.filter.any')}</option>
            {accountList
              .filter((a) => !filters.network || a.network === filters.network)
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.handle} ({a.network})
                </option>
              ))}
          </select>
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.kind')}</span>
          <select value={filters.kind} onChange={(e) => set('kind', e.target.value as InboxFilters['kind'])}>
            <option value="">{t('inbox.filter.any')}</option>
            {inboxKinds.map((k) => (
              <option key={k} value={k}>
                {t(`inbox.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.since')}</span>
          <input type="date" value={filters.since} onChange={(e) => set('since', e.target.value)} />
        </label>
        {filtered && (
          <button type="button" className="button button-quiet" onClick={() => setFilters(noInboxFilters)}>
            {t('inbox.filter.clear')}
          </button>
        )}
      </form>
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
              <ul className="inbox-list plain-list" aria-label={t('inbox.messages')}>
                {items.map((m) => (
                  <li key={m.id} className={`inbox-item${m.id === selectedId ? ' inbox-item-selected' : ''}${m.deletedAt ? ' inbox-item-deleted' : ''}`}>
                    <button type="button" className="inbox-item-button" aria-pressed={m.id === selectedId} onClick={() => setSelectedId(m.id)}>
                      <MessageSummary m={m} account={accountById.get(m.accountId)} />
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
            <Conversation workspace={workspace} message={selected} all={items} account={accountById.get(selected.accountId)} />
          ) : (
            <EmptyState>{t('inbox.pick')}</EmptyState>
          )}
        </div>
      </div>
    </div>
  );
}
