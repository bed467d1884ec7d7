/**
 * The `inbox-notify` job: one notification of one rule about one message, by e-mail (SMTP through
 * nodemailer), Telegram bot message (Bot API `sendMessage`, plain text: no parse mode, so nothing in a
 * comment can become markup) or webhook (an `inbox.rule.notification` event fanned out to the
 * workspace's webhooks). Enqueued by ingestion in the messages' transaction.
 *
 * Temporary failures (network, SMTP 4xx, Telegram 429/5xx) throw, so the queue retries with backoff;
 * permanent ones (the rule or message is gone, the channel is no longer configured, SMTP 5xx, Telegram
 * 400/401/403) are recorded as `inbox.notification.failed` and not retried. A delivered one is
 * `inbox.notification.sent`.
 */
import type { JobHandler } from '../jobs/job-queue';
import { findAccount } from '../repositories/accounts.repository';
import { findInboxMessage } from '../repositories/inbox-messages.repository';
import { findInboxSettings, findRule } from '../repositories/inbox-workflow.repository';
import type { AppServices } from '../server/services';
import { recordEvent } from '../webhooks/webhook-events';
import { sendMail, SmtpRefusedError } from '../mail/mailer';
import { ruleActionsSchema, type RuleNotify } from './inbox-rules';

/** How long one delivery may take. */
const deliveryTimeoutMs = 15_000;
/** Longest message text put in a notification. */
const textMax = 1500;

/** A permanent failure: recorded, not retried. */
class PermanentNotifyError extends Error {}

const oneLine = (s: string) => s.replace(/[\r\n\t\u0000-\u001f\u007f]+/g, ' ').trim();

/** The workspace's Telegram bot token (sealed in the inbox settings). */
async function botToken(services: AppServices, workspaceId: string): Promise<string | null> {
  const row = await findInboxSettings(services.database.db, workspaceId);
  return row?.telegram_bot_token_enc ? services.secrets.open<string>(row.telegram_bot_token_enc, `inbox-settings:${workspaceId}:telegram-bot-token`) : null;
}

async function sendEmail(services: AppServices, to: string[], subject: string, text: string): Promise<void> {
  const smtp = services.config.smtp;
  if (!smtp) throw new PermanentNotifyError('HERALD_SMTP_URL is not set');
  try {
    await sendMail(smtp, { to, subject, text }, deliveryTimeoutMs);
  } catch (e) {
    if (e instanceof SmtpRefusedError) throw new PermanentNotifyError(e.message);
    throw e;
  }
}

async function sendTelegram(services: AppServices, workspaceId: string, chatId: string, text: string): Promise<void> {
  const token = await botToken(services, workspaceId);
  if (!token) throw new PermanentNotifyError('no Telegram bot token in the inbox settings');
  let res: Response;
  try {
    res = await services.fetch(`${services.config.networks.telegram.apiBaseUrl}/bot${token}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: /^-?\d+$/.test(chatId) ? Number(chatId) : chatId, text, link_preview_options: { is_disabled: true } }),
      signal: AbortSignal.timeout(deliveryTimeoutMs),
    });
  } catch (e) {
    // The URL holds the token: never put it (or the raw error, which may quote it) in a message.
    throw new Error(`Telegram could not be reached (${(e as Error).name})`);
  }
  const body = (await res.json().catch(() => null)) as { ok?: boolean; description?: string } | null;
  if (res.ok && body?.ok) return;
  const why = `Telegram answered ${res.status}: ${oneLine(String(body?.description ?? '')).slice(0, 200)}`;
  if (res.status === 429 || res.status >= 500) throw new Error(why);
  throw new PermanentNotifyError(why);
}

/** Sends one notification now (the job body). */
export async function deliverInboxNotification(services: AppServices, p: { workspaceId: string; messageId: string; ruleId: string; index: number }): Promise<'sent' | 'failed' | 'skipped'> {
  const db = services.database.db;
  const fail = async (channel: string, reason: string) => {
    await recordEvent(services, db, { workspaceId: p.workspaceId, type: 'inbox.notification.failed', subjectId: p.messageId, actorId: null, payload: { messageId: p.messageId, ruleId: p.ruleId, channel, reason } });
    services.log.warn({ messageId: p.messageId, ruleId: p.ruleId, channel, reason }, 'inbox notification not delivered');
    return 'failed' as const;
  };
  const message = await findInboxMessage(db, p.workspaceId, p.messageId);
  const rule = await findRule(db, p.workspaceId, p.ruleId);
  const actions = rule ? ruleActionsSchema.safeParse(JSON.parse(rule.actions)) : undefined;
  const notify: RuleNotify | undefined = actions?.success ? actions.data.notify?.[p.index] : undefined;
  if (!message || !rule || !notify) return 'skipped';
  const account = await findAccount(db, p.workspaceId, message.account_id);
  const who = message.author_name ? `${message.author_name} (@${message.author_handle})` : `@${message.author_handle}`;
  const subject = oneLine(`[Herald] ${rule.name}: ${message.kind} from ${who} on ${message.network}`).slice(0, 200);
  const excerpt = message.text.length > textMax ? `${message.text.slice(0, textMax)}…` : message.text;
  const text = [
    `Rule "${rule.name}" matched a ${message.kind} to ${account ? `@${account.handle}` : 'an account'} on ${message.network}.`,
    `From: ${who}${message.sentiment_label ? ` · sentiment: ${message.sentiment_label}` : ''}`,
    '',
    excerpt,
    '',
    ...(message.url ? [`On the network: ${message.url}`] : []),
    `In Herald: ${services.config.publicUrl}/inbox/${message.id}`,
  ].join('\n');
  try {
    if (notify.channel === 'email') await sendEmail(services, notify.to, subject, text);
    else if (notify.channel === 'telegram') await sendTelegram(services, p.workspaceId, notify.chatId, text);
    else {
      await recordEvent(services, db, {
        workspaceId: p.workspaceId,
        type: 'inbox.rule.notification',
        subjectId: message.id,
        actorId: null,
        payload: { messageId: message.id, ruleId: rule.id, ruleName: rule.name, network: message.network, kind: message.kind, author: { handle: message.author_handle, displayName: message.author_name }, text: excerpt, url: message.url, sentiment: message.sentiment_label },
      });
    }
  } catch (e) {
    if (e instanceof PermanentNotifyError) return fail(notify.channel, e.message);
    throw e;
  }
  await recordEvent(services, db, { workspaceId: p.workspaceId, type: 'inbox.notification.sent', subjectId: message.id, actorId: null, payload: { messageId: message.id, ruleId: rule.id, channel: notify.channel } });
  return 'sent';
}

/** The `inbox-notify` job handler. */
export function inboxNotifyHandler(services: AppServices): JobHandler {
  return async (payload) => {
    const { workspaceId, messageId, ruleId, index } = payload;
    if (typeof workspaceId !== 'string' || typeof messageId !== 'string' || typeof ruleId !== 'string' || typeof index !== 'number') return;
    await deliverInboxNotification(services, { workspaceId, messageId, ruleId, index });
  };
}
