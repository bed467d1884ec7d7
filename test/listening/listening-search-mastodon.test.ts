/**
 * Listening by Mastodon search (GET /api/v2/search?type=statuses) at the HTTP level against a local
 * fake answering with doc-shaped fixtures (test/fixtures/mastodon-search; snac2 runs in
 * test/connectors/mastodon/mastodon-snac.test.ts and only one file may run it). Any request the fake
 * does not expect fails the test. On SQLite and PostgreSQL.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMastodonConnector } from '../../src/connectors/mastodon/mastodon.connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { searchListeningQueries } from '../../src/listening/listening-search';
import { listSearchMatches } from '../../src/repositories/listening-search.repository';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { createListeningQuery } from '../../src/use-cases/listening.use-case';
import { createUser } from '../../src/use-cases/users.use-case';
import type { UseCaseContext } from '../../src/server/services';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { FakePublicMastodon, type FakeRoute } from '../competitors/fake-public-mastodon';

const fixture = <T = unknown>(name: string): T => JSON.parse(readFileSync(new URL(`../fixtures/mastodon-search/${name}`, import.meta.url), 'utf8')) as T;

type StatusFixture = { id: string; created_at: string; content: string };

/** The search answer with the recent statuses written minutes ago (the last one stays years old). */
function searchAnswer(): { statuses: StatusFixture[] } {
  const a = fixture<{ statuses: StatusFixture[] }>('search-statuses.json');
  a.statuses.forEach((s, i) => {
    if (i < a.statuses.length - 1) s.created_at = new Date(Date.now() - (i + 1) * 60_000).toISOString();
  });
  return a;
}

const fake = new FakePublicMastodon();
beforeAll(async () => fake.start());
afterAll(async () => fake.stop());
afterEach(() => expect(fake.unexpected).toEqual([]));

const connectRoutes: FakeRoute[] = [
  { method: 'GET', path: '/api/v1/accounts/verify_credentials', reply: () => ({ status: 200, json: fixture('account-credential.json') }) },
  { method: 'GET', path: '/api/v2/instance', reply: () => ({ status: 200, json: fixture('instance-v2.json') }) },
];

describe.each(dialects())('listening search on Mastodon, doc-shaped HTTP fixtures (%s)', (dialect) => {
  let services: TestServices;
  let ucx: UseCaseContext;
  let accountId: string;
  afterAll(async () => {
    await services?.close();
  });

  it('searches with the account token, stores matches once with sentiment, leaves out own, excluded and old statuses', async () => {
    const registry = new ConnectorRegistry();
    registry.register(createMastodonConnector({ requestTimeoutMs: 2_000 }));
    services = await createTestServices(dialect, { services: { connectors: registry } });
    const created = await createUser({ db: services.database.db, services }, { email: `owner-${dialect}@example.test`, name: 'Owner', password: 'a long enough password', owner: true });
    ucx = { actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: created.workspace!.id, db: services.database.db, services };
    fake.reset(connectRoutes);
    accountId = (await connectAccount(ucx, { network: 'mastodon', credentials: { serviceUrl: fake.url, accessToken: 'token-listen' } })).id;

    const q = await createListeningQuery(ucx, { name: 'Brand', query: 'zorblat -giveaway' });
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: () => ({ status: 200, json: searchAnswer() }) }]);
    const r = await searchListeningQueries(services, ucx.workspaceId);
    expect(r).toMatchObject({ searches: 1, found: 4, matched: 2, failed: {} });
    expect(fake.seen).toHaveLength(1);
    const req = fake.seen[0]!;
    expect(Object.fromEntries(req.query)).toEqual({ q: 'zorblat', type: 'statuses', resolve: 'false', limit: '40' });
    expect(req.headers.authorization).toBe('Bearer token-listen');

    const matches = await listSearchMatches(services.database.db, ucx.workspaceId, q.id, 10);
    // Newest written first: the critic (1 minute ago), then the fan (4 minutes ago).
    expect(matches.map((m) => [m.post.external_id, m.post.author_handle, m.sentimentLabel])).toEqual([
      ['110000000000000004', 'critic@other.example', 'negative'],
      ['110000000000000001', 'fan@fans.example', 'positive'],
    ]);
    // HTML became text once: the escaped script is the text "<script>", never markup.
    expect(matches[0]!.post.text).toBe('zorblat <script>alert(1)</script> is terrible, broken and awful');
    expect(matches[1]!.post).toMatchObject({ text: 'The new #zorblat release is wonderful, thank you!', url: 'https://mastodon.example/@fan@fans.example/110000000000000001', lang: 'en', network: 'mastodon' });

    // Past the interval the same answer adds nothing.
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: () => ({ status: 200, json: searchAnswer() }) }]);
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 1, matched: 0 });
    expect(await listSearchMatches(services.database.db, ucx.workspaceId, q.id, 10)).toHaveLength(2);
  });

  it('rate limited: backs off until the reset; refused token: skipped for a while, the account is not flagged', async () => {
    const reset = new Date(Date.now() + 20 * 60_000).toISOString();
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: () => ({ status: 429, json: fixture('error-429.json'), headers: { 'x-ratelimit-reset': reset } }) }]);
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 1, failed: { rate_limited: 1 } });
    const cursor = async () => services.database.db.selectFrom('listening_search_cursors').selectAll().where('account_id', '=', accountId).executeTakeFirstOrThrow();
    const limited = await cursor();
    expect(Date.parse(limited.retry_at!)).toBeGreaterThanOrEqual(Date.parse(reset));
    expect(limited.failures).toBe(1);
    // Before the reset nothing is asked.
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 0 });
    expect(fake.seen).toHaveLength(1);

    services.advanceClock(25 * 60_000);
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: () => ({ status: 401, json: fixture('error-401.json') }) }]);
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 1, failed: { auth_expired: 1 } });
    const refused = await cursor();
    expect(refused.last_error).toMatch(/access token/);
    expect(Date.parse(refused.retry_at!)).toBeGreaterThan(services.now().getTime() + 30 * 60_000);
    const account = await services.database.db.selectFrom('accounts').select(['status']).where('id', '=', accountId).executeTakeFirstOrThrow();
    expect(account.status).toBe('ok');
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 0 });
    expect(fake.seen).toHaveLength(1);

    // After the pause a good answer clears the failure.
    services.advanceClock(2 * 3_600_000);
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: () => ({ status: 200, json: { accounts: [], statuses: [], hashtags: [] } }) }]);
    expect(await searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0 })).toMatchObject({ searches: 1, failed: {} });
    expect(await cursor()).toMatchObject({ failures: 0, last_error: null, retry_at: null });
  });

  it('a round makes at most maxSearchesPerRound searches: never searched first, then the longest ago', async () => {
    await createListeningQuery(ucx, { name: 'Praise', query: 'wonderful' });
    await createListeningQuery(ucx, { name: 'Complaints', query: 'terrible OR awful' });
    const asked: string[] = [];
    fake.reset([{ method: 'GET', path: '/api/v2/search', reply: (r) => (asked.push(r.query.get('q')!), { status: 200, json: searchAnswer() }) }]);
    const round = () => searchListeningQueries(services, ucx.workspaceId, { searchEveryMs: 0, maxSearchesPerRound: 1 });
    expect(await round()).toMatchObject({ searches: 1, matched: 1 });
    expect(await round()).toMatchObject({ searches: 1, matched: 1 });
    expect(await round()).toMatchObject({ searches: 1, matched: 0 });
    // One search of 'Complaints' asks for each of its two words.
    expect(asked).toEqual(['wonderful', 'terrible', 'awful', 'zorblat']);
  });
});
