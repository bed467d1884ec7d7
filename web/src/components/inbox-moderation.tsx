/**
 * Moderation and direct messages in the inbox conversation:
 * - the network actions the message's connector allows now (hide, show again, delete, restore —
 *   `message.moderation.actions`, so nothing here names a network), delete only after a confirmation,
 *   and what was done, by whom and when;
 * - a direct-message conversation: every message from the correspondent and our answers, in time order;
 * - our replies sent from Herald with who sent them, each deletable on the network where the network
 *   allows it (after a confirmation).
 * Editors and above act; the server checks again. Network content is rendered as text.
 */
import type { InferResponseType } from 'hono/client';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import { formatDateTime } from '../i18n/format';
import { NetworkAuthor, NetworkText } from './inbox-network-text';
import { errorMessage } from './states';
import { ConfirmRemove } from './settings-list';

type InboxApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['inbox-messages'];
type Message = InferResponseType<InboxApi['$get'], 200>['items'][number];
type Conversation = InferResponseType<InboxApi[':messageId']['conversation']['$get'], 200>;
/** One of our replies as the conversation lists it. */
export type OurReply = Conversation['replies'][number];
/** A moderation action on the network. */
export type ModerationAction = Message['moderation']['actions'][number];

interface Member {
  userId: string;
  name: string;
}

/** The network actions allowed on a message now, and what Herald already did there. */
export function InboxModeration({ workspaceId, m, members, canAct, onChanged }: { workspaceId: string; m: Message; members: Member[]; canAct: boolean; onChanged: (m: Message) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const who = (id: string | null) => (id ? (members.find((x) => x.userId === id)?.name ?? t('inboxModeration.someone')) : t('inboxModeration.someone'));
  const { hiddenAt, hiddenBy, deletedAt, deletedBy, actions } = m.moderation;
  if (!hiddenAt && !deletedAt && (!canAct || actions.length === 0)) return null;

  const run = async (action: ModerationAction) => {
    setBusy(true);
    setError(null);
    try {
      const next = await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'].moderation.$post({ param: { workspaceId, messageId: m.id }, json: { action } }));
      setConfirming(false);
      onChanged(next);
    } catch (e) {
      setError(errorMessage(e, t));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="inbox-moderation" role="group" aria-label={t('inboxModeration.title')}>
      {hiddenAt && <p className="muted" role="status">{t('inboxModeration.hiddenBy', { name: who(hiddenBy), time: formatDateTime(hiddenAt, i18n.language) })}</p>}
      {deletedAt && <p className="muted" role="status">{t('inboxModeration.deletedBy', { name: who(deletedBy), time: formatDateTime(deletedAt, i18n.language) })}</p>}
      {canAct && (
        <div className="form-actions">
          {actions
            .filter((a) => a !== 'delete')
            .map((a) => (
              <button key={a} type="button" className="button button-quiet" disabled={busy} onClick={() => void run(a)}>
                {t(`inboxModeration.action.${a}`, { network: m.network })}
              </button>
            ))}
          {actions.includes('delete') && !confirming && (
            <button type="button" className="button button-danger" disabled={busy} onClick={() => setConfirming(true)}>
              {t('inboxModeration.action.delete', { network: m.network })}
            </button>
          )}
        </div>
      )}
      {canAct && confirming && (
        <ConfirmRemove question={t('inboxModeration.confirmDelete', { network: m.network })} confirmLabel={t('inboxModeration.confirmDeleteButton')} busy={busy} onConfirm={() => void run('delete')} onCancel={() => setConfirming(false)} />
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** A direct-message conversation with one correspondent: their messages and our answers, oldest first. */
export function InboxDmConversation({ thread, replies, currentId, members }: { thread: Message[]; replies: OurReply[]; currentId: string; members: Member[] }) {
  const { t, i18n } = useTranslation();
  type Entry = { at: string; key: string; mine: false; m: Message } | { at: string; key: string; mine: true; r: OurReply };
  const entries: Entry[] = [
    ...thread.map((m): Entry => ({ at: m.createdAt, key: m.id, mine: false, m })),
    ...replies.filter((r) => !r.deletedAt).map((r): Entry => ({ at: r.sentAt ?? '', key: r.id, mine: true, r })),
  ].sort((a, b) => a.at.localeCompare(b.at));
  const sender = (r: OurReply) => r.senderName ?? members.find((x) => x.userId === r.sentBy)?.name ?? t('inboxModeration.someone');
  return (
    <ol className="inbox-thread inbox-dm" aria-label={t('inboxModeration.dmConversation')}>
      {entries.map((e) =>
        e.mine ? (
          <li key={e.key} className="inbox-thread-item inbox-dm-ours">
            <div className="inbox-item-head">
              <strong>{t('inboxModeration.ourAnswer', { name: sender(e.r) })}</strong>
              {e.r.sentAt && (
                <time className="muted" dateTime={e.r.sentAt}>
                  {formatDateTime(e.r.sentAt, i18n.language)}
                </time>
              )}
            </div>
            <NetworkText text={e.r.text} />
          </li>
        ) : (
          <li key={e.key} className={`inbox-thread-item${e.m.id === currentId ? ' inbox-thread-current' : ''}`} aria-current={e.m.id === currentId ? 'true' : undefined}>
            <div className="inbox-item-head">
              <NetworkAuthor author={e.m.author} />
              <time className="muted" dateTime={e.m.createdAt}>
                {formatDateTime(e.m.createdAt, i18n.language)}
              </time>
            </div>
            {/* The chosen message is shown in full below, with its details. */}
            {e.m.id === currentId ? <p className="muted">{t('inboxModeration.thisMessage')}</p> : <NetworkText text={e.m.deletedAt || e.m.moderation.deletedAt ? t('inbox.deleted') : e.m.text} />}
          </li>
        ),
      )}
    </ol>
  );
}

/** Our replies in this conversation with who sent them; deletable on the network where it allows. */
export function InboxOurReplies({ workspaceId, replies, canDelete, onDeleted }: { workspaceId: string; replies: OurReply[]; canDelete: boolean; onDeleted: () => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (replies.length === 0) return null;
  const remove = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-replies'][':replyId'].$delete({ param: { workspaceId, replyId: id } }));
      setConfirming(null);
      onDeleted();
    } catch (e) {
      setError(errorMessage(e, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="inbox-our-replies" aria-label={t('inboxModeration.ourReplies')}>
      <h3 className="inbox-section-title">{t('inboxModeration.ourReplies')}</h3>
      <ul className="plain-list">
        {replies.map((r) => (
          <li key={r.id} className="inbox-thread-item">
            <div className="inbox-item-head">
              <strong>{r.senderName ?? t('inboxModeration.someone')}</strong>
              {r.sentAt && (
                <time className="muted" dateTime={r.sentAt}>
                  {formatDateTime(r.sentAt, i18n.language)}
                </time>
              )}
            </div>
            <NetworkText text={r.text} />
            {r.deletedAt ? (
              <p className="muted">{t('inboxModeration.replyDeleted', { time: formatDateTime(r.deletedAt, i18n.language) })}</p>
            ) : canDelete && confirming !== r.id ? (
              <button type="button" className="button button-quiet" disabled={busy} onClick={() => setConfirming(r.id)}>
                {t('inboxModeration.deleteReply')}
              </button>
            ) : null}
            {confirming === r.id && (
              <ConfirmRemove question={t('inboxModeration.confirmDeleteReply')} confirmLabel={t('inboxModeration.confirmDeleteButton')} busy={busy} onConfirm={() => void remove(r.id)} onCancel={() => setConfirming(null)} />
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
