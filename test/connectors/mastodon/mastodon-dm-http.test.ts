/**
 * Mastodon direct messages and moderation at the HTTP level, against a local fake answering with
 * Status / Notification JSON shaped like Mastodon's documentation (test/fixtures/mastodon/status.json,
 * https://docs.joinmastodon.org/entities/Status/ with `visibility: "direct"`, inside a `mention`
 * https://docs.joinmastodon.org/entities/Notification/). Why not snac2: snac 2.75 turns a
 * `visibility: "direct"` post into `"private"` in its API and its /api/v1/conversations is always
 * empty, so a real direct message cannot be told apart there (mastodon-snac.test.ts shows the answer
 * going out as a direct reply on the real server). Any request the fake does not expect fails the test.
 */
import type { IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccountAuth, ConnectorContext } from '../../../src/connectors/connector';
import { createMastodonConnector, type MastodonCredentials, type MastodonSession } from '../../../src/connectors/mastodon/mastodon.connector';
import { loopbackOnlyFetch } from '../../support/test-app';
import { useLoopbackServer } from '../../support/loopback-server';

const statusFixture = JSON.parse(readFileSync(new URL('../../fixtures/mastodon/status.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const alice = { ...(statusFixture.account as Record<string, unknown>), id: '2', username: 'alice', acct: 'alice@example.social', display_name: 'Alice' };
/** The docs' Status example, written by alice; `visibility` as given. */
const status = (id: string, visibility: 'direct' | 'public', content: string, inReplyTo: string | null = null) => ({
  ...statusFixture,
  id,
  visibility,
  content: `<p>${content}</p>`,
  account: alice,
  in_reply_to_id: inReplyTo,
  in_reply_to_account_id: inReplyTo ? '1' : null,
  url: `https://example.social/@alice/${id}`,
  mentions: [{ id: '1', username: 'Gargron', acct: 'Gargron', url: 'https://mastodon.social/@Gargron' }],
});
const mention = (id: string, s: Record<string, unknown>) => ({ id, type: 'mention', created_at: s.created_at, account: alice, status: s });

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}
type Route = { method: string; path: string; reply: (s: Seen) => { status: number; json?: unknown } };

let url = '';
let routes: Route[] = [];
let seen: Seen[] = [];
let unexpected: string[] = [];
const connector = createMastodonConnector({ requestTimeoutMs: 2_000 });
const ctx: ConnectorContext<MastodonSession> = { fetch: loopbackOnlyFetch, saveSession: async () => undefined, defaultServiceUrl: 'http://127.0.0.1:9' };
let auth: AccountAuth<MastodonCredentials, MastodonSession>;

useLoopbackServer(
  (req, res, body) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const s: Seen = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
    seen.push(s);
    const i = routes.findIndex((r) => r.method === s.method && r.path === s.path);
    if (i < 0) {
      unexpected.push(`${s.method} ${s.path}`);
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"unexpected request"}');
      return;
    }
    const r = routes.splice(i, 1)[0]!.reply(s);
    res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.json === undefined ? '' : JSON.stringify(r.json));
  },
  (base) => {
    url = base;
    auth = { accountId: 'a1', externalId: '1', handle: 'Gargron@mastodon.social', serviceUrl: url, credentials: { serviceUrl: url, accessToken: 'tok' }, session: { accountId: '1', username: 'Gargron' } };
  },
);
afterEach(() => {
  expect(unexpected).toEqual([]);
  expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  seen = [];
  unexpected = [];
});

describe('Mastodon direct messages (doc-shaped fixtures: snac2 reports direct statuses as private)', () => {
  it('a direct-visibility status in the mention notifications is a dm; a public mention stays a mention; one request, no second reader', async () => {
    routes = [
      {
        method: 'GET',
        path: '/api/v1/notifications',
        reply: () => ({ status: 200, json: [mention('902', status('202', 'public', '@Gargron have you seen this?')), mention('901', status('201', 'direct', '@Gargron my order never arrived'))] }),
      },
      { method: 'GET', path: '/api/v1/notifications', reply: () => ({ status: 200, json: [] }) },
    ];
    const r = await connector.comments!.fetch({ auth, cursor: JSON.stringify({ n: '900', seen: [] }), posts: [] }, ctx);
    expect(seen[0]!.query.getAll('types[]')).toEqual(['mention']);
    expect(seen[0]!.query.get('min_id')).toBe('900');
    const byId = new Map(r.items.map((i) => [i.externalId, i]));
    expect(byId.get('201')).toMatchObject({ kind: 'dm', author: { externalId: '2', handle: 'alice@example.social', displayName: 'Alice' }, text: '@Gargron my order never arrived', url: 'https://example.social/@alice/201' });
    expect(byId.get('202')).toMatchObject({ kind: 'mention' });
    expect(JSON.parse(r.cursor!)).toMatchObject({ n: '902' });
    expect(connector.directMessages!.fetch).toBeUndefined();
  });

  it('answers with a direct status that mentions the sender, in reply to their message, with the Idempotency-Key', async () => {
    routes = [
      { method: 'GET', path: '/api/v1/statuses/201', reply: () => ({ status: 200, json: status('201', 'direct', '@Gargron my order never arrived') }) },
      { method: 'POST', path: '/api/v1/statuses', reply: (s) => ({ status: 200, json: { ...status('301', 'direct', 'sorry'), account: statusFixture.account, in_reply_to_id: (JSON.parse(s.body) as { in_reply_to_id: string }).in_reply_to_id } }) },
    ];
    const r = await connector.directMessages!.send({ auth, messageExternalId: '201', correspondent: { externalId: '2', handle: 'alice@example.social' }, text: 'Sorry! We are on it.', idempotencyKey: 'dm-key-1' }, ctx);
    const post = seen.find((s) => s.method === 'POST')!;
    expect(JSON.parse(post.body)).toEqual({ status: '@alice@example.social Sorry! We are on it.', in_reply_to_id: '201', visibility: 'direct' });
    expect(post.headers['idempotency-key']).toBe('dm-key-1');
    expect(r.externalId).toBe('301');
  });

  it('moderation: only deleting our own statuses (the API cannot hide or remove other people\'s replies)', async () => {
    const m = connector.moderation!;
    expect(m.hide).toBeUndefined();
    expect(m.unhide).toBeUndefined();
    expect(m.delete).toBeUndefined();
    expect(m.restore).toBeUndefined();
    routes = [{ method: 'DELETE', path: '/api/v1/statuses/301', reply: () => ({ status: 200, json: status('301', 'direct', 'sorry') }) }];
    await m.deleteReply!({ auth, externalId: '301', parentExternalId: '201' }, ctx);
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(['DELETE /api/v1/statuses/301']);
  });
});
