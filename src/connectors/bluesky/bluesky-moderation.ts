/**
 * Bluesky moderation from the inbox.
 *
 * Hiding a reply: the author of a thread's root post may hide replies in it by listing them in the
 * thread's threadgate record (`app.bsky.feed.threadgate`, record key = the root post's, in the same
 * repository; `hiddenReplies`, at most 300 AT-URIs; an absent `allow` keeps replies open to everyone).
 * The AppView then puts those replies apart ("hidden by the thread's author") and drops them from the
 * author's notifications. Herald reads the current threadgate, adds or removes the reply and writes
 * it back with `swapRecord` (compare-and-swap on the record's CID), so a change made meanwhile (e.g.
 * reply controls set in the app) is never overwritten: the call fails and can be repeated.
 * Only under the account's own posts (`ownPostsOnly`); other people's threads cannot be gated.
 *
 * Deleting: the account may delete only its own records, so Herald deletes our replies
 * (`deleteReply`); someone else's reply cannot be removed, only hidden.
 */
import { ConnectorError, type AccountAuth, type ConnectorContext, type ModerationCapability } from '../connector';
import { parseRecordUri } from './atproto-syntax';
import { XrpcResponseError, toConnectorError, type BlueskyClient, type BlueskyCredentials, type BlueskySession } from './bluesky-client';

const THREADGATE = 'app.bsky.feed.threadgate';
const POST = 'app.bsky.feed.post';
/** The lexicon's maxLength of hiddenReplies. */
export const MAX_HIDDEN_REPLIES = 300;

interface ThreadgateRecord {
  $type?: string;
  post: string;
  createdAt: string;
  allow?: unknown[];
  hiddenReplies?: string[];
  [k: string]: unknown;
}

type ClientFor = (auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>) => BlueskyClient;

/** Adds (`hide`) or removes the reply in the root post's threadgate. */
async function setHidden(clientFor: ClientFor, auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>, replyUri: string, rootUri: string | null, hide: boolean): Promise<void> {
  const root = rootUri ? parseRecordUri(rootUri) : null;
  if (!root || root.collection !== POST) throw new ConnectorError('invalid_content', 'This reply has no thread root on Bluesky, so there is no thread to hide it in');
  if (!parseRecordUri(replyUri)) throw new ConnectorError('invalid_content', `"${replyUri}" is not the address of a Bluesky post`);
  const client = clientFor(auth, ctx);
  try {
    await client.authed(async (session) => {
      if (root.repo !== session.did && root.repo !== auth.externalId) throw new ConnectorError('invalid_content', 'Bluesky lets only the author of the thread hide replies in it');
      let current: { value: ThreadgateRecord; cid: string } | null = null;
      try {
        current = await client.call<{ value: ThreadgateRecord; cid: string }>({ method: 'GET', nsid: 'com.atproto.repo.getRecord', params: { repo: session.did, collection: THREADGATE, rkey: root.rkey }, token: session.accessJwt, write: false });
      } catch (e) {
        if (!(e instanceof XrpcResponseError && (e.code === 'RecordNotFound' || e.status === 404 || (e.status === 400 && /not found/i.test(e.message))))) throw e;
      }
      const hidden = new Set(current?.value.hiddenReplies ?? []);
      if (hide === hidden.has(replyUri)) return; // already as wanted
      if (hide) hidden.add(replyUri);
      else hidden.delete(replyUri);
      if (hidden.size > MAX_HIDDEN_REPLIES) throw new ConnectorError('invalid_content', `Bluesky keeps at most ${MAX_HIDDEN_REPLIES} hidden replies per thread`);
      const record: ThreadgateRecord = { ...(current?.value ?? { post: `at://${session.did}/${POST}/${root.rkey}`, createdAt: new Date().toISOString() }), $type: THREADGATE, hiddenReplies: [...hidden] };
      await client.call({
        method: 'POST',
        nsid: 'com.atproto.repo.putRecord',
        // swapRecord: null means "only if there is none yet"; a CID means "only if it is still this one".
        json: { repo: session.did, collection: THREADGATE, rkey: root.rkey, record, swapRecord: current ? current.cid : null },
        token: session.accessJwt,
        write: true,
      });
    });
  } catch (e) {
    if (e instanceof XrpcResponseError && e.code === 'InvalidSwap') {
      throw new ConnectorError('retryable', "The thread's reply settings changed on Bluesky at the same moment; try again", { networkCode: 'InvalidSwap' });
    }
    throw toConnectorError(e, hide ? 'hide the reply' : 'show the reply again', true);
  }
}

/** Deletes one of the account's own posts (our reply); already gone counts as done. */
async function deleteOwn(clientFor: ClientFor, auth: AccountAuth<BlueskyCredentials, BlueskySession>, ctx: ConnectorContext<BlueskySession>, uri: string): Promise<void> {
  const parsed = parseRecordUri(uri);
  if (!parsed || parsed.collection !== POST) throw new ConnectorError('invalid_content', `"${uri}" is not the address of a Bluesky post`);
  const client = clientFor(auth, ctx);
  try {
    await client.authed(async (session) => {
      if (parsed.repo !== session.did && parsed.repo !== auth.externalId) throw new ConnectorError('invalid_content', 'Bluesky lets an account delete only its own posts');
      try {
        await client.call({ method: 'POST', nsid: 'com.atproto.repo.deleteRecord', json: { repo: session.did, collection: POST, rkey: parsed.rkey }, token: session.accessJwt, write: true });
      } catch (e) {
        if (e instanceof XrpcResponseError && e.code === 'RecordNotFound') return;
        throw e;
      }
    });
  } catch (e) {
    throw toConnectorError(e, 'delete the reply', true);
  }
}

/** Hide/unhide replies under our posts (threadgate hiddenReplies) and delete our own replies. */
export function blueskyModeration(clientFor: ClientFor): ModerationCapability<BlueskyCredentials, BlueskySession> {
  return {
    hide: { kinds: ['comment', 'reply', 'mention'], ownPostsOnly: true, run: (input, ctx) => setHidden(clientFor, input.auth, ctx, input.message.externalId, input.message.rootExternalId, true) },
    unhide: { kinds: ['comment', 'reply', 'mention'], ownPostsOnly: true, run: (input, ctx) => setHidden(clientFor, input.auth, ctx, input.message.externalId, input.message.rootExternalId, false) },
    deleteReply: (input, ctx) => deleteOwn(clientFor, input.auth, ctx, input.externalId),
  };
}
