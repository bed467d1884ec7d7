/**
 * Comments and replies from getUpdates.
 *
 * Channels: comments live in the channel's linked discussion group. Telegram forwards every channel
 * post there automatically (`is_automatic_forward`, `forward_origin` = the channel post); a comment is
 * a group message answering that forward, or any message in its thread (`message_thread_id` = the
 * forward's id in the group). Groups: a reply is a message answering one of the bot's own messages.
 * Private chats with the bot: direct messages (`kind: 'dm'`), read in the same pass because getUpdates
 * has one offset per bot (a second reader would confirm, and so lose, the other's updates).
 *
 * The cursor is Herald's own, opaque to the engine: `{"v":1,"offset":N,"threads":{…}}` — the next
 * getUpdates offset plus the recent "forward in the group → channel post" pairs, so a reply deep in a
 * comment thread (whose reply_to_message is another comment) still names the channel post it belongs
 * to, even when the forward arrived in an earlier fetch.
 */
import type { InboundMessage } from '../connector';
import type { TgChat, TgMessage, TgUpdate, TgUser } from './telegram-types';

/** What the comment reader needs to know about the connected chat. */
export interface InboundChat {
  botId: number;
  chatId: number;
  chatType: TgChat['type'];
  chatUsername: string | null;
  /** The channel's discussion group. */
  linkedChatId: number | null;
}

/** The decoded cursor. */
export interface TelegramCursor {
  /** The next getUpdates offset (null = none yet: take whatever Telegram still holds). */
  offset: number | null;
  /** Group message id of an automatic forward → the channel post's message id. */
  threads: Record<string, number>;
}

/** How many thread pairs the cursor keeps (the newest; message ids grow over time). */
export const MAX_CURSOR_THREADS = 500;

/** Reads a cursor written by `encodeCursor`; anything else starts afresh. */
export function decodeCursor(cursor: string | null): TelegramCursor {
  if (!cursor) return { offset: null, threads: {} };
  try {
    const parsed: unknown = JSON.parse(cursor);
    // A bare number is an offset.
    if (typeof parsed === 'number' && Number.isInteger(parsed)) return { offset: parsed, threads: {} };
    if (!parsed || typeof parsed !== 'object') return { offset: null, threads: {} };
    const raw = parsed as { v?: unknown; offset?: unknown; threads?: unknown };
    const offset = typeof raw.offset === 'number' && Number.isInteger(raw.offset) ? raw.offset : null;
    const threads: Record<string, number> = {};
    if (raw.threads && typeof raw.threads === 'object') {
      for (const [k, v] of Object.entries(raw.threads as Record<string, unknown>)) if (typeof v === 'number') threads[k] = v;
    }
    return { offset, threads };
  } catch {
    return { offset: null, threads: {} };
  }
}

/** Writes the cursor, keeping only the newest thread pairs. */
export function encodeCursor(c: TelegramCursor): string {
  const keys = Object.keys(c.threads)
    .map(Number)
    .sort((a, b) => a - b)
    .slice(-MAX_CURSOR_THREADS);
  const threads: Record<string, number> = {};
  for (const k of keys) threads[String(k)] = c.threads[String(k)]!;
  return JSON.stringify({ v: 1, offset: c.offset, threads });
}

/** The channel post an automatic forward stands for, when it is one of `channelId`'s. */
function forwardedPostOf(m: TgMessage | undefined, channelId: number): number | null {
  if (!m?.is_automatic_forward) return null;
  const o = m.forward_origin;
  if (o && o.type === 'channel' && o.chat?.id === channelId && typeof o.message_id === 'number') return o.message_id;
  if (m.forward_from_chat?.id === channelId && typeof m.forward_from_message_id === 'number') return m.forward_from_message_id;
  return null;
}

function authorOf(m: TgMessage): InboundMessage['author'] {
  if (m.sender_chat) {
    const c = m.sender_chat;
    return { externalId: String(c.id), handle: c.username ? `@${c.username}` : (c.title ?? String(c.id)), displayName: c.title ?? null };
  }
  const u: TgUser | undefined = m.from;
  if (!u) return { externalId: 'unknown', handle: 'unknown', displayName: null };
  const name = [u.first_name, u.last_name].filter(Boolean).join(' ') || null;
  return { externalId: String(u.id), handle: u.username ? `@${u.username}` : (name ?? String(u.id)), displayName: name };
}

const iso = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();
const idOf = (chatId: number, messageId: number) => `${chatId}:${messageId}`;

/**
 * Turns a batch of updates into inbound messages for `chat`, recording new thread pairs in
 * `cursor.threads` as it goes. Messages from the bot itself and from other chats are skipped.
 */
export function inboundFromUpdates(updates: TgUpdate[], chat: InboundChat, cursor: TelegramCursor): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const u of updates) {
    const edited = !u.message && !!u.edited_message;
    const m = u.message ?? u.edited_message;
    if (!m) continue;
    if (m.from?.id === chat.botId) continue;
    const text = m.text ?? m.caption ?? '';
    const base = { externalId: idOf(m.chat.id, m.message_id), author: authorOf(m), text, createdAt: iso(m.date), editedAt: edited && m.edit_date ? iso(m.edit_date) : null };

    // Someone wrote to the bot in private: a direct message (answered in that chat; its id is theirs).
    if (m.chat.type === 'private') {
      out.push({ ...base, kind: 'dm', parentExternalId: null, rootExternalId: null, url: null });
      continue;
    }

    if (chat.chatType === 'channel') {
      if (chat.linkedChatId === null || m.chat.id !== chat.linkedChatId) continue;
      const forwarded = forwardedPostOf(m, chat.chatId);
      if (forwarded !== null) {
        cursor.threads[String(m.message_id)] = forwarded;
        continue;
      }
      const directPost = forwardedPostOf(m.reply_to_message, chat.chatId);
      if (directPost === null && m.message_thread_id === undefined) continue; // ordinary group chatter
      if (directPost !== null && m.reply_to_message) cursor.threads[String(m.reply_to_message.message_id)] = directPost;
      const rootPost = directPost ?? (m.message_thread_id !== undefined ? (cursor.threads[String(m.message_thread_id)] ?? null) : null);
      const parent =
        directPost !== null
          ? idOf(chat.chatId, directPost)
          : m.reply_to_message && m.reply_to_message.message_id !== m.message_thread_id
            ? idOf(m.chat.id, m.reply_to_message.message_id)
            : rootPost !== null
              ? idOf(chat.chatId, rootPost)
              : null;
      out.push({
        ...base,
        kind: 'comment',
        parentExternalId: parent,
        rootExternalId: rootPost !== null ? idOf(chat.chatId, rootPost) : null,
        url: chat.chatUsername && rootPost !== null ? `https://t.me/${chat.chatUsername}/${rootPost}?comment=${m.message_id}` : null,
      });
      continue;
    }

    // A group: replies to the bot's own messages (its posts and its answers).
    if (m.chat.id !== chat.chatId) continue;
    const r = m.reply_to_message;
    if (!r || r.from?.id !== chat.botId) continue;
    out.push({
      ...base,
      kind: 'reply',
      parentExternalId: idOf(m.chat.id, r.message_id),
      rootExternalId: idOf(m.chat.id, r.message_id),
      url: chat.chatUsername ? `https://t.me/${chat.chatUsername}/${m.message_id}` : null,
    });
  }
  return out;
}
