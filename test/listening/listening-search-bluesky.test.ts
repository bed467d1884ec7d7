/**
 * Listening by network search against a real local AT Protocol network with an AppView (PLC + PDS +
 * Bluesky AppView from @atproto/dev-env, started by this file): Bob posts with a keyword and a
 * hashtag; the workspace's connected account (Dave) searches through its PDS with
 * app.bsky.feed.searchPosts; matches are stored once with sentiment, a NOT term excludes its post,
 * Dave's own post is not a match, and a second sweep adds nothing. On SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlueskyConnector } from '../../src/connectors/bluesky/bluesky.connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { listeningSearchesSettled, listeningSweep } from '../../src/listening/listening-matching';
import { searchListeningQueries } from '../../src/listening/listening-search';
import { listSearchMatches } from '../../src/repositories/listening-search.repository';
import { createListeningQuery, updateListeningQuery } from '../../src/use-cases/listening.use-case';
import { dialects } from '../support/databases';
import { setupBlueskyWorkspace } from '../support/publish-fixtures';
import { createTestServices, loopbackOnlyFetch, type TestServices } from '../support/test-app';
import type { BlueskyTestNetwork } from '../support/bluesky-network';
import { appviewSuitesEnabled, eventually, useAppviewNetwork, xrpc, type Actor } from '../support/bluesky-appview';

const enabled = appviewSuitesEnabled;

describe.skipIf(!enabled)('listening search on a local Bluesky network with an AppView', () => {
  const bsky = useAppviewNetwork();
  let net: BlueskyTestNetwork;
  let bob: Actor;

  const post = async (who: { did: string; token: string }, text: string, extra: Record<string, unknown> = {}) =>
    xrpc<{ uri: string }>(net.pdsUrl, 'com.atproto.repo.createRecord', {
      token: who.token,
      body: { repo: who.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', text, langs: ['en'], createdAt: new Date().toISOString(), ...extra } },
    });
  const hashtagFacet = (text: string, tag: string) => {
    const at = Buffer.from(text, 'utf8').indexOf(`#${tag}`);
    return [{ index: { byteStart: at, byteEnd: at + Buffer.byteLength(`#${tag}`) }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag }] }];
  };

  beforeAll(async () => {
    net = bsky.net;
    [bob] = (await bsky.actors('bob')) as [Actor];
  }, 60_000);

  describe.each(dialects())('%s', (dialect) => {
    let services: TestServices;
    afterAll(async () => {
      await services?.close();
    });

    it('finds Bob’s posts once with sentiment; NOT excludes; own posts are not matches; a second sweep adds nothing', async () => {
      const registry = new ConnectorRegistry();
      registry.register(createBlueskyConnector({ requestTimeoutMs: 10_000 }));
      const searches: URL[] = [];
      const recording: typeof fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname === '/xrpc/app.bsky.feed.searchPosts') searches.push(url);
        return loopbackOnlyFetch(input, init);
      };
      services = await createTestServices(dialect, { config: { blueskyDefaultService: net.pdsUrl }, services: { connectors: registry, fetch: recording } });
      const ws = await setupBlueskyWorkspace(services, net.pdsUrl, { count: 1, prefix: `ls${dialect.slice(0, 2)}` });
      const dave = await bsky.signIn(ws.accounts[0]!);
      const db = services.database.db;
      // Keywords unique to this run and dialect: the network is shared by both dialects' workspaces.
      const tag = `${dialect.slice(0, 2)}${Date.now().toString(36)}`;
      const brand = `zorblat${tag}`;
      const other = `qwixel${tag}`;

      const loved = `I love the new ${brand} app, great work!`;
      const hashtag = `Trying #${other} today`;
      await post(bob, loved);
      await post(bob, hashtag, { facets: hashtagFacet(hashtag, other) });
      await post(bob, `${brand} giveaway, click here`);
      await post(bob, 'Nothing to see here');
      await post(dave, `Our own ${brand} announcement`);
      // The AppView indexes asynchronously: wait until its search sees all four keyword posts.
      await eventually('the AppView to index the posts', async () => {
        const a = await xrpc<{ posts: unknown[] }>(net.pdsUrl, 'app.bsky.feed.searchPosts', { token: dave.token, params: { q: brand } });
        const b = await xrpc<{ posts: unknown[] }>(net.pdsUrl, 'app.bsky.feed.searchPosts', { token: dave.token, params: { q: other } });
        return a.posts.length === 3 && b.posts.length === 1;
      });

      const q = await createListeningQuery(ws.ctx, { name: 'Brand', query: `(${brand} OR #${other}) -giveaway` });
      const byAuthor = await createListeningQuery(ws.ctx, { name: 'Bob on the brand', query: `from:@${bob.handle} ${brand}` });
      const inSwedish = await createListeningQuery(ws.ctx, { name: 'Swedish', query: `lang:sv ${brand}` });

      // Through the scheduler's sweep: the search is part of it.
      const sweep = await listeningSweep(services);
      expect(sweep.searchRounds).toBe(1);
      await listeningSearchesSettled();
      // Through Dave's PDS, newest first, since the back-fill start; lang:sv is passed on.
      // (The AppView hands back a page cursor even after a short page, so each term may take two requests.)
      expect(new Set(searches.map((u) => u.origin))).toEqual(new Set([new URL(net.pdsUrl).origin]));
      expect(new Set(searches.map((u) => `${u.searchParams.get('q')}|${u.searchParams.get('lang') ?? ''}`))).toEqual(new Set([`${brand}|`, `${other}|`, `from:${bob.handle}|`, `${brand}|sv`]));
      expect(searches.every((u) => u.searchParams.get('sort') === 'latest' && Date.parse(u.searchParams.get('since')!) < Date.now() - 6 * 86_400_000)).toBe(true);
      // This AppView ignores lang; Herald's matcher does not: Bob's English posts are not Swedish matches.
      expect(await listSearchMatches(db, ws.ctx.workspaceId, inSwedish.id, 50)).toEqual([]);
      const matches = await listSearchMatches(db, ws.ctx.workspaceId, q.id, 50);
      expect(matches.map((m) => m.post.text).sort()).toEqual([hashtag, loved].sort());
      const lovedMatch = matches.find((m) => m.post.text === loved)!;
      expect(lovedMatch).toMatchObject({ sentimentLabel: 'positive', sentimentLang: 'en' });
      expect(lovedMatch.sentimentScore).toBeGreaterThan(0);
      expect(lovedMatch.post).toMatchObject({ network: 'bluesky', author_handle: bob.handle, author_external_id: bob.did, lang: 'en' });
      expect(lovedMatch.post.external_id).toMatch(new RegExp(`^at://${bob.did}/app\\.bsky\\.feed\\.post/`));
      expect(lovedMatch.post.url).toMatch(new RegExp(`^https://bsky\\.app/profile/${bob.handle.replaceAll('.', '\\.')}/post/`));

      // An author term: from:bob finds all of Bob's posts; the query keeps the two with the brand.
      const bobs = await listSearchMatches(db, ws.ctx.workspaceId, byAuthor.id, 50);
      expect(bobs.map((m) => m.post.text).sort()).toEqual([`${brand} giveaway, click here`, loved].sort());
      // The loved post was found by both queries and stored once.
      const stored = await db.selectFrom('listening_search_posts').select(['external_id']).where('workspace_id', '=', ws.ctx.workspaceId).execute();
      expect(stored).toHaveLength(3);
      expect(new Set(stored.map((r) => r.external_id)).size).toBe(3);

      // Within the interval nothing is searched; past it the same posts come back and add nothing.
      expect(await searchListeningQueries(services, ws.ctx.workspaceId)).toMatchObject({ searches: 0, matched: 0 });
      const again = await searchListeningQueries(services, ws.ctx.workspaceId, { searchEveryMs: 0 });
      expect(again).toMatchObject({ searches: 3, matched: 0, failed: {} });
      expect(again.found).toBeGreaterThanOrEqual(3);
      expect(await listSearchMatches(db, ws.ctx.workspaceId, q.id, 50)).toHaveLength(2);
      const cursors = await db.selectFrom('listening_search_cursors').selectAll().where('workspace_id', '=', ws.ctx.workspaceId).execute();
      expect(cursors).toHaveLength(3);
      expect(cursors.every((c) => c.failures === 0 && c.last_error === null && c.since !== null)).toBe(true);

      // A changed query starts over: its old search matches go, the new text is searched.
      await updateListeningQuery(ws.ctx, q.id, { query: `${brand} giveaway` });
      const changed = await searchListeningQueries(services, ws.ctx.workspaceId);
      expect(changed).toMatchObject({ searches: 1, matched: 1 });
      expect((await listSearchMatches(db, ws.ctx.workspaceId, q.id, 50)).map((m) => m.post.text)).toEqual([`${brand} giveaway, click here`]);
      const account = await db.selectFrom('accounts').select(['status']).where('id', '=', ws.accounts[0]!.accountId).executeTakeFirstOrThrow();
      expect(account.status).toBe('ok');
    }, 120_000);
  });
});
