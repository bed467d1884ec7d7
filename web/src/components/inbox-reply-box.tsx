/**
 * The reply box of a conversation: counted and checked live with the network's own validator (the
 * function the server runs too), sent through the API once: a second press while the first is in
 * flight does nothing, and a retry of the same text after a failure carries the same Idempotency-Key,
 * so a reply the network did take is never sent twice. The network's refusal is shown in its words.
 * Editors can keep the text as a saved reply.
 */
import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Account } from '../api/types';
import { formatNumber } from '../i18n/format';
import { validatorFor } from '../validation';
import { errorMessage } from './states';
import { NetworkLink } from './inbox-network-text';

/** What a sent reply returns. */
export interface SentReply {
  externalId: string;
  url: string | null;
  sentAt: string;
}

/** Reply box for one message. */
export function InboxReplyBox({
  workspaceId,
  messageId,
  network,
  account,
  disabledReason,
  initialText = '',
  canSave = false,
  onSent,
}: {
  workspaceId: string;
  messageId: string;
  network: string;
  account: Account | undefined;
  /** Why replying is impossible (deleted message, account needs reconnecting); null when it is possible. */
  disabledReason: string | null;
  initialText?: string;
  /** Offer "save as a saved reply" (editors). */
  canSave?: boolean;
  onSent?: (reply: SentReply) => void;
}) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const [text, setText] = useState(initialText);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<SentReply | null>(null);
  const inFlight = useRef(false);
  // One key per text being sent: kept across retries of that text, new once the text changes or is sent.
  const attempt = useRef<{ text: string; key: string } | null>(null);
  const [lastInitial, setLastInitial] = useState(initialText);
  if (initialText !== lastInitial) {
    // A saved reply was picked: it replaces what is in the box.
    setLastInitial(initialText);
    setText(initialText);
  }

  const validate = validatorFor(network);
  const result = validate && text.length > 0 ? validate({ text }, { networkLimits: account?.networkLimits }) : null;
  const invalid = result ? !result.valid : false;
  const empty = text.trim().length === 0;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (inFlight.current || empty || invalid || disabledReason) return;
    inFlight.current = true;
    setSending(true);
    setError(null);
    if (attempt.current?.text !== text) attempt.current = { text, key: crypto.randomUUID() };
    try {
      const reply = await unwrap(
        client.api.v1.workspaces[':workspaceId']['inbox-messages'][':messageId'].reply.$post({ param: { workspaceId, messageId }, header: { 'idempotency-key': attempt.current.key }, json: { text } }),
      );
      attempt.current = null;
      setSent(reply);
      setText('');
      onSent?.(reply);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 422 ? (err.fieldErrors().text ?? errorMessage(err, t)) : errorMessage(err, t));
    } finally {
      inFlight.current = false;
      setSending(false);
    }
  };

  const counterId = `reply-counter-${messageId}`;
  return (
    <form className="inbox-reply" onSubmit={submit} aria-label={t('inbox.reply.form')}>
      <div className="field">
        <label className="field-label" htmlFor={`reply-text-${messageId}`}>
          {t('inbox.reply.label')}
        </label>
        <textarea
          id={`reply-text-${messageId}`}
          value={text}
          rows={4}
          disabled={!!disabledReason}
          aria-invalid={invalid || undefined}
          aria-describedby={counterId}
          onChange={(e) => {
            setText(e.target.value);
            setSent(null);
          }}
        />
      </div>
      <div id={counterId} className={`network-counter${invalid ? ' network-counter-invalid' : ''}`} aria-live="polite">
        {result ? (
          <>
            <span className="network-counter-value">{t('inbox.reply.counter', { length: formatNumber(result.length, i18n.language), max: formatNumber(result.max, i18n.language) })}</span>
            {result.errors.length > 0 && (
              <ul className="network-counter-errors">
                {result.errors.map((er, i) => (
                  <li key={i}>{er.message}</li>
                ))}
              </ul>
            )}
          </>
        ) : !validate ? (
          <span className="muted">{t('inbox.reply.serverChecks')}</span>
        ) : null}
      </div>
      {disabledReason && <p className="field-help">{disabledReason}</p>}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {sent && (
        <p className="notice" role="status">
          {t('inbox.reply.sent')} {sent.url && <NetworkLink href={sent.url}>{t('inbox.reply.openSent')}</NetworkLink>}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={sending || empty || invalid || !!disabledReason}>
          {sending ? t('inbox.reply.sending') : t('inbox.reply.send')}
        </button>
      </div>
      {canSave && !empty && <SaveAsSavedReply workspaceId={workspaceId} text={text} />}
    </form>
  );
}

/** Names the current text and keeps it as a saved reply (variables such as {{author.name}} allowed). */
function SaveAsSavedReply({ workspaceId, text }: { workspaceId: string; text: string }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [state, setState] = useState<'idle' | 'saving' | 'saved' | { error: string }>('idle');
  if (!open) {
    return (
      <div className="inbox-save-reply">
        <button type="button" className="button button-quiet" onClick={() => (setOpen(true), setState('idle'))}>
          {t('inbox.savedReplies.saveAs')}
        </button>
        {state === 'saved' && <span role="status">{t('inbox.savedReplies.saved')}</span>}
      </div>
    );
  }
  const save = async () => {
    if (state === 'saving') return;
    setState('saving');
    try {
      await unwrap(client.api.v1.workspaces[':workspaceId']['inbox-saved-replies'].$post({ param: { workspaceId }, json: { name, text } }));
      setState('saved');
      setOpen(false);
      setName('');
    } catch (e) {
      setState({ error: e instanceof ApiError && e.status === 422 ? (e.fieldErrors().text ?? e.fieldErrors().name ?? errorMessage(e, t)) : errorMessage(e, t) });
    }
  };
  return (
    <div className="inbox-save-reply">
      <label className="field-inline">
        <span className="field-label">{t('inbox.savedReplies.name')}</span>
        <input value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="button" className="button" disabled={!name.trim() || state === 'saving'} onClick={() => void save()}>
        {t('inbox.savedReplies.save')}
      </button>
      {typeof state === 'object' && <span className="field-error">{state.error}</span>}
    </div>
  );
}
