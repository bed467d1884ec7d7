/**
 * API tokens (create: the secret is shown once; list; revoke) and webhooks (create with an event
 * picker: the signing secret is shown once; list with the last delivery's outcome; pause, resume,
 * delete). Admins and owners only; the server enforces it.
 */
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferRequestType, InferResponseType } from 'hono/client';
import { unwrap, type Api } from '../../api/client';
import { useApi } from '../../api/context';
import type { Workspace } from '../../api/types';
import { useLoad } from '../../api/use-load';
import { SecretOnce } from '../../components/secret-once';
import { ConfirmRemove, SettingsList } from '../../components/settings-list';
import { errorMessage } from '../../components/states';
import { formatDateTime } from '../../i18n/format';

type WsApi = Api['client']['api']['v1']['workspaces'][':workspaceId'];
type Token = InferResponseType<WsApi['tokens']['$get'], 200>['items'][number];
type Webhook = InferResponseType<WsApi['webhooks']['$get'], 200>['items'][number];
type WebhookEvent = NonNullable<InferRequestType<WsApi['webhooks']['$post']>['json']['events']>[number];

/** The event types the picker offers (settings.test.tsx checks it against the server's list). */
export const webhookEvents = [
  'post.target.published',
  'post.target.failed',
  'post.target.held',
  'post.target.unconfirmed',
  'post.target.deleted',
  'account.needs_reconnect',
  'account.token_expiring',
  'inbox.message.received',
  'inbox.message.sentiment_relabelled',
  'inbox.message.moderated',
  'inbox.reply.deleted',
  'inbox.rule.notification',
  'listening.spike',
] as const satisfies readonly WebhookEvent[];
const defaultEvents: WebhookEvent[] = ['post.target.published', 'post.target.failed', 'post.target.held'];

const eventKey = (e: string) => e.replace(/\./g, '_');

function Failure({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error == null) return null;
  return (
    <p className="form-error" role="alert">
      {errorMessage(error, t)}
    </p>
  );
}

/** Personal API tokens of this workspace. */
export function TokensSettings({ workspace, onNotice }: { workspace: Workspace; onNotice: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].tokens;
  const list = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id }, query: { limit: '200' } })), [client, workspace.id]);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const tok = await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { name } }));
      setCreated(tok.token);
      setName('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const revoke = async (tok: Token) => {
    setError(null);
    try {
      await unwrap(api[':tokenId'].$delete({ param: { workspaceId: workspace.id, tokenId: tok.id } }));
      setConfirming(null);
      onNotice(t('settings.tokens.revoked', { name: tok.name }));
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="tokens-title" className="card settings-section">
      <h2 id="tokens-title">{t('settings.tokens.title')}</h2>
      <p className="muted">{t('settings.tokens.intro')}</p>
      <form className="settings-form settings-form-inline" onSubmit={create} noValidate>
        <label className="field">
          <span className="field-label">{t('settings.tokens.name')}</span>
          <input type="text" value={name} placeholder={t('settings.tokens.namePlaceholder')} onChange={(e) => setName(e.target.value)} required aria-required />
        </label>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
            {busy ? t('settings.tokens.creating') : t('settings.tokens.create')}
          </button>
        </div>
      </form>
      <Failure error={error} />
      {created && <SecretOnce title={t('settings.tokens.createdTitle')} help={t('settings.tokens.createdHelp')} label={t('settings.tokens.tokenLabel')} value={created} onDone={() => setCreated(null)} />}
      <SettingsList
        list={list}
        label={t('settings.tokens.listLabel')}
        empty={t('settings.tokens.empty')}
        main={(tok) => (
          <>
            <span className="settings-row-title">{tok.name}</span>
            <span className="muted">
              {t('settings.tokens.startsWith', { prefix: tok.prefix })} ·{' '}
              {tok.lastUsedAt ? t('settings.tokens.lastUsed', { date: formatDateTime(tok.lastUsedAt, i18n.language, workspace.timezone) }) : t('settings.tokens.neverUsed')}
            </span>
          </>
        )}
        actions={(tok) =>
          tok.revokedAt ? (
            <span className="badge badge-revoked">{t('settings.tokens.revokedBadge')}</span>
          ) : confirming === tok.id ? (
            <ConfirmRemove question={t('settings.tokens.revokeConfirm', { name: tok.name })} onConfirm={() => void revoke(tok)} onCancel={() => setConfirming(null)} />
          ) : (
            <button type="button" className="button button-danger" aria-label={t('settings.tokens.revokeNamed', { name: tok.name })} onClick={() => setConfirming(tok.id)}>
              {t('settings.tokens.revoke')}
            </button>
          )
        }
      />
    </section>
  );
}

function DeliveryStatus({ hook, workspace }: { hook: Webhook; workspace: Workspace }) {
  const { t, i18n } = useTranslation();
  const d = hook.lastDelivery;
  if (!d) return <span className="muted">{t('settings.webhooks.noDelivery')}</span>;
  const date = formatDateTime(d.at, i18n.language, workspace.timezone);
  if (d.status === 'delivered') return <span className="delivery delivery-ok">{t('settings.webhooks.delivery.delivered', { code: d.statusCode ?? '', date })}</span>;
  if (d.status === 'failed') return <span className="delivery delivery-failed">{t('settings.webhooks.delivery.failed', { error: d.error ?? (d.statusCode ? `HTTP ${d.statusCode}` : '?'), date })}</span>;
  return <span className="delivery">{t('settings.webhooks.delivery.pending', { attempts: d.attempts })}</span>;
}

/** Outgoing webhooks of this workspace. */
export function WebhooksSettings({ workspace, onNotice }: { workspace: Workspace; onNotice: (text: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId'].webhooks;
  const list = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(defaultEvents);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const hook = await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { url: url.trim(), events } }));
      setSecret(hook.secret);
      setUrl('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const act = async (hook: Webhook, action: 'pause' | 'resume' | 'delete') => {
    setError(null);
    const param = { workspaceId: workspace.id, webhookId: hook.id };
    try {
      if (action === 'delete') {
        await unwrap(api[':webhookId'].$delete({ param }));
        setConfirming(null);
        onNotice(t('settings.webhooks.deleted'));
      } else {
        await unwrap(api[':webhookId'].$patch({ param, json: { active: action === 'resume' } }));
      }
      list.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-labelledby="webhooks-title" className="card settings-section">
      <h2 id="webhooks-title">{t('settings.webhooks.title')}</h2>
      <p className="muted">{t('settings.webhooks.intro')}</p>
      <form className="settings-form" onSubmit={create} noValidate>
        <label className="field">
          <span className="field-label">{t('settings.webhooks.url')}</span>
          <input type="url" value={url} placeholder="https://example.com/herald" onChange={(e) => setUrl(e.target.value)} required aria-required spellCheck={false} />
        </label>
        <fieldset className="event-picker">
          <legend>{t('settings.webhooks.events')}</legend>
          {webhookEvents.map((ev) => (
            <label key={ev} className="check">
              <input type="checkbox" checked={events.includes(ev)} onChange={(e) => setEvents(e.target.checked ? [...events, ev] : events.filter((x) => x !== ev))} />
              <span>{t(`settings.webhooks.event.${eventKey(ev)}`)}</span>
            </label>
          ))}
          {events.length === 0 && <p className="field-error">{t('settings.webhooks.pickEvent')}</p>}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy || !url.trim() || events.length === 0}>
            {busy ? t('settings.webhooks.creating') : t('settings.webhooks.create')}
          </button>
        </div>
      </form>
      <Failure error={error} />
      {secret && <SecretOnce title={t('settings.webhooks.createdTitle')} help={t('settings.webhooks.createdHelp')} label={t('settings.webhooks.secretLabel')} value={secret} onDone={() => setSecret(null)} />}
      <SettingsList
        list={list}
        label={t('settings.webhooks.listLabel')}
        empty={t('settings.webhooks.empty')}
        main={(hook) => (
          <>
            <span className="settings-row-title webhook-url">{hook.url}</span>
            <span className="muted">{hook.events.map((e) => t(`settings.webhooks.event.${eventKey(e)}`, { defaultValue: e })).join(' · ')}</span>
            <DeliveryStatus hook={hook} workspace={workspace} />
          </>
        )}
        actions={(hook) => (
          <>
            <span className={`badge ${hook.active ? 'badge-ok' : 'badge-paused'}`}>{hook.active ? t('settings.webhooks.active') : t('settings.webhooks.paused')}</span>
            <button
              type="button"
              className="button"
              aria-label={hook.active ? t('settings.webhooks.pauseNamed', { url: hook.url }) : t('settings.webhooks.resumeNamed', { url: hook.url })}
              onClick={() => void act(hook, hook.active ? 'pause' : 'resume')}
            >
              {hook.active ? t('settings.webhooks.pause') : t('settings.webhooks.resume')}
            </button>
            {confirming === hook.id ? (
              <ConfirmRemove question={t('settings.webhooks.deleteConfirm', { url: hook.url })} onConfirm={() => void act(hook, 'delete')} onCancel={() => setConfirming(null)} />
            ) : (
              <button type="button" className="button button-danger" aria-label={t('settings.webhooks.deleteNamed', { url: hook.url })} onClick={() => setConfirming(hook.id)}>
                {t('settings.webhooks.delete')}
              </button>
            )}
          </>
        )}
      />
    </section>
  );
}
