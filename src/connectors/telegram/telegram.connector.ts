/**
 * The Telegram connector: a bot publishes to a channel or a group through the Bot API
 * (https://core.telegram.org/bots/api), reads comments from the channel's discussion group through
 * getUpdates, answers them, deletes what it published and reads the member count.
 *
 * Exactly once. Telegram has no idempotency key and a bot cannot read a channel's history, so there is
 * no `findPublished`: when a send may have reached Telegram without Herald learning the outcome (a
 * timeout, a reset, a 5xx after the request left), the target becomes `unconfirmed` for a person to
 * check in the chat. A post that takes several requests (body, then poll, then pin) records its
 * progress in the account's session before each further request; a retry after a definite failure
 * (429, 5xx before sending, a refused connection) continues with the first step not yet done, so the
 * text of a "text + poll" post is never sent twice. The engine runs one publish per account at a time
 * (`maxConcurrentPerAccount: 1`), so progress writes never race.
 *
 * Message ids. externalId is `<chat_id>:<message_id>` of the first message; the ids of every message
 * of a multi-message post (album items, the poll) are kept in the session, so `delete` removes all.
 */
import { z } from 'zod';
import {
  ConnectorError,
  type AccountAuth,
  type AccountMetrics,
  type ConnectedAccount,
  type Connector,
  type ConnectorContext,
  type InboundMessage,
  type MediaItem,
  type PostMetrics,
  type PublishResult,
} from '../connector';
import { callBotApi, TelegramApiError, toConnectorError, type TelegramCall, type TelegramUpload } from './telegram-api';
import { decodeCursor, encodeCursor, inboundFromUpdates } from './telegram-inbound';
import { telegramDirectMessages, telegramModeration } from './telegram-direct-messages';
import { createTelegramPublicData } from './telegram-public';
import type { TgChatFullInfo, TgChatMember, TgMessage, TgUpdate, TgUser } from './telegram-types';
import { planTelegramPost, telegramMediaKind, validateTelegramVariant, TELEGRAM_LENGTH_UNIT, type TelegramPlan, type TelegramText } from './telegram-validate';

/** What a person enters to connect a chat. */
export interface TelegramCredentials {
  /** The token @BotFather gave, `<bot id>:<secret>`. */
  botToken: string;
  /** `@channelusername`, or the numeric chat id (e.g. -1001234567890) for private chats. */
  chat: string;
}

/** A multi-message post under way: which steps are done and the message ids they produced. */
export interface TelegramProgress {
  /** Steps done, in plan order (`body`, `poll`). */
  done: Array<'body' | 'poll'>;
  messageIds: number[];
  startedAt: string;
}

/** What Herald stores (sealed) for a connected chat. */
export interface TelegramSession {
  botId: number;
  botUsername: string | null;
  chatId: number;
  chatType: 'channel' | 'supergroup' | 'group';
  chatUsername: string | null;
  title: string;
  /** The channel's discussion group (comments), when it has one. */
  linkedChatId: number | null;
  /** externalId of a multi-message post → all its message ids (for delete); the newest 200. */
  posts?: Record<string, number[]>;
  /** Progress of multi-message posts by idempotency key. */
  inFlight?: Record<string, TelegramProgress>;
}

/** Tunables, mainly so tests need not wait for production timeouts. */
export interface TelegramConnectorOptions {
  /** Bot API server; default https://api.telegram.org (a local Bot API server works too). */
  apiBaseUrl?: string;
  /** Timeout of one JSON request (default 15 s). */
  requestTimeoutMs?: number;
  /** Timeout of one upload (default 120 s). */
  uploadTimeoutMs?: number;
  /** getUpdates pages read per comments fetch (100 updates each; default 10). */
  maxUpdatePages?: number;
  /** Where the public t.me pages are read for competitors (`publicData`); default https://t.me. */
  webBaseUrl?: string;
}

const MAX_KEPT_POSTS = 200;
const IN_FLIGHT_TTL_MS = 7 * 24 * 3_600_000;

const tokenPattern = /^(\d{3,20}):[A-Za-z0-9_-]{20,100}$/;

/** `t.me/name`, `name` and `@name` all mean `@name`; numeric ids stay as they are. */
function normaliseChat(raw: string): string {
  const v = raw.trim();
  const link = /^(?:https?:\/\/)?(?:t|telegram)\.me\/([A-Za-z][A-Za-z0-9_]{3,31})\/?$/i.exec(v);
  if (link) return `@${link[1]}`;
  return /^-?\d+$/.test(v) || v.startsWith('@') ? v : `@${v}`;
}

const credentialsSchema = z.object({
  botToken: z
    .string()
    .trim()
    .min(1, 'Enter the bot token from @BotFather')
    .refine((v) => tokenPattern.test(v), 'This does not look like a bot token: @BotFather gives tokens like 123456789:AAE… (digits, a colon, then letters and digits)'),
  chat: z
    .string()
    .trim()
    .min(1, 'Enter the channel or group: @username, or the numeric chat id')
    .transform(normaliseChat)
    .refine((v) => /^-?\d{1,20}$/.test(v) || /^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(v), 'Enter the chat as @username (5–32 letters, digits or _) or as its numeric id, e.g. -1001234567890'),
});

/** The bot id is the token's numeric prefix (public: it is the bot's user id). */
export function botIdOfToken(token: string): number {
  const m = tokenPattern.exec(token.trim());
  return m ? Number(m[1]) : NaN;
}

function splitExternalId(externalId: string): { chatId: number; messageId: number } | null {
  const m = /^(-?\d+):(\d+)$/.exec(externalId);
  return m ? { chatId: Number(m[1]), messageId: Number(m[2]) } : null;
}

const describeChat = (c: { title?: string; username?: string; id: number }) => (c.username ? `@${c.username}` : (c.title ?? String(c.id)));

/** Builds a Telegram connector; `telegramConnector` is the production instance. */
export function createTelegramConnector(options: TelegramConnectorOptions = {}): Connector<TelegramCredentials, TelegramSession> {
  const apiBaseUrl = (options.apiBaseUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 120_000;
  const maxUpdatePages = options.maxUpdatePages ?? 10;

  const api = <T>(ctx: Pick<ConnectorContext, 'fetch' | 'signal'>, token: string, call: Omit<TelegramCall, 'timeoutMs'> & { timeoutMs?: number }) =>
    callBotApi<T>(ctx, { apiBaseUrl, token }, { ...call, timeoutMs: call.timeoutMs ?? (call.files?.length ? uploadTimeoutMs : requestTimeoutMs) });

  /** The session of an account; a missing one is rebuilt from what the account row knows. */
  const sessionOf = (auth: AccountAuth<TelegramCredentials, TelegramSession>): TelegramSession =>
    auth.session ?? {
      botId: botIdOfToken(auth.credentials.botToken),
      botUsername: null,
      chatId: Number(auth.externalId),
      chatType: 'channel',
      chatUsername: auth.handle.startsWith('@') ? auth.handle.slice(1) : null,
      title: auth.handle,
      linkedChatId: null,
    };

  const urlOf = (s: TelegramSession, messageId: number) => (s.chatUsername ? `https://t.me/${s.chatUsername}/${messageId}` : null);

  // -------------------------------------------------------------------------------------------------
  // Publishing

  const textParams = (t: TelegramText, kind: 'text' | 'caption'): Record<string, unknown> =>
    kind === 'text'
      ? { text: t.text, entities: t.entities.length ? t.entities : undefined, link_preview_options: t.previewUrl ? { url: t.previewUrl } : undefined }
      : { caption: t.text || undefined, caption_entities: t.entities.length && t.text ? t.entities : undefined };

  const fileName = (m: MediaItem, i: number) => {
    const ext = (m.mimeType.split('/')[1] ?? 'bin').split(';')[0]!.replace(/[^a-z0-9]/gi, '').slice(0, 8) || 'bin';
    return `file${i + 1}.${ext === 'mpeg' ? 'mp3' : ext === 'jpeg' ? 'jpg' : ext}`;
  };

  const upload = (m: MediaItem, i: number, name: string): TelegramUpload => {
    if (!m.data) throw new ConnectorError('invalid_content', `File ${i + 1} has no data to upload`);
    return { name, filename: fileName(m, i), mimeType: m.mimeType, data: m.data };
  };

  const sendMethod = { photo: 'sendPhoto', video: 'sendVideo', audio: 'sendAudio', document: 'sendDocument' } as const;

  /** Sends the body; returns its message ids (an album yields one per item). */
  async function sendBody(ctx: ConnectorContext<TelegramSession>, token: string, chatId: number, plan: TelegramPlan, media: MediaItem[]): Promise<number[]> {
    const body = plan.body!;
    const common = { chat_id: chatId, disable_notification: plan.options.silent || undefined, protect_content: plan.options.protectContent || undefined };
    if (body.kind === 'text') {
      const m = await api<TgMessage>(ctx, token, { method: 'sendMessage', params: { ...common, ...textParams(body.text, 'text') }, write: true });
      return [m.message_id];
    }
    if (body.kind === 'media') {
      const item = media[0]!;
      const kind = telegramMediaKind(item.mimeType);
      const m = await api<TgMessage>(ctx, token, {
        method: sendMethod[kind],
        params: { ...common, ...textParams(body.text, 'caption') },
        files: [upload(item, 0, kind)],
        write: true,
      });
      return [m.message_id];
    }
    const files = media.map((m, i) => upload(m, i, `file${i}`));
    const items = media.map((m, i) => ({
      type: telegramMediaKind(m.mimeType),
      media: `attach://file${i}`,
      ...(i === 0 ? textParams(body.text, 'caption') : {}),
    }));
    const sent = await api<TgMessage[]>(ctx, token, { method: 'sendMediaGroup', params: { ...common, media: items }, files, write: true });
    if (!Array.isArray(sent) || sent.length === 0) throw new ConnectorError('retryable', 'Telegram answered sendMediaGroup without the sent messages', { outcomeUnknown: true });
    return sent.map((m) => m.message_id);
  }

  async function sendPoll(ctx: ConnectorContext<TelegramSession>, token: string, chatId: number, plan: TelegramPlan): Promise<number> {
    const p = plan.poll!;
    const quiz = p.spec.correctOptionIndex !== undefined && p.spec.correctOptionIndex !== null;
    const m = await api<TgMessage>(ctx, token, {
      method: 'sendPoll',
      params: {
        chat_id: chatId,
        question: p.question,
        options: p.spec.options.map((text) => ({ text: text.trim() })),
        type: quiz ? 'quiz' : undefined,
        correct_option_id: quiz ? p.spec.correctOptionIndex : undefined,
        allows_multiple_answers: !quiz && p.spec.multiple ? true : undefined,
        open_period: p.spec.durationSeconds ?? undefined,
        disable_notification: plan.options.silent || undefined,
        protect_content: plan.options.protectContent || undefined,
      },
      write: true,
    });
    return m.message_id;
  }

  /** Keeps the session's per-post records bounded. */
  function prune(s: TelegramSession, now: number): TelegramSession {
    const posts = Object.entries(s.posts ?? {}).slice(-MAX_KEPT_POSTS);
    const inFlight = Object.entries(s.inFlight ?? {}).filter(([, p]) => now - Date.parse(p.startedAt) < IN_FLIGHT_TTL_MS);
    return { ...s, posts: Object.fromEntries(posts), inFlight: Object.fromEntries(inFlight) };
  }

  // -------------------------------------------------------------------------------------------------
  // Comments

  async function fetchComments(auth: AccountAuth<TelegramCredentials, TelegramSession>, cursorIn: string | null, ctx: ConnectorContext<TelegramSession>) {
    const s = sessionOf(auth);
    const cursor = decodeCursor(cursorIn);
    const items: InboundMessage[] = [];
    const chat = { botId: s.botId, chatId: s.chatId, chatType: s.chatType, chatUsername: s.chatUsername, linkedChatId: s.linkedChatId };
    if (s.chatType === 'channel') {
      // The discussion group (and the public username) may have changed since connecting: a group
      // linked later starts delivering comments without a reconnect.
      try {
        const info = await api<TgChatFullInfo>(ctx, auth.credentials.botToken, { method: 'getChat', params: { chat_id: s.chatId }, write: false });
        chat.linkedChatId = typeof info.linked_chat_id === 'number' ? info.linked_chat_id : null;
        chat.chatUsername = info.username ?? null;
      } catch (e) {
        throw toConnectorError(e, 'look up the channel\'s discussion group', false);
      }
    }
    for (let page = 0; page < maxUpdatePages; page++) {
      let updates: TgUpdate[];
      try {
        updates = await api<TgUpdate[]>(ctx, auth.credentials.botToken, {
          method: 'getUpdates',
          params: { offset: cursor.offset ?? undefined, limit: 100, timeout: 0, allowed_updates: ['message', 'edited_message'] },
          write: false,
        });
      } catch (e) {
        // What was read so far is kept by returning it with its cursor; a first-page failure is an error.
        if (page > 0) break;
        throw toConnectorError(e, 'read new comments', false);
      }
      if (!Array.isArray(updates) || updates.length === 0) break;
      items.push(...inboundFromUpdates(updates, chat, cursor));
      cursor.offset = Math.max(...updates.map((u) => u.update_id)) + 1;
      if (updates.length < 100) break;
    }
    return { items, cursor: encodeCursor(cursor) };
  }

  const connector: Connector<TelegramCredentials, TelegramSession> = {
    id: 'telegram',
    displayName: 'Telegram',
    publicData: createTelegramPublicData({ webBaseUrl: options.webBaseUrl, requestTimeoutMs }),
    lengthUnit: TELEGRAM_LENGTH_UNIT,
    credentialFields: [
      {
        name: 'botToken',
        label: 'Bot token',
        type: 'password',
        required: true,
        placeholder: '123456789:AAE…',
        help: 'Create a bot with @BotFather (/newbot) and paste the token it gives you. Add the bot to your channel as an administrator with "Post messages".',
      },
      {
        name: 'chat',
        label: 'Channel or group',
        type: 'text',
        required: true,
        placeholder: '@mychannel',
        help: 'The public @username of the channel or group, or its numeric id (e.g. -1001234567890) for a private one.',
      },
    ],
    credentialsSchema: credentialsSchema as unknown as z.ZodType<TelegramCredentials>,
    // One message per second per chat and ~20 per minute to one group (Bot FAQ); 30 per second per bot
    // overall, shared by every chat the bot serves (rateGroup).
    limits: { maxConcurrentPerAccount: 1, publishRate: { count: 20, windowMs: 60_000 }, groupRate: { count: 30, windowMs: 1_000 } },
    supports: { maxMedia: 10, mediaTypes: ['image/*', 'video/*', 'audio/*', 'application/*', 'text/*'], polls: true, threads: false },
    optionFields: [
      { name: 'silent', label: 'Send silently', type: 'boolean', default: false, help: 'Members get the message without a notification sound.' },
      { name: 'pinned', label: 'Pin the post', type: 'boolean', default: false, help: 'Pins the first message of the post; the bot needs the right to pin.' },
      { name: 'protectContent', label: 'Protect content', type: 'boolean', default: false, help: 'The message cannot be forwarded or saved.' },
    ],

    rateGroup(auth) {
      return `telegram-bot:${botIdOfToken(auth.credentials.botToken)}`;
    },

    async connect(raw, ctx): Promise<ConnectedAccount<TelegramSession>> {
      const credentials = { botToken: raw.botToken.trim(), chat: normaliseChat(raw.chat) };
      const token = credentials.botToken;
      let bot: TgUser;
      try {
        bot = await api<TgUser>(ctx, token, { method: 'getMe', write: false });
      } catch (e) {
        if (e instanceof TelegramApiError && (e.errorCode === 401 || e.errorCode === 404)) {
          throw new ConnectorError('auth_expired', `Telegram does not know this bot token (${e.description}): copy the token again from @BotFather (/mybots → your bot → API Token)`, {
            networkCode: String(e.errorCode),
          });
        }
        throw toConnectorError(e, 'check the bot token', false);
      }
      let chat: TgChatFullInfo;
      try {
        chat = await api<TgChatFullInfo>(ctx, token, { method: 'getChat', params: { chat_id: credentials.chat }, write: false });
      } catch (e) {
        if (e instanceof TelegramApiError && (e.errorCode === 400 || e.errorCode === 403)) {
          throw new ConnectorError('disconnected', `The bot @${bot.username ?? bot.id} cannot see the chat ${credentials.chat} (${e.description}): check the name and add the bot to the channel or group as an administrator first`, {
            networkCode: String(e.errorCode),
          });
        }
        throw toConnectorError(e, `look up the chat ${credentials.chat}`, false);
      }
      if (chat.type === 'private') {
        throw new ConnectorError('invalid_content', `${credentials.chat} is a private chat with a person; Herald publishes to channels and groups`);
      }
      let member: TgChatMember;
      try {
        member = await api<TgChatMember>(ctx, token, { method: 'getChatMember', params: { chat_id: chat.id, user_id: bot.id }, write: false });
      } catch (e) {
        throw toConnectorError(e, `check the bot's rights in ${describeChat(chat)}`, false);
      }
      const where = describeChat(chat);
      const botName = `@${bot.username ?? bot.id}`;
      let canPin: boolean;
      if (chat.type === 'channel') {
        if (member.status !== 'administrator' && member.status !== 'creator') {
          throw new ConnectorError('disconnected', `The bot ${botName} is not an administrator of the channel ${where}: in the channel, open Administrators → Add Admin, pick the bot and allow "Post messages"`);
        }
        if (member.status === 'administrator' && member.can_post_messages !== true) {
          throw new ConnectorError('disconnected', `The bot ${botName} is an administrator of ${where} but lacks the right "Post messages": edit the bot's administrator rights in the channel and turn it on`);
        }
        canPin = member.status === 'creator' || member.can_edit_messages === true;
      } else {
        const allowed =
          member.status === 'administrator' ||
          member.status === 'creator' ||
          (member.status === 'member' && chat.permissions?.can_send_messages !== false) ||
          (member.status === 'restricted' && member.is_member === true && member.can_send_messages === true);
        if (!allowed) {
          const why =
            member.status === 'left' || member.status === 'kicked'
              ? 'is not a member of the group'
              : member.status === 'restricted'
                ? 'is restricted and may not send messages there'
                : 'may not send messages there (members may not write in this group)';
          throw new ConnectorError('disconnected', `The bot ${botName} ${why} (${where}): add it to the group, ideally as an administrator`);
        }
        // pinChatMessage: "the bot must be an administrator in the chat … and must have the
        // 'can_pin_messages' administrator right" — members' pin permission does not cover bots.
        canPin = member.status === 'creator' || (member.status === 'administrator' && member.can_pin_messages === true);
      }
      const session: TelegramSession = {
        botId: bot.id,
        botUsername: bot.username ?? null,
        chatId: chat.id,
        chatType: chat.type,
        chatUsername: chat.username ?? null,
        title: chat.title ?? where,
        linkedChatId: typeof chat.linked_chat_id === 'number' ? chat.linked_chat_id : null,
      };
      return {
        externalId: String(chat.id),
        handle: chat.username ? `@${chat.username}` : (chat.title ?? String(chat.id)),
        displayName: chat.title ?? null,
        serviceUrl: null,
        session,
        networkLimits: { canPin: canPin ? 1 : 0 },
      };
    },

    validate: validateTelegramVariant,

    async publish(input, ctx): Promise<PublishResult> {
      const check = validateTelegramVariant(input.variant);
      if (!check.valid) throw new ConnectorError('invalid_content', check.errors.map((e) => e.message).join('; '));
      const token = input.auth.credentials.botToken;
      let session = sessionOf(input.auth);
      const chatId = session.chatId;
      const plan = planTelegramPost(input.variant);
      const media = input.variant.media ?? [];
      const key = input.idempotencyKey;
      const steps: Array<'body' | 'poll'> = [...(plan.body ? (['body'] as const) : []), ...(plan.poll ? (['poll'] as const) : [])];
      const earlier = session.inFlight?.[key];
      const progress: TelegramProgress = earlier ? { ...earlier, done: [...earlier.done], messageIds: [...earlier.messageIds] } : { done: [], messageIds: [], startedAt: new Date().toISOString() };

      const save = async (next: TelegramSession) => {
        session = prune(next, Date.now());
        await ctx.saveSession(session);
      };

      for (const step of steps) {
        if (progress.done.includes(step)) continue;
        const partial = progress.messageIds.length > 0;
        let ids: number[];
        try {
          ids = step === 'body' ? await sendBody(ctx, token, chatId, plan, media) : [await sendPoll(ctx, token, chatId, plan)];
        } catch (e) {
          const err = toConnectorError(e, step === 'body' ? 'publish the post' : 'send the poll', true);
          if (!partial) throw err;
          const sent = `message ${progress.messageIds[0]} is already in the chat`;
          if (err.kind === 'invalid_content') throw new ConnectorError('invalid_content', `${err.message} (${sent}; delete it there or fix the poll and publish again — the text is not sent twice)`, err.opts);
          if (err.kind === 'auth_expired' || err.kind === 'disconnected') {
            // Reconnecting replaces the session and with it this progress: a person decides instead.
            throw new ConnectorError('retryable', `${err.message} (${sent}; the rest was not sent)`, { ...err.opts, outcomeUnknown: true });
          }
          throw new ConnectorError(err.kind, `${err.message} (${sent}; the retry continues with the ${step})`, err.opts);
        }
        progress.done.push(step);
        progress.messageIds.push(...ids);
        const remaining = steps.some((s) => !progress.done.includes(s));
        if (remaining) {
          try {
            await save({ ...session, inFlight: { ...(session.inFlight ?? {}), [key]: progress } });
          } catch (e) {
            // Without the record a retry would send this part again: let a person decide.
            throw new ConnectorError('retryable', `Message ${ids[0]} was sent but Herald could not record it before the next part (${e instanceof Error ? e.message : String(e)})`, { outcomeUnknown: true });
          }
        }
      }

      const firstId = progress.messageIds[0]!;
      const externalId = `${chatId}:${firstId}`;
      // Telegram may hold a video post to a large channel until the video is re-encoded; such a message
      // comes back with id 0 and cannot be pinned, linked to or deleted by the bot.
      if (plan.options.pinned && firstId !== 0) {
        try {
          await api<boolean>(ctx, token, { method: 'pinChatMessage', params: { chat_id: chatId, message_id: firstId, disable_notification: plan.options.silent || undefined }, write: false });
        } catch (e) {
          const err = toConnectorError(e, 'pin the post', false);
          // Pinning again is harmless, so a passing failure is retried (the sent parts are recorded);
          // a refusal leaves the post published and unpinned rather than failing a post that is out.
          if (err.kind === 'retryable' || err.kind === 'rate_limited') {
            const recorded = await save({ ...session, inFlight: { ...(session.inFlight ?? {}), [key]: progress } }).then(
              () => true,
              () => false,
            );
            // Unrecorded, a retry would send the post again: better published and unpinned.
            if (recorded) throw new ConnectorError(err.kind, `${err.message} (the post is out as message ${firstId}; the retry only pins it)`, err.opts);
          }
        }
      }
      if (progress.messageIds.length > 1 || earlier || session.inFlight?.[key]) {
        const inFlight = { ...(session.inFlight ?? {}) };
        delete inFlight[key];
        const posts = { ...(session.posts ?? {}) };
        if (progress.messageIds.length > 1 && firstId !== 0) posts[externalId] = progress.messageIds;
        // The post is out: failing to record its extra ids only limits a later delete to the first message.
        await save({ ...session, inFlight, posts }).catch(() => undefined);
      }
      return { externalId, url: firstId === 0 ? null : urlOf(session, firstId) };
    },

    async delete(input, ctx): Promise<void> {
      const parsed = splitExternalId(input.externalId);
      const session = sessionOf(input.auth);
      if (!parsed || parsed.chatId !== session.chatId) {
        throw new ConnectorError('invalid_content', `"${input.externalId}" is not a message of ${input.auth.handle}`);
      }
      if (parsed.messageId === 0) {
        throw new ConnectorError(
          'invalid_content',
          'Telegram held this post back while re-encoding its video and never told Herald its message id, so the bot cannot delete it: delete it in the Telegram app',
        );
      }
      const ids = session.posts?.[input.externalId] ?? [parsed.messageId];
      const token = input.auth.credentials.botToken;
      try {
        if (ids.length > 1) await api<boolean>(ctx, token, { method: 'deleteMessages', params: { chat_id: parsed.chatId, message_ids: ids }, write: true });
        else await api<boolean>(ctx, token, { method: 'deleteMessage', params: { chat_id: parsed.chatId, message_id: ids[0] }, write: true });
      } catch (e) {
        if (e instanceof TelegramApiError && e.errorCode === 400 && /message to delete not found/i.test(e.description)) return;
        if (e instanceof TelegramApiError && e.errorCode === 400 && /can't be deleted/i.test(e.description)) {
          throw new ConnectorError('invalid_content', `Telegram would not delete the message (${e.description}): bots may delete their messages only within 48 hours; delete it in the Telegram app`, {
            networkCode: '400',
          });
        }
        throw toConnectorError(e, 'delete the post', true);
      }
      // The ids stay in the session (bounded): writing it here could race a publish of the same
      // account and drop that publish's progress record.
    },

    comments: {
      fetch: (input, ctx) => fetchComments(input.auth, input.cursor, ctx),

      async reply(input, ctx): Promise<PublishResult> {
        const s = sessionOf(input.auth);
        const parent = splitExternalId(input.parentExternalId);
        // Channels: the comment's own chat (the discussion group, which may have been linked after
        // connecting); the parent comes from Herald's inbox for this account. Groups: the group itself.
        const allowed = parent !== null && (s.chatType === 'channel' ? parent.chatId !== s.chatId : parent.chatId === s.chatId);
        if (!parent || !allowed) {
          throw new ConnectorError(
            'invalid_content',
            s.chatType === 'channel' && parent?.chatId === s.chatId
              ? 'A bot answers in the discussion group: reply to one of the comments under the post, not to the channel post itself'
              : `"${input.parentExternalId}" is not a message in ${s.chatType === 'channel' ? "the channel's discussion group" : input.auth.handle}`,
          );
        }
        let m: TgMessage;
        try {
          m = await api<TgMessage>(ctx, input.auth.credentials.botToken, {
            method: 'sendMessage',
            params: { chat_id: parent.chatId, text: input.text, reply_parameters: { message_id: parent.messageId } },
            write: true,
          });
        } catch (e) {
          throw toConnectorError(e, 'send the reply', true);
        }
        const root = input.rootExternalId ? splitExternalId(input.rootExternalId) : null;
        const url =
          s.chatType === 'channel'
            ? s.chatUsername && root && root.chatId === s.chatId
              ? `https://t.me/${s.chatUsername}/${root.messageId}?comment=${m.message_id}`
              : null
            : urlOf(s, m.message_id);
        return { externalId: `${m.chat?.id ?? parent.chatId}:${m.message_id}`, url };
      },
    },

    // Private messages to the bot arrive in the comments pass (one getUpdates reader per bot).
    directMessages: telegramDirectMessages(api),
    moderation: telegramModeration(api),

    metrics: {
      async account(input, ctx): Promise<AccountMetrics> {
        const s = sessionOf(input.auth);
        try {
          const count = await api<number>(ctx, input.auth.credentials.botToken, { method: 'getChatMemberCount', params: { chat_id: s.chatId }, write: false });
          return { followers: typeof count === 'number' ? count : null };
        } catch (e) {
          throw toConnectorError(e, 'read the member count', false);
        }
      },
      // The Bot API gives bots no view, reaction or forward counts for channel posts: every count stays
      // null (unknown), never 0. No request is made.
      async posts(input): Promise<Record<string, PostMetrics>> {
        return Object.fromEntries(input.externalIds.map((id) => [id, { views: null, likes: null, comments: null, shares: null }]));
      },
    },
  };
  return connector;
}

/** The production Telegram connector (https://api.telegram.org). */
export const telegramConnector: Connector<TelegramCredentials, TelegramSession> = createTelegramConnector();
