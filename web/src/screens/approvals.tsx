/**
 * Approvals: reviewers (editors and up) see posts in review and approve, send back with a comment, or
 * open them to edit; contributors see their own submissions and where each stands. Every post can show
 * its history (who did what, when). Post text from users and networks is rendered as text only.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { postStatus } from '../calendar/calendar-events';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { formatDateTime } from '../i18n/format';
import { navigate, workspacePath } from '../router';

type PostsApi = ReturnType<typeof useApi>['client']['api']['v1']['workspaces'][':workspaceId']['posts'];
/** A post as the API returns it. */
export type ApprovalPost = InferResponseType<PostsApi[':postId']['$get'], 200>;
type HistoryEntry = InferResponseType<PostsApi[':postId']['history']['$get'], 200>['items'][number];

const reviewerRoles = new Set(['owner', 'admin', 'editor']);

function History({ workspace, postId }: { workspace: Workspace; postId: string }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const history = useLoad(
    () => unwrap(client.api.v1.workspaces[':workspaceId'].posts[':postId'].history.$get({ param: { workspaceId: workspace.id, postId } })),
    [client, workspace.id, postId],
  );
  if (history.loading && !history.data) return <Loading />;
  if (history.error) return <ErrorState error={history.error} onRetry={history.reload} />;
  const items: HistoryEntry[] = history.data?.items ?? [];
  return (
    <ol className="history" aria-label={t('approvals.historyTitle')}>
      {items.map((e) => (
        <li key={e.id} className="history-entry">
          <time dateTime={e.at}>{formatDateTime(e.at, i18n.language, workspace.timezone)}</time>{' '}
          <span>
            {t(`approvals.event.${e.type.replace(/\./g, '_')}`, { defaultValue: e.type, who: e.actor?.name || t('approvals.system'), network: e.network ?? '' })}
          </span>
          {e.reason && <blockquote className="history-reason">{e.reason}</blockquote>}
          {e.error && <p className="history-error">{e.error}</p>}
        </li>
      ))}
    </ol>
  );
}

function PostCard({ workspace, post, reviewer, onChanged, onEdit }: { workspace: Workspace; post: ApprovalPost; reviewer: boolean; onChanged: (message: string) => void; onEdit: (postId: string) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [showHistory, setShowHistory] = useState(false);
  const status = postStatus(post);
  const text = post.targets.find((x) => x.text.trim())?.text ?? '';
  const param = { workspaceId: workspace.id, postId: post.id };
  const posts = client.api.v1.workspaces[':workspaceId'].posts[':postId'];
  const headingId = `approval-${post.id}`;
  // The reject route's body is optional, which the route helper leaves out of the client's types;
  // the server validates it (RejectPostRequest), so only the declared shape is widened here.
  const rejectWithReason = posts.reject.$post as (args: { param: typeof param; json: { reason?: string } }) => ReturnType<typeof posts.reject.$post>;

  const run = async (call: () => Promise<unknown>, message: string) => {
    setBusy(true);
    setError(null);
    try {
      await call();
      onChanged(message);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card approval" aria-labelledby={headingId}>
      <div className="approval-head">
        <h3 id={headingId} className="approval-title">
          {text.split('\n')[0] || t('approvals.untitled')}
        </h3>
        <span className={`badge cal-status-${status}`}>{t(`calendar.state.${status}`)}</span>
      </div>
      <p className="approval-text">{text}</p>
      <p className="approval-meta">
        {[...new Set(post.targets.map((x) => x.network))].join(', ')}
        {post.scheduledAt && ` · ${t('approvals.requestedTime', { time: formatDateTime(post.scheduledAt, i18n.language, workspace.timezone) })}`}
      </p>
      {error !== null && (
        <p className="field-error" role="alert">
          {errorMessage(error, t)}
        </p>
      )}
      <div className="actions">
        {reviewer && status === 'in_review' && !rejecting && (
          <>
            <button type="button" className="button" disabled={busy} onClick={() => void run(() => unwrap(posts.approve.$post({ param })), t('approvals.approved'))}>
              {t('approvals.approve')}
            </button>
            <button type="button" className="button button-quiet" disabled={busy} onClick={() => setRejecting(true)}>
              {t('approvals.reject')}
            </button>
          </>
        )}
        <button type="button" className="button button-quiet" onClick={() => onEdit(post.id)}>
          {t('approvals.edit')}
        </button>
        <button type="button" className="button button-quiet" aria-expanded={showHistory} onClick={() => setShowHistory((v) => !v)}>
          {showHistory ? t('approvals.hideHistory') : t('approvals.showHistory')}
        </button>
      </div>
      {rejecting && (
        <form
          className="reject-form"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => unwrap(rejectWithReason({ param, json: reason.trim() ? { reason: reason.trim() } : {} })), t('approvals.rejected'));
          }}
        >
          <label className="field">
            <span className="field-label">{t('approvals.comment')}</span>
            <textarea value={reason} maxLength={2000} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="actions">
            <button type="submit" className="button" disabled={busy}>
              {t('approvals.sendBack')}
            </button>
            <button type="button" className="button button-quiet" onClick={() => setRejecting(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {showHistory && <History workspace={workspace} postId={post.id} />}
    </li>
  );
}

/** The Approvals screen. `userId` is the signed-in user (contributors see their own submissions). */
export function ApprovalsScreen({ workspace, userId, onEdit }: { workspace: Workspace; userId: string; onEdit?: (postId: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [notice, setNotice] = useState<string | null>(null);
  const reviewer = reviewerRoles.has(workspace.role);
  const posts = useLoad(async () => {
    const list = client.api.v1.workspaces[':workspaceId'].posts.$get;
    if (reviewer) return (await unwrap(list({ param: { workspaceId: workspace.id }, query: { state: 'in_review', limit: '200' } }))).items;
    const all = (await unwrap(list({ param: { workspaceId: workspace.id }, query: { limit: '200' } }))).items;
    return all.filter((p) => p.authorId === userId && p.targets.some((x) => x.state !== 'cancelled'));
  }, [client, workspace.id, reviewer, userId]);
  const edit = onEdit ?? ((postId: string) => navigate(`${workspacePath(workspace.id, 'posts')}/${encodeURIComponent(postId)}/edit`));

  const items = posts.data ?? [];
  return (
    <section className="screen approvals" aria-labelledby="approvals-title">
      <h1 id="approvals-title">{reviewer ? t('approvals.title') : t('approvals.mineTitle')}</h1>
      <div className="notice" role="status" aria-live="polite">
        {notice}
      </div>
      {posts.loading && !posts.data ? (
        <Loading />
      ) : posts.error ? (
        <ErrorState error={posts.error} onRetry={posts.reload} />
      ) : items.length === 0 ? (
        <EmptyState>{reviewer ? t('approvals.empty') : t('approvals.mineEmpty')}</EmptyState>
      ) : (
        <ul className="approval-list">
          {items.map((p) => (
            <PostCard
              key={`${p.id}-${p.updatedAt}`}
              workspace={workspace}
              post={p}
              reviewer={reviewer}
              onEdit={edit}
              onChanged={(message) => {
                setNotice(message);
                posts.reload();
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
