/**
 * VK community messages (direct messages to a community) and moderation of wall comments.
 *
 * Direct messages (dev.vk.com/ru/method/messages.getConversations, messages.getHistory,
 * messages.send): only a community wall has a community inbox, read with `group_id`. The cursor is the
 * highest message id seen (ids grow in a community's mailbox). A sync lists conversations newest
 * first, stops at the first whose last message is not newer than the cursor, and reads the history of
 * each newer one (incoming messages only, `out = 0`); the first sync takes only each conversation's
 * last message. Reading community messages needs the community's messages permission: a sign-in that
 * lacks it (VK ID user sign-ins usually do) gets no DMs — the sync goes on without them instead of
 * flagging the account, since its wall access is fine. Answers go out with messages.send to the
 * person (`peer_id`) as a reply (`reply_to`); `random_id` is derived from the reply's idempotency key,
 * so VK drops a resend of the same answer.
 *
 * Moderation (dev.vk.com/ru/method/wall.deleteComment, wall.restoreComment): the wall's owner (the
 * community's admins) may delete any comment on it and restore a deleted one; our own replies are
 * deleted the same way. VK has no "hide" for a single comment: no hide/unhide.
 */
import { createHash } from 'node:crypto';
import { ConnectorError, type AccountAuth, type ConnectorContext, type DirectMessagesCapability, type InboundMessage, type ModerationCapability, type PublishResult } from '../connector';
import { VkApiError, vkErrorToConnectorError } from './vk-api';

/** What these capabilities need from the connector: a client for the account and its wall owner. */
export interface VkCaller {
  call<T>(method: string, params: Record<string, string | number | boolean | undefined>, opts: { write: boolean; what: string }): Promise<T>;
}

/** Codes VK answers when the sign-in may not use community messages (no access / permission). */
const NO_MESSAGES_ACCESS = new Set([7, 15, 27, 917]);

interface VkMessage {
  id: number;
  date: number;
  from_id: number;
  peer_id: number;
  out: 0 | 1;
  text?: string;
  update_time?: number;
}
interface VkProfile {
  id: number;
  first_name?: string;
  last_name?: string;
  screen_name?: string;
}

const dmId = (peerId: number, messageId: number) => `msg_${peerId}_${messageId}`;

function parseDmId(id: string): { peerId: number; messageId: number } | null {
  const m = /^msg_(\d+)_(\d+)$/.exec(id);
  return m ? { peerId: Number(m[1]), messageId: Number(m[2]) } : null;
}

/** VK's random_id for a reply: a positive int32 from the idempotency key (the same key, the same id). */
export function vkRandomId(idempotencyKey: string): number {
  return createHash('sha256').update(`dm:${idempotencyKey}`).digest().readUInt32BE(0) & 0x7fffffff;
}

/** Community messages for accounts whose wall is a community (negative owner id). */
export function vkDirectMessages<Cred, Session>(deps: { clientFor(auth: AccountAuth<Cred, Session>, ctx: ConnectorContext<Session>): VkCaller; ownerOf(auth: AccountAuth<Cred, Session>): number }): DirectMessagesCapability<Cred, Session> {
  return {
    async fetch(input, ctx) {
      const owner = deps.ownerOf(input.auth);
      if (owner > 0) return { items: [], cursor: input.cursor }; // a profile wall has no community inbox
      const groupId = -owner;
      const last = input.cursor && /^\d+$/.test(input.cursor) ? Number(input.cursor) : null;
      const client = deps.clientFor(input.auth, ctx);
      const names = new Map<number, { handle: string; displayName: string | null }>();
      const remember = (ps: VkProfile[] | undefined) => {
        for (const u of ps ?? []) names.set(u.id, { handle: u.screen_name ?? `id${u.id}`, displayName: [u.first_name, u.last_name].filter(Boolean).join(' ') || null });
      };
      const incoming: VkMessage[] = [];
      try {
        const convs = await client.call<{ items?: Array<{ conversation?: { peer?: { id: number; type: string } }; last_message?: VkMessage }>; profiles?: VkProfile[] }>(
          'messages.getConversations',
          { group_id: groupId, filter: 'all', count: 50, extended: 1, fields: 'screen_name' },
          { write: false, what: 'read community messages' },
        );
        remember(convs.profiles);
        for (const c of convs.items ?? []) {
          const lm = c.last_message;
          if (!lm || c.conversation?.peer?.type !== 'user') continue;
          if (last !== null && lm.id <= last) break; // newest first: the rest was seen
          if (last === null) {
            if (lm.out === 0) incoming.push(lm);
            continue;
          }
          const h = await client.call<{ items?: VkMessage[]; profiles?: VkProfile[] }>(
            'messages.getHistory',
            { group_id: groupId, peer_id: lm.peer_id, count: 50, extended: 1, fields: 'screen_name' },
            { write: false, what: 'read a community conversation' },
          );
          remember(h.profiles);
          for (const m of h.items ?? []) if (m.out === 0 && m.id > last) incoming.push(m);
        }
      } catch (e) {
        if (e instanceof VkApiError && NO_MESSAGES_ACCESS.has(e.code)) return { items: [], cursor: input.cursor };
        throw vkErrorToConnectorError(e, 'read community messages', false);
      }
      const items: InboundMessage[] = incoming.map((m) => {
        const who = names.get(m.from_id) ?? { handle: `id${m.from_id}`, displayName: null };
        return {
          externalId: dmId(m.peer_id, m.id),
          kind: 'dm',
          parentExternalId: null,
          rootExternalId: null,
          author: { externalId: String(m.from_id), handle: who.handle, displayName: who.displayName },
          text: m.text ?? '',
          url: null,
          createdAt: new Date(m.date * 1000).toISOString(),
          editedAt: m.update_time ? new Date(m.update_time * 1000).toISOString() : null,
        };
      });
      const max = Math.max(last ?? 0, ...incoming.map((m) => m.id));
      return { items, cursor: max > 0 ? String(max) : input.cursor };
    },

    async send(input, ctx): Promise<PublishResult> {
      const owner = deps.ownerOf(input.auth);
      const m = parseDmId(input.messageExternalId);
      if (owner > 0 || !m || String(m.peerId) !== input.correspondent.externalId) {
        throw new ConnectorError('invalid_content', `"${input.messageExternalId}" is not a message to the community`);
      }
      const client = deps.clientFor(input.auth, ctx);
      try {
        const id = await client.call<number>(
          'messages.send',
          { group_id: -owner, peer_id: m.peerId, message: input.text, reply_to: m.messageId, random_id: vkRandomId(input.idempotencyKey) },
          { write: true, what: 'answer the message' },
        );
        return { externalId: dmId(m.peerId, Number(id)), url: null };
      } catch (e) {
        if (e instanceof VkApiError && NO_MESSAGES_ACCESS.has(e.code)) {
          throw new ConnectorError('invalid_content', `VK does not let this sign-in answer community messages (error ${e.code}: ${e.vkMessage}); it needs the community's messages permission`, { networkCode: String(e.code) });
        }
        throw vkErrorToConnectorError(e, 'answer the message', true);
      }
    },
  };
}

function parseCommentId(id: string): { ownerId: number; commentId: number } | null {
  const m = /^(-?\d+)_(\d+)_(\d+)$/.exec(id);
  return m ? { ownerId: Number(m[1]), commentId: Number(m[3]) } : null;
}

/** Deleting and restoring comments on the connected wall, and deleting our replies. */
export function vkModeration<Cred, Session>(deps: { clientFor(auth: AccountAuth<Cred, Session>, ctx: ConnectorContext<Session>): VkCaller; ownerOf(auth: AccountAuth<Cred, Session>): number }): ModerationCapability<Cred, Session> {
  const onWall = (method: 'wall.deleteComment' | 'wall.restoreComment', what: string) => async (auth: AccountAuth<Cred, Session>, externalId: string, ctx: ConnectorContext<Session>) => {
    const c = parseCommentId(externalId);
    if (!c || c.ownerId !== deps.ownerOf(auth)) throw new ConnectorError('invalid_content', `"${externalId}" is not a comment on the connected wall`);
    try {
      await deps.clientFor(auth, ctx).call<number>(method, { owner_id: c.ownerId, comment_id: c.commentId }, { write: true, what });
    } catch (e) {
      throw vkErrorToConnectorError(e, what, true);
    }
  };
  const del = onWall('wall.deleteComment', 'delete the comment');
  const restore = onWall('wall.restoreComment', 'restore the comment');
  return {
    delete: { kinds: ['comment', 'reply'], run: (input, ctx) => del(input.auth, input.message.externalId, ctx) },
    restore: { kinds: ['comment', 'reply'], run: (input, ctx) => restore(input.auth, input.message.externalId, ctx) },
    deleteReply: (input, ctx) => del(input.auth, input.externalId, ctx),
  };
}
