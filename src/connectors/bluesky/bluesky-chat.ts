/**
 * Bluesky direct messages: Bluesky chat (`chat.bsky.convo.*`), a service apart from the PDS and the
 * AppView, reached through the account's PDS with the header
 * `atproto-proxy: did:web:api.bsky.chat#bsky_chat` (the chat service's DID and service id), and only
 * with an app password created with "Allow access to your direct messages".
 *
 * - Reading: `chat.bsky.convo.getLog` returns the account's chat events after a cursor (the log's own
 *   `cursor`, kept as Herald's DM cursor); `#logCreateMessage` events with a `#messageView` from
 *   someone else become `dm` items (their handle and name from `relatedProfiles`), and
 *   `#logDeleteMessage` reports one deleted. The first sync reads what the log gives from its start
 *   (at most `maxPages` pages) and continues from there.
 * - Answering: `chat.bsky.convo.sendMessage` into the message's conversation (`convoId`). The chat API
 *   has no idempotency key: a retry after an unknown outcome is the person's decision.
 * - An app password without DM access is refused by the chat service (HTTP 401/403): the sync then
 *   has no DMs and keeps its cursor instead of flagging the account, whose posting still works.
 * Not tested against a live chat service (the local development network has none): HTTP-level tests
 * with answers shaped like the lexicons.
 */
import { ConnectorError, type AccountAuth, type ConnectorContext, type DirectMessagesCapability, type InboundMessage } from '../connector';
import { XrpcResponseError, isAuthError, toConnectorError, type BlueskyClient, type BlueskyCredentials, type BlueskySession } from './bluesky-client';

/** The chat service behind Bluesky's PDSes ("<did>#<service id>"). */
export const BLUESKY_CHAT_PROXY = 'did:web:api.bsky.chat#bsky_chat';
const maxPages = 10;

interface ChatProfile {
  did: string;
  handle: string;
  displayName?: string;
}
interface MessageView {
  $type?: string;
  id: string;
  rev: string;
  text?: string;
  sender: { did: string };
  sentAt: string;
}
interface LogEntry {
  $type?: string;
  rev: string;
  convoId: string;
  message?: MessageView;
  relatedProfiles?: ChatProfile[];
}

const idOf = (convoId: string, messageId: string) => `chat:${convoId}:${messageId}`;

function parseId(id: string): { convoId: string; messageId: string } | null {
  const m = /^chat:([^:]+):(.+)$/.exec(id);
  return m ? { convoId: m[1]!, messageId: m[2]! } : null;
}

type ClientFor = (auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>) => BlueskyClient;

/** The chat service refused this sign-in (no DM access), as opposed to the session being stale. */
const chatRefused = (e: unknown) => e instanceof XrpcResponseError && (e.status === 401 || e.status === 403);

/** Bluesky chat as the `directMessages` capability. */
export function blueskyDirectMessages(clientFor: ClientFor, proxy: string = BLUESKY_CHAT_PROXY): DirectMessagesCapability<BlueskyCredentials, BlueskySession> {
  return {
    async fetch(input, ctx) {
      const client = clientFor(input.auth, ctx);
      try {
        return await client.authed(async (session) => {
          const items: InboundMessage[] = [];
          let cursor = input.cursor;
          for (let page = 0; page < maxPages; page++) {
            const r = await client.call<{ cursor?: string; logs?: LogEntry[] }>({ method: 'GET', nsid: 'chat.bsky.convo.getLog', params: cursor ? { cursor } : {}, token: session.accessJwt, proxy, write: false });
            const logs = Array.isArray(r.logs) ? r.logs : [];
            for (const log of logs) {
              const m = log.message;
              if (!m || m.sender?.did === session.did || m.sender?.did === input.auth.externalId) continue;
              if (log.$type === 'chat.bsky.convo.defs#logDeleteMessage') {
                items.push({ externalId: idOf(log.convoId, m.id), kind: 'dm', parentExternalId: null, rootExternalId: null, author: { externalId: m.sender.did, handle: m.sender.did, displayName: null }, text: '', url: null, createdAt: m.sentAt, deleted: true });
                continue;
              }
              if (log.$type !== 'chat.bsky.convo.defs#logCreateMessage' || (m.$type && m.$type !== 'chat.bsky.convo.defs#messageView')) continue;
              const who = log.relatedProfiles?.find((p) => p.did === m.sender.did);
              items.push({
                externalId: idOf(log.convoId, m.id),
                kind: 'dm',
                parentExternalId: null,
                rootExternalId: null,
                author: { externalId: m.sender.did, handle: who?.handle ?? m.sender.did, displayName: who?.displayName || null },
                text: m.text ?? '',
                url: null,
                createdAt: m.sentAt,
              });
            }
            const next = r.cursor ?? logs.at(-1)?.rev ?? cursor;
            if (!logs.length || next === cursor) break;
            cursor = next ?? null;
          }
          return { items, cursor };
        });
      } catch (e) {
        if (chatRefused(e) || (isAuthError(e) && e instanceof XrpcResponseError)) return { items: [], cursor: input.cursor };
        throw toConnectorError(e, 'read direct messages', false);
      }
    },

    async send(input, ctx) {
      const ref = parseId(input.messageExternalId);
      if (!ref) throw new ConnectorError('invalid_content', `"${input.messageExternalId}" is not a Bluesky chat message`);
      const client = clientFor(input.auth, ctx);
      try {
        const m = await client.authed((session) =>
          client.call<MessageView>({ method: 'POST', nsid: 'chat.bsky.convo.sendMessage', json: { convoId: ref.convoId, message: { text: input.text } }, token: session.accessJwt, proxy, write: true }),
        );
        return { externalId: idOf(ref.convoId, m.id), url: null };
      } catch (e) {
        if (chatRefused(e)) {
          throw new ConnectorError('invalid_content', `Bluesky chat refused this sign-in (${e instanceof Error ? e.message : String(e)}): create an app password with access to direct messages and reconnect`, { networkCode: 'chat' });
        }
        throw toConnectorError(e, 'send the direct message', true);
      }
    },
  };
}
