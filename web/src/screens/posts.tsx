/**
 * The Posts list (cursor-paginated, filtered by state and account) and one post's detail with every
 * target: state, scheduled time in the workspace's zone, the network's error in plain words and the
 * link to the published post. Network content is rendered as text.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { targetStates } from '../../../src/db/schema';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime } from '../i18n/format';
import { navigate, workspacePath } from '../router';
import { SEARCH_INPUT_ID, takeSearchFocus } from '../search-shortcut';
import type { Post } from './composer';

/** `value`, once it has stopped changing for `ms` (one request per pause in typing, not per key). */
function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** `/w/<id>/posts/<postId>` or `/w/<id>/posts/<postId>/edit`. */
export interface PostRoute {
  workspaceId: string;
  postId: string;
  edit: boolean;
}

/** Parses a post detail or edit path; null for anything else. */
export function matchPostPath(path: string): PostRoute | null {
  const m = /^\/w\/([^/]+)\/posts\/([^/]+)(\/edit)?\/?$/.exec(path);
  if (!m?.[1] || !m[2]) return null;
  return { workspaceId: decodeURIComponent(m[1]), postId: decodeURIComponent(m[2]), edit: !!m[3] };
}

type Target = Post['targets'][number];

function go(e: React.MouseEvent, path: string) {
  e.preventDefault();
  navigate(path);
}

function TargetRow({ target, account, workspace }: { target: Target; account: Account | undefined; workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  return (
    <li className="post-target">
      <span className="post-target-account">{account?.handle ?? target.network}</span>
      <span className={`badge badge-state-${target.state}`}>{t(`posts.state.${target.state}`)}</span>
      {target.publishedAt ? (
        <span className="muted">{t('posts.publishedAt', { date: formatDateTime(target.publishedAt, i18n.language, workspace.timezone) })}</span>
      ) : target.scheduledAt ? (
        <span className="muted">{t('posts.scheduledAt', { date: formatDateTime(target.scheduledAt, i18n.language, workspace.timezone) })}</span>
      ) : null}
      {target.externalUrl && (
        <a href={target.externalUrl} target="_blank" rel="noopener noreferrer" className="post-target-link">
          {t('posts.viewPublished')}
        </a>
      )}
      {target.error && <p className="post-target-error">{target.error.message}</p>}
    </li>
  );
}

function PostItem({ post, accounts, workspace }: { post: Post; accounts: Account[]; workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  const detail = workspacePath(workspace.id, `posts/${post.id}`);
  const text = post.targets[0]?.text ?? '';
  return (
    <li className="card post-item">
      <div className="post-item-head">
        <a href={detail} onClick={(e) => go(e, detail)} className="post-item-title">
          {text.trim() ? (text.length > 140 ? `${text.slice(0, 140)}…` : text) : t('posts.noText')}
        </a>
        <span className="muted">
          {post.scheduledAt ? t('posts.scheduledAt', { date: formatDateTime(post.scheduledAt, i18n.language, workspace.timezone) }) : t('posts.notScheduled')}
        </span>
      </div>
      <ul className="plain-list post-targets" aria-label={t('posts.targets')}>
        {post.targets.map((tg) => (
          <TargetRow key={tg.id} target={tg} account={accounts.find((a) => a.id === tg.accountId)} workspace={workspace} />
        ))}
      </ul>
    </li>
  );
}

const schedulerRoles = new Set(['owner', 'admin', 'editor']);
const schedulable = new Set(['draft', 'approved', 'failed', 'held']);

/**
 * "Schedule for <requested time>" (or "Publish now" once that time has passed) for people who may
 * schedule, when a target waits in draft, approved, failed or held — e.g. right after approving.
 */
function ScheduleAction({ workspace, post, onDone }: { workspace: Workspace; post: Post; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  if (!schedulerRoles.has(workspace.role) || !post.targets.some((x) => schedulable.has(x.state))) return null;
  const future = post.scheduledAt !== null && Date.parse(post.scheduledAt) > Date.now();
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      // No time: the server uses the post's stored time, or now when that has passed. The route's
      // optional body is left out of the client's types, and a bodiless POST is refused (415).
      const call = client.api.v1.workspaces[':workspaceId'].posts[':postId'].schedule.$post;
      const withBody = call as (args: { param: { workspaceId: string; postId: string }; json: Record<string, never> }) => ReturnType<typeof call>;
      await unwrap(withBody({ param: { workspaceId: workspace.id, postId: post.id }, json: {} }));
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" className="button button-primary" disabled={busy} onClick={() => void run()}>
        {future ? t('posts.scheduleFor', { date: formatDateTime(post.scheduledAt!, i18n.language, workspace.timezone) }) : t('posts.publishNow')}
      </button>
      {error !== null && (
        <p className="field-error" role="alert">
          {errorMessage(error, t)}
        </p>
      )}
    </>
  );
}

/** One post with every target. */
export function PostDetail({ workspace, postId }: { workspace: Workspace; postId: string }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const post = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].posts[':postId'].$get({ param: { workspaceId: workspace.id, postId } })), [client, workspace.id, postId]);
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const list = workspacePath(workspace.id, 'posts');
  const edit = workspacePath(workspace.id, `posts/${postId}/edit`);
  return (
    <div className="screen">
      <header className="screen-header">
        <a href={list} onClick={(e) => go(e, list)}>
          {t('posts.back')}
        </a>
        <h1>{t('posts.detailTitle')}</h1>
      </header>
      {post.loading && !post.data ? (
        <Loading />
      ) : post.error || !post.data ? (
        <ErrorState error={post.error} onRetry={post.reload} />
      ) : (
        <section className="card">
          <p className="muted">
            {post.data.scheduledAt
              ? t('posts.scheduledAt', { date: formatDateTime(post.data.scheduledAt, i18n.language, workspace.timezone) })
              : t('posts.notScheduled')}
          </p>
          <ul className="plain-list post-detail-targets" aria-label={t('posts.targets')}>
            {post.data.targets.map((tg) => {
              const account = accounts.data?.items.find((a) => a.id === tg.accountId);
              return (
                <li key={tg.id} className="post-detail-target">
                  <ul className="plain-list">
                    <TargetRow target={tg} account={account} workspace={workspace} />
                  </ul>
                  <p className="post-preview-text">{tg.text}</p>
                  {tg.link && <p className="post-preview-link">{tg.link}</p>}
                  {tg.media.length > 0 && <p className="muted">{t('posts.images', { count: tg.media.length })}</p>}
                </li>
              );
            })}
          </ul>
          <div className="form-actions">
            <ScheduleAction workspace={workspace} post={post.data} onDone={post.reload} />
            <a className="button" href={edit} onClick={(e) => go(e, edit)}>
              {t('posts.edit')}
            </a>
          </div>
        </section>
      )}
    </div>
  );
}

const pageSize = 20;

/** The Posts screen: list, or one post when `postId` is given. */
export function PostsScreen({ workspace, postId }: { workspace: Workspace; postId?: string }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [state, setState] = useState('');
  const [accountId, setAccountId] = useState('');
  const [search, setSearch] = useState('');
  // After commit, not during render: a render React throws away must not swallow the request.
  useEffect(() => {
    if (takeSearchFocus()) document.getElementById(SEARCH_INPUT_ID)?.focus();
  }, []);
  const q = useDebounced(search.trim(), 250);
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const accounts = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId'].accounts.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const posts = useLoad(
    () =>
      postId
        ? Promise.resolve(null)
        : unwrap(
            client.api.v1.workspaces[':workspaceId'].posts.$get({
              param: { workspaceId: workspace.id },
              query: {
                limit: String(pageSize),
                ...(state ? { state: state as (typeof targetStates)[number] } : {}),
                ...(accountId ? { accountId } : {}),
                ...(q ? { q } : {}),
                ...(cursor ? { cursor } : {}),
              },
            }),
          ),
    [client, workspace.id, state, accountId, q, cursor, postId],
  );
  if (postId) return <PostDetail workspace={workspace} postId={postId} />;
  const items = posts.data?.items ?? [];
  const compose = workspacePath(workspace.id, 'compose');
  return (
    <div className="screen">
      <header className="screen-header">
        <h1>{t('posts.title')}</h1>
        <a className="button button-primary" href={compose} onClick={(e) => go(e, compose)}>
          {t('posts.new')}
        </a>
      </header>
      <div className="posts-filters">
        <div className="field posts-search" role="search">
          <label htmlFor={SEARCH_INPUT_ID} className="field-label">
            {t('search.label')}
          </label>
          <input
            id={SEARCH_INPUT_ID}
            type="search"
            value={search}
            placeholder={t('search.placeholder')}
            aria-keyshortcuts="/"
            onChange={(e) => {
              setSearch(e.target.value);
              setCursors([]);
            }}
          />
        </div>
        <label className="field">
          <span className="field-label">{t('posts.filterState')}</span>
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">{t('posts.all')}</option>
            {targetStates.map((s) => (
              <option key={s} value={s}>
                {t(`posts.state.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field-label">{t('posts.filterAccount')}</span>
          <select
            value={accountId}
            onChange={(e) => {
              setAccountId(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">{t('posts.all')}</option>
            {(accounts.data?.items ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {a.handle}
              </option>
            ))}
          </select>
        </label>
      </div>
      {posts.loading && !posts.data ? (
        <Loading />
      ) : posts.error ? (
        <ErrorState error={posts.error} onRetry={posts.reload} />
      ) : items.length === 0 ? (
        <EmptyState>{t('posts.empty')}</EmptyState>
      ) : (
        <ul className="plain-list post-list" aria-label={t('posts.listLabel')}>
          {items.map((p) => (
            <PostItem key={p.id} post={p} accounts={accounts.data?.items ?? []} workspace={workspace} />
          ))}
        </ul>
      )}
      <div className="form-actions">
        {cursors.length > 0 && (
          <button type="button" className="button" onClick={() => setCursors((c) => c.slice(0, -1))}>
            {t('posts.previous')}
          </button>
        )}
        {posts.data?.nextCursor && (
          <button type="button" className="button" onClick={() => setCursors((c) => [...c, posts.data!.nextCursor!])}>
            {t('posts.next')}
          </button>
        )}
      </div>
    </div>
  );
}
