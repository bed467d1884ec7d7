/**
 * Telegram direct messages and moderation for the bot of a connected chat.
 *
 * Direct messages: a person who writes to the bot in private sends it an update in the same getUpdates
 * stream the comments are read from (https://core.telegram.org/bots/api#getupdates). A second reader
 * would steal updates from the first (the offset confirms them), so private-chat messages are
 * classified as `dm` in the comments pass (telegram-inbound.ts) and this capability has no `fetch`.
 * Answers go out with sendMessage to the private chat (its id is the person's user id), as a reply to
 * their message (`reply_parameters`, `allow_sending_without_reply` so a message they deleted does not
 * block the answer). The Bot API has no idempotency key; a retry after an unknown outcome is the
 * person's decision, as for comment replies.
 *
 * Moderation (https://core.telegram.org/bots/api#deletemessage): "If the bot is an administrator of a
 * group, it can delete any message there"; "Bots can delete incoming messages in private chats";
 * "A message can only be deleted if it was sent less than 48 hours ago". So comments in the discussion
 * group (and replies in a group) can be deleted when the bot is an admin with the right to delete
 * messages, direct messages can be deleted, and the bot's own replies too. Telegram has no "hide" for
 * a single message and a deleted message cannot be brought back: no hide/unhide/restore.
 */
import { ConnectorError, type ConnectorContext, type DirectMessagesCapability, type ModerationCapability, type PublishResult } from '../connector';
import { TelegramApiError, toConnectorError, type TelegramCall } from './telegram-api';
import type { TgMessage } from './telegram-types';

/** The Bot API call the connector hands in (its base URL and timeouts already bound). */
export type BotApiCall = <T>(ctx: Pick<ConnectorContext, 'fetch' | 'signal'>, token: string, call: Omit<TelegramCall, 'timeoutMs'> & { timeoutMs?: number }) => Promise<T>;

/** What these capabilities need from the account. */
interface TelegramAuthLike {
  handle: string;
  credentials: { botToken: string };
}

function splitId(externalId: string): { chatId: number; messageId: number } | null {
  const m = /^(-?\d+):(\d+)$/.exec(externalId);
  return m ? { chatId: Number(m[1]), messageId: Number(m[2]) } : null;
}

/** Direct messages to the bot: delivered by the comments pass, answered with sendMessage. */
export function telegramDirectMessages<Cred extends { botToken: string }, Session>(api: BotApiCall): DirectMessagesCapability<Cred, Session> {
  return {
    async send(input, ctx): Promise<PublishResult> {
      const m = splitId(input.messageExternalId);
      // A private chat's id is the person's user id; anything else is not a direct message.
      if (!m || String(m.chatId) !== input.correspondent.externalId) {
        throw new ConnectorError('invalid_content', `"${input.messageExternalId}" is not a private message to the bot`);
      }
      let sent: TgMessage;
      try {
        sent = await api<TgMessage>(ctx, input.auth.credentials.botToken, {
          method: 'sendMessage',
          params: { chat_id: m.chatId, text: input.text, reply_parameters: { message_id: m.messageId, allow_sending_without_reply: true } },
          write: true,
        });
      } catch (e) {
        if (e instanceof TelegramApiError && e.errorCode === 403) {
          // "Forbidden: bot was blocked by the user": the person, not the account, ended the chat.
          throw new ConnectorError('invalid_content', `Telegram will not deliver it: ${e.description}`, { networkCode: '403' });
        }
        throw toConnectorError(e, 'send the direct message', true);
      }
      return { externalId: `${sent.chat?.id ?? m.chatId}:${sent.message_id}`, url: null };
    },
  };
}

async function deleteOne(api: BotApiCall, ctx: Pick<ConnectorContext, 'fetch' | 'signal'>, auth: TelegramAuthLike, externalId: string, what: string): Promise<void> {
  const id = splitId(externalId);
  if (!id) throw new ConnectorError('invalid_content', `"${externalId}" is not a Telegram message id`);
  try {
    await api<boolean>(ctx, auth.credentials.botToken, { method: 'deleteMessage', params: { chat_id: id.chatId, message_id: id.messageId }, write: true });
  } catch (e) {
    // Already gone is what we wanted.
    if (e instanceof TelegramApiError && e.errorCode === 400 && /message to delete not found/i.test(e.description)) return;
    if (e instanceof TelegramApiError && (e.errorCode === 400 || e.errorCode === 403) && /can't be deleted|not enough rights|have no rights|CHAT_ADMIN_REQUIRED/i.test(e.description)) {
      throw new ConnectorError(
        'invalid_content',
        `Telegram would not delete ${what} (${e.description}): a bot deletes others' messages only as a group admin allowed to delete messages, and only within 48 hours`,
        { networkCode: String(e.errorCode) },
      );
    }
    throw toConnectorError(e, `delete ${what}`, true);
  }
}

/** Deleting comments, group replies and direct messages (bot as admin), and the bot's own replies. */
export function telegramModeration<Cred extends { botToken: string }, Session>(api: BotApiCall): ModerationCapability<Cred, Session> {
  return {
    delete: {
      kinds: ['comment', 'reply', 'dm'],
      run: (input, ctx) => deleteOne(api, ctx, input.auth, input.message.externalId, 'the message'),
    },
    deleteReply: (input, ctx) => deleteOne(api, ctx, input.auth, input.externalId, 'the reply'),
  };
}
