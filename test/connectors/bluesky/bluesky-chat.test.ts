/**
 * Bluesky direct messages through Bluesky chat at the HTTP level. The local development network has no
 * chat service, so a loopback fake answers `chat.bsky.convo.getLog` and `chat.bsky.convo.sendMessage`
 * with bodies shaped exactly like the lexicons (chat.bsky.convo.defs#logCreateMessage /
 * #logDeleteMessage / #messageView, chat.bsky.actor.defs#profileViewBasic); every chat request must
 * carry the account's token and the chat `atproto-proxy` header (a session refresh goes to the PDS
 * itself with the refresh token), and any other request fails the test.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createBlueskyConnector, type BlueskyCredentials, type BlueskySession } from '../../../src/connectors/bluesky/bluesky.connector';
import { BLUESKY_CHAT_PROXY } from '../../../src/connectors/bluesky/bluesky-chat';
import type { AccountAuth, ConnectorContext } from '../../../src/connectors/connector';
import { loopbackFetch } from './loopback-fetch';
import { useLoopbackServer } from '../../support/loopback-server';

const ME = 'did:plc:alice';
const BOB = 'did:plc:bob';
type Answer = { status: number; json: unknown };
let base = '';
let expected: Array<{ nsid: string; answer: Answer }> = [];
let seen: Array<{ nsid: string; query: URLSearchParams; headers: IncomingHttpHeaders; body: unknown }> = [];
let unexpected: string[] = [];

useLoopbackServer(
  (req, res, raw) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const nsid = u.pathname.replace(/^\/xrpc\//, '');
    seen.push({ nsid, query: u.searchParams, headers: req.headers, body: raw ? JSON.parse(raw) : null });
    const next = expected[0];
    // Chat calls go to the chat service through the PDS; the session refresh is the PDS's own.
    const chat = nsid.startsWith('chat.bsky.');
    const headersOk = chat ? req.headers['atproto-proxy'] === BLUESKY_CHAT_PROXY && req.headers.authorization === 'Bearer access-jwt' : req.headers['atproto-proxy'] === undefined && req.headers.authorization === 'Bearer refresh-jwt';
    if (!next || next.nsid !== nsid || !headersOk) {
      unexpected.push(`${req.method} ${nsid}`);
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'InvalidRequest', message: 'unexpected' }));
      return;
    }
    expected.shift();
    res.writeHead(next.answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(next.answer.json));
  },
  (url) => (base = url),
);
afterEach(() => {
  const problems = [...unexpected, ...expected.map((e) => `expected but not received: ${e.nsid}`)];
  expected = [];
  seen = [];
  unexpected = [];
  expect(problems).toEqual([]);
});

const connector = createBlueskyConnector({ requestTimeoutMs: 2_000, chatProxy: BLUESKY_CHAT_PROXY });
const ctx: ConnectorContext<BlueskySession> = { fetch: loopbackFetch(), saveSession: async () => undefined, defaultServiceUrl: 'http://127.0.0.1:1' };
const auth = (): AccountAuth<BlueskyCredentials, BlueskySession> => ({
  accountId: 'a1',
  externalId: ME,
  handle: 'alice.test',
  serviceUrl: base,
  credentials: { identifier: 'alice.test', appPassword: 'aaaa-bbbb-cccc-dddd', serviceUrl: base },
  session: { did: ME, handle: 'alice.test', accessJwt: 'access-jwt', refreshJwt: 'refresh-jwt', serviceUrl: base } as BlueskySession,
});
const message = (id: string, sender: string, text: string, sentAt: string) => ({ $type: 'chat.bsky.convo.defs#messageView', id, rev: `rev-${id}`, text, sender: { did: sender }, sentAt });
const bobProfile = { did: BOB, handle: 'bob.test', displayName: 'Bob', associated: { chat: { allowIncoming: 'all' } } };

describe('Bluesky chat (doc-shaped answers; no chat service in the local network)', () => {
  it('is declared only when a chat service is configured', () => {
    expect(createBlueskyConnector().directMessages).toBeUndefined();
    expect(connector.directMessages?.fetch).toBeTypeOf('function');
  });

  it('reads new messages from the log after the cursor: others\' messages as DMs, deletions reported, our own and other events skipped', async () => {
    expected.push({
      nsid: 'chat.bsky.convo.getLog',
      answer: {
        status: 200,
        json: {
          cursor: 'rev-m4',
          logs: [
            { $type: 'chat.bsky.convo.defs#logBeginConvo', rev: 'rev-b', convoId: 'convo1' },
            { $type: 'chat.bsky.convo.defs#logCreateMessage', rev: 'rev-m1', convoId: 'convo1', message: message('m1', BOB, 'Hi! Is the shop open on Sunday?', '2026-11-26T08:00:00.000Z'), relatedProfiles: [bobProfile] },
            { $type: 'chat.bsky.convo.defs#logCreateMessage', rev: 'rev-m2', convoId: 'convo1', message: message('m2', ME, 'Yes, 10–16.', '2026-11-26T08:01:00.000Z') },
            { $type: 'chat.bsky.convo.defs#logReadMessage', rev: 'rev-r', convoId: 'convo1', message: message('m2', ME, 'Yes, 10–16.', '2026-11-26T08:01:00.000Z') },
            { $type: 'chat.bsky.convo.defs#logDeleteMessage', rev: 'rev-m4', convoId: 'convo1', message: { $type: 'chat.bsky.convo.defs#deletedMessageView', id: 'm0', rev: 'rev-m0', sender: { did: BOB }, sentAt: '2026-11-26T07:00:00.000Z' } },
          ],
        },
      },
    });
    expected.push({ nsid: 'chat.bsky.convo.getLog', answer: { status: 200, json: { cursor: 'rev-m4', logs: [] } } });
    const r = await connector.directMessages!.fetch!({ auth: auth(), cursor: 'rev-a' }, ctx);
    expect(seen[0]!.query.get('cursor')).toBe('rev-a');
    expect(seen[1]!.query.get('cursor')).toBe('rev-m4');
    expect(r.items).toEqual([
      { externalId: 'chat:convo1:m1', kind: 'dm', parentExternalId: null, rootExternalId: null, author: { externalId: BOB, handle: 'bob.test', displayName: 'Bob' }, text: 'Hi! Is the shop open on Sunday?', url: null, createdAt: '2026-11-26T08:00:00.000Z' },
      expect.objectContaining({ externalId: 'chat:convo1:m0', deleted: true }),
    ]);
    expect(r.cursor).toBe('rev-m4');
  });

  it('an app password without DM access gets no DMs and keeps its cursor', async () => {
    expected.push({ nsid: 'chat.bsky.convo.getLog', answer: { status: 401, json: { error: 'AuthMissing', message: 'Bad token scope' } } });
    // The session is renewed once on an auth error, then the chat service refuses again.
    expected.push({ nsid: 'com.atproto.server.refreshSession', answer: { status: 200, json: { did: ME, handle: 'alice.test', accessJwt: 'access-jwt', refreshJwt: 'refresh-jwt' } } });
    expected.push({ nsid: 'chat.bsky.convo.getLog', answer: { status: 401, json: { error: 'AuthMissing', message: 'Bad token scope' } } });
    const r = await connector.directMessages!.fetch!({ auth: auth(), cursor: 'rev-a' }, ctx).catch((e: unknown) => e);
    expect(r).toEqual({ items: [], cursor: 'rev-a' });
  });

  it('answers in the conversation with chat.bsky.convo.sendMessage', async () => {
    expected.push({ nsid: 'chat.bsky.convo.sendMessage', answer: { status: 200, json: message('m5', ME, 'Yes — 10 to 16.', '2026-11-26T08:05:00.000Z') } });
    const r = await connector.directMessages!.send({ auth: auth(), messageExternalId: 'chat:convo1:m1', correspondent: { externalId: BOB, handle: 'bob.test' }, text: 'Yes — 10 to 16.', idempotencyKey: 'k' }, ctx);
    expect(seen[0]!.body).toEqual({ convoId: 'convo1', message: { text: 'Yes — 10 to 16.' } });
    expect(r).toEqual({ externalId: 'chat:convo1:m5', url: null });
    await expect(connector.directMessages!.send({ auth: auth(), messageExternalId: 'at://did:plc:bob/app.bsky.feed.post/1', correspondent: { externalId: BOB, handle: 'bob.test' }, text: 'x', idempotencyKey: 'k' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content' });
  });
});
