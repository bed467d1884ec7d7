/**
 * One conversation of the inbox: our post, the messages above the chosen one, the message itself and
 * the replies under it (GET …/conversation), its work state (status, assignee, priority, tags), the
 * team's internal notes, saved replies and the reply box. Network content is rendered as text.
 */
import type { InferResponseType } from 'hono/client';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import type { Account, Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { formatDateTime } from '../i18n/format';
import { InboxReplyBox } from './inbox-reply-box';
import { InboxDmConversation, InboxModeration, InboxOurReplies } from './inbox-moderation';
import { NetworkAuthor, NetworkLink, NetworkText } from './inbox-network-text';
import { ErrorState, Loading, errorMessage } from './states';

type InboxApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['inbox-messages'];
/** One inbox message as the API sends it. */
export type InboxMessage = InferResponseType<InboxApi['$get'], 200>['items'][number];
/** A message with its thread, post and notes. */
export type InboxConversationView = InferResponseType<InboxApi[':messageId']['conversation']['$get'], 200>;
/** Work states. */
export type InboxStatus = InboxMessage['status'];
/** Priorities. */
export type InboxPriority = InboxMessage['priority'];
/** A change of work state (one message or many). */
export type InboxChange = { status?: InboxStatus; assigneeId?: string | null; priority?: InboxPriority; addTags?: string[]; removeTags?: string[] };
/** A workspace member (for assignment). */
export interface InboxMember {
  userId: string;
  name: string;
}

export const inboxStatuses = ['new', 'assigned', 'waiting', 'resolved'] as const satisfies readonly InboxStatus[];
export const inboxPriorities = ['low', 'normal', 'high', 'urgent'] as const satisfies readonly InboxPriority[];
type SentimentLabel = NonNullable<InboxMessage['sentiment']>['label'];
const sentimentLabels = ['negative', 'neutral', 'positive'] as const satisfies readonly SentimentLabel[];
const roleRank: Record<string, number> = { viewer: 0, contributor: 1, editor: 2, admin: 3, owner: 4 };

/** What the caller's role allows in the inbox (the server checks again). */
export function inboxAbilities(role: string): { triage: boolean; reply: boolean; manage: boolean } {
  const r = roleRank[role] ?? 0;
  return { triage: r >= 1, reply: r >= 2, manage: r >= 2 };
}

/** The sentiment label as a small coloured badge. */
export function SentimentBadge({ sentiment }: { sentiment: InboxMessage['sentiment'] }) {
  const { t } = useTranslation();
  if (!sentiment) return null;
  return (
    <span className={`badge sentiment-${sentiment.label}`} title={String(sentiment.score)}>
      {t(`listening.sentiment.${sentiment.label}`)}
    </span>
  );
}

function ThreadItem({ m, className }: { m: InboxMessage; className?: string }) {
  const { t, i18n } = useTranslation();
  return (
    <li className={`inbox-thread-item ${className ?? ''}`}>
      <div className="inbox-item-head">
        <NetworkAuthor author={m.author} />
        <time className="muted" dateTime={m.createdAt}>
          {formatDateTime(m.createdAt, i18n.language)}
        </time>
      </div>
      <NetworkText text={m.deletedAt ? t('inbox.deleted') : m.text} />
    </li>
  );
}

function WorkState({ m, members, disabled, onChange }: { m: InboxMessage; members: InboxMember[]; disabled: boolean; onChange: (c: InboxChange) => Promise<void> }) {
  const { t } = useTranslation();
  const [tag, setTag] = useState('');
  const addTag = async (e: FormEvent) => {
    e.preventDefault();
    const v = tag.trim();
    if (!v) return;
    await onChange({ addTags: [v] });
    setTag('');
  };
  return (
    <div className="inbox-workstate">
      <div className="posts-filters">
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.status')}</span>
          <select value={m.status} disabled={disabled} onChange={(e) => void onChange({ status: e.target.value as InboxStatus })}>
            {inboxStatuses.map((s) => (
              <option key={s} value={s}>
                {t(`inbox.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.assignee')}</span>
          <select value={m.assigneeId ?? ''} disabled={disabled} onChange={(e) => void onChange({ assigneeId: e.target.value || null })}>
            <option value="">{t('inbox.unassigned')}</option>
            {members.map((u) => (
              <option key={u.userId} value={u.userId}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field-inline">
          <span className="field-label">{t('inbox.filter.priority')}</span>
          <select value={m.priority} disabled={disabled} onChange={(e) => void onChange({ priority: e.target.value as InboxPriority })}>
            {inboxPriorities.map((p) => (
              <option key={p} value={p}>
                {t(`inbox.priority.${p}`)}
              </option>
            ))}
          </select>
        </label>
        {m.status !== 'resolved' && (
          <button type="button" className="button" disabled={disabled} onClick={() => void onChange({ status: 'resolved' })}>
            {t('inbox.resolve')}
          </button>
        )}
      </div>
      <div className="inbox-tags">
        <ul className="plain-list inbox-tag-list" aria-label={t('inbox.tags')}>
          {m.tags.map((x) => (
            <li key={x} className="badge">
              {x}
              {!disabled && (
                <button type="button" className="toast-dismiss" aria-label={t('inbox.removeTag', { tag: x })} onClick={() => void onChange({ removeTags: [x] })}>
                  ×
                </button>
              )}
            </li>
          ))}
        </ul>
        {!disabled && (
          <form className="inbox-tag-form" onSubmit={addTag}>
            <label className="field-inline">
              <span className="field-label">{t('inbox.addTag')}</span>
              <input value={tag} maxLength={50} onChange={(e) => setTag(e.target.value)} />
            </label>
            <button type="submit" className="button" disabled={!tag.trim()}>
              {t('inbox.addTagButton')}
            </button>
          </form>
        )}
      </div>
    </div>
  );
}

function Notes({ workspaceId, messageId, notes, canAdd, onAdded }: { workspaceId: string; messageId: string; notes: InboxConversationView['notes']; canAdd: boolean; onAdded: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [text, setText] = useState('');
  const [state, setState] = useState<'idle' | 'saving' | { error: string }>('idle');
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (state === 'saving' || !text.trim()) return;
    setState('saving');
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'].notes.$post({ param: { workspaceId, messageId }, json: { text } }));
      setText('');
      setState('idle');
      onAdded();
    } catch (err) {
      setState({ error: errorMessage(err, t) });
    }
  };
  return (
    <section className="inbox-notes" aria-label={t('inbox.notes.title')}>
      <h3 className="inbox-section-title">{t('inbox.notes.title')}</h3>
      {notes.length === 0 ? (
        <p className="muted">{t('inbox.notes.none')}</p>
      ) : (
        <ul className="plain-list">
          {notes.map((n) => (
            <li key={n.id} className="inbox-note">
              <p className="inbox-text">{n.text}</p>
              <p className="muted inbox-item-meta">
                {n.author.name ?? t('inbox.notes.system')} · <time dateTime={n.createdAt}>{formatDateTime(n.createdAt, i18n.language)}</time>
              </p>
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form onSubmit={add}>
          <label className="field">
            <span className="field-label">{t('inbox.notes.add')}</span>
            <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          {typeof state === 'object' && <p className="form-error">{state.error}</p>}
          <button type="submit" className="button" disabled={state === 'saving' || !text.trim()}>
            {t('inbox.notes.save')}
          </button>
        </form>
      )}
    </section>
  );
}

function SavedReplyPicker({ workspaceId, messageId, onPicked }: { workspaceId: string; messageId: string; onPicked: (text: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const saved = useLoad(() => unwrap(client.api.v1.workspaces[':workspaceId']['inbox-saved-replies'].$get({ param: { workspaceId } })), [client, workspaceId]);
  const [error, setError] = useState<string | null>(null);
  const items = saved.data?.items ?? [];
  if (items.length === 0) return null;
  const pick = async (id: string) => {
    if (!id) return;
    setError(null);
    try {
      const r = await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId']['saved-replies'][':savedReplyId'].render.$post({ param: { workspaceId, messageId, savedReplyId: id } }));
      onPicked(r.text);
    } catch (e) {
      setError(errorMessage(e, t));
    }
  };
  return (
    <label className="field-inline inbox-saved-picker">
      <span className="field-label">{t('inbox.savedReplies.insert')}</span>
      <select value="" onChange={(e) => void pick(e.target.value)}>
        <option value="">{t('inbox.savedReplies.choose')}</option>
        {items.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

/**
 * Lets a member relabel the message's sentiment (contributors and above); the workspace's later messages
 * learn from it. Right after a relabel, Undo forgets it (DELETE …/sentiment) and the model's label returns.
 */
function RelabelSentiment({ workspaceId, m, onRelabelled }: { workspaceId: string; m: InboxMessage; onRelabelled: (m: InboxMessage) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const id = useId();
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | 'undone' | { error: string }>('idle');
  const undo = async () => {
    setState('saving');
    try {
      const updated = await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'].sentiment.$delete({ param: { workspaceId, messageId: m.id } }));
      setState('undone');
      onRelabelled(updated);
    } catch (e) {
      setState({ error: errorMessage(e, t) });
    }
  };
  const relabel = async (label: SentimentLabel) => {
    setState('saving');
    try {
      const updated = await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'].sentiment.$post({ param: { workspaceId, messageId: m.id }, json: { label } }));
      setState('saved');
      onRelabelled(updated);
    } catch (e) {
      setState({ error: errorMessage(e, t) });
    }
  };
  return (
    <div className="form-actions">
      <label htmlFor={id}>{t('inbox.relabel.label')}</label>{' '}
      <select id={id} value={m.sentiment?.label ?? ''} disabled={state === 'saving'} aria-describedby={`${id}-hint`} onChange={(e) => void relabel(e.target.value as SentimentLabel)}>
        {!m.sentiment && <option value="">—</option>}
        {sentimentLabels.map((l) => (
          <option key={l} value={l}>
            {t(`listening.sentiment.${l}`)}
          </option>
        ))}
      </select>
      <span id={`${id}-hint`} className="muted">
        {' '}
        {t('inbox.relabel.hint')}
      </span>
      {state === 'saved' && (
        <>
          <span role="status"> {t('inbox.relabel.saved')}</span>{' '}
          <button type="button" className="button button-quiet" onClick={() => void undo()}>
            {t('inbox.relabel.undo')}
          </button>
        </>
      )}
      {state === 'undone' && <span role="status"> {t('inbox.relabel.undone')}</span>}
      {typeof state === 'object' && <span className="field-error">{state.error}</span>}
    </div>
  );
}

/** Keeps a message in the testimonials library (editors; the server checks it reads as positive unless told otherwise). */
function KeepTestimonial({ workspaceId, m }: { workspaceId: string; m: InboxMessage }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [state, setState] = useState<'idle' | 'saving' | 'kept' | { error: string }>('idle');
  if (m.deletedAt) return null;
  const keep = async () => {
    if (state === 'saving') return;
    setState('saving');
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId'].testimonials.$post({ param: { workspaceId }, json: { messageId: m.id, allowNonPositive: m.sentiment?.label !== 'positive' } }));
      setState('kept');
    } catch (e) {
      setState({ error: errorMessage(e, t) });
    }
  };
  return (
    <div className="form-actions">
      {state === 'kept' ? (
        <span role="status">{t('listening.testimonials.kept')}</span>
      ) : (
        <button type="button" className="button button-quiet" disabled={state === 'saving'} onClick={() => void keep()}>
          {t('listening.testimonials.keep')}
        </button>
      )}
      {typeof state === 'object' && <span className="field-error">{state.error}</span>}
    </div>
  );
}

/** The conversation panel of one message. */
export function InboxConversation({
  workspace,
  messageId,
  account,
  members,
  onChanged,
}: {
  workspace: Workspace;
  messageId: string;
  account: Account | undefined;
  members: InboxMember[];
  /** The message after a change here (work state, or a reply that moved it on). */
  onChanged: (m: InboxMessage) => void;
}) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'];
  const param = { workspaceId: workspace.id, messageId };
  const conv = useLoad(() => unwrap(api.conversation.$get({ param })), [client, workspace.id, messageId]);
  const [changeError, setChangeError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [picked, setPicked] = useState('');
  const can = inboxAbilities(workspace.role);

  const change = async (c: InboxChange) => {
    setBusy(true);
    setChangeError(null);
    try {
      const m = await unwrap(api.$patch({ param, json: c }));
      onChanged(m);
      conv.reload();
    } catch (e) {
      setChangeError(errorMessage(e, t));
    } finally {
      setBusy(false);
    }
  };

  if (conv.loading && !conv.data) return <Loading />;
  if (conv.error || !conv.data) return <ErrorState error={conv.error} onRetry={conv.reload} />;
  const { message, ancestors, children, post, notes, thread, replies, canDeleteReplies } = conv.data;
  // A direct message is a conversation with one person: all of it, with our answers, in time order.
  const isDm = message.kind === 'dm';
  const disabledReason = message.deletedAt || message.moderation.deletedAt ? t('inbox.reply.deletedMessage') : account && account.status !== 'ok' ? t('inbox.reply.needsReconnect', { handle: account.handle }) : null;

  return (
    <section className="inbox-conversation card" aria-label={t('inbox.conversation')}>
      {post && (
        <div className="inbox-original">
          <h3 className="inbox-section-title">{t('inbox.originalPost')}</h3>
          <NetworkText text={post.text} />
          {post.url && (
            <p className="inbox-item-meta">
              <NetworkLink href={post.url}>{t('inbox.openPost')}</NetworkLink>
            </p>
          )}
        </div>
      )}
      {isDm && <InboxDmConversation thread={thread} replies={replies} currentId={message.id} members={members} />}
      <ol className="inbox-thread" aria-label={t('inbox.thread')}>
        {!isDm && ancestors.map((p) => (
          <ThreadItem key={p.id} m={p} />
        ))}
        <li className="inbox-thread-item inbox-thread-current" aria-current="true">
          <div className="inbox-item-head">
            <NetworkAuthor author={message.author} />
            <span>
              <span className="badge">{t(`inbox.kind.${message.kind}`)}</span> <SentimentBadge sentiment={message.sentiment} />
              {message.sla.breached && <span className="badge badge-needs">{t('inbox.slaBreached')}</span>}
            </span>
          </div>
          {message.deletedAt ? <p className="muted">{t('inbox.deletedOnNetwork')}</p> : null}
          <NetworkText text={message.text} />
          <p className="inbox-item-meta muted">
            <time dateTime={message.createdAt}>{formatDateTime(message.createdAt, i18n.language)}</time>
            {message.editedAt ? ` · ${t('inbox.edited')}` : ''}
            {message.lang ? ` · ${message.lang}` : ''}
            {message.author.followers != null ? ` · ${t('inbox.followers', { count: message.author.followers })}` : ''}
            {message.sla.dueAt && !message.sla.firstResponseAt ? ` · ${t('inbox.slaDue', { time: formatDateTime(message.sla.dueAt, i18n.language) })}` : ''}
            {' · '}
            <NetworkLink href={message.url}>{t('inbox.openOnNetwork')}</NetworkLink>
          </p>
        </li>
        {!isDm && children.map((c) => (
          <ThreadItem key={c.id} m={c} className="inbox-thread-child" />
        ))}
      </ol>
      <InboxModeration
        key={`moderation-${message.id}`}
        workspaceId={workspace.id}
        m={message}
        members={members}
        canAct={can.reply}
        onChanged={(m) => {
          onChanged(m);
          conv.reload();
        }}
      />
      {can.triage && !message.deletedAt && (
        <RelabelSentiment
          key={`relabel-${message.id}`}
          workspaceId={workspace.id}
          m={message}
          onRelabelled={(m) => {
            onChanged(m);
            conv.reload();
          }}
        />
      )}
      {can.manage && message.sentiment?.label === 'positive' && <KeepTestimonial key={message.id} workspaceId={workspace.id} m={message} />}
      <WorkState m={message} members={members} disabled={!can.triage || busy} onChange={change} />
      {changeError && (
        <p className="form-error" role="alert">
          {changeError}
        </p>
      )}
      {can.reply && (
        <>
          <SavedReplyPicker workspaceId={workspace.id} messageId={message.id} onPicked={setPicked} />
          <InboxReplyBox
            key={message.id}
            workspaceId={workspace.id}
            messageId={message.id}
            network={message.network}
            account={account}
            disabledReason={disabledReason}
            initialText={picked}
            canSave={can.manage}
            onSent={() => {
              conv.reload();
              void unwrap(api.$get({ param })).then(onChanged, () => undefined);
            }}
          />
        </>
      )}
      {!isDm && <InboxOurReplies workspaceId={workspace.id} replies={replies} canDelete={can.reply && canDeleteReplies} onDeleted={conv.reload} />}
      <Notes workspaceId={workspace.id} messageId={message.id} notes={notes} canAdd={can.triage} onAdded={conv.reload} />
    </section>
  );
}
