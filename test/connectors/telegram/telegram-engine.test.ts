/**
 * The Telegram connector through Herald's real engine: an account connected with the accounts use
 * case, posts created with the posts use case, the real job queue and worker publishing to the fake
 * Bot API. A text post yields exactly one sendMessage; a post with a poll, silent and pinned goes out
 * as sendMessage → sendPoll → pinChatMessage once each; deleting from Herald removes both messages;
 * comments arrive through the generic inbound sync job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerHandle } from '../../../src/jobs/job-queue';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createTelegramConnector } from '../../../src/connectors/telegram/telegram.connector';
import { publishingHandlers } from '../../../src/publishing/publishing-worker';
import type { UseCaseContext } from '../../../src/server/services';
import { connectAccount } from '../../../src/use-cases/accounts.use-case';
import { createPost, deletePost, getPost } from '../../../src/use-cases/posts.use-case';
import { listInboxMessages, replyToInboxMessage } from '../../../src/use-cases/inbox.use-case';
import { getAccountMetrics, getPostMetrics } from '../../../src/use-cases/metrics.use-case';
import { syncInbound } from '../../../src/inbox/inbound-sync';
import { collectMetrics } from '../../../src/metrics/metrics-collection';
import { decodeCursor } from '../../../src/connectors/telegram/telegram-inbound';
import { createUser } from '../../../src/use-cases/users.use-case';
import { fastEngine, waitFor } from '../../publishing/engine-harness';
import { dialects } from '../../support/databases';
import { createTestServices, type TestServices } from '../../support/test-app';
import { CHANNEL, DISCUSSION, fixtureWith, startFakeTelegram, TEST_BOT_TOKEN, type FakeTelegram } from './fake-telegram-api';

describe.each(dialects())('Telegram through the engine (%s)', (dialect) => {
  let tg: FakeTelegram;
  let services: TestServices;
  let worker: WorkerHandle;
  let ctx: UseCaseContext;
  let accountId: string;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    const connectors = new ConnectorRegistry();
    connectors.register(createTelegramConnector({ apiBaseUrl: tg.url, requestTimeoutMs: 2_000 }));
    services = await createTestServices(dialect, { services: { connectors } });
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: `tg-${dialect}@example.test`, name: 'Owner', password: 'a long enough password', owner: true });
    ctx = { actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: created.workspace!.id, db, services };
    tg.expect('getMe', 'getMe');
    tg.expect('getChat', 'getChat-channel');
    tg.expect('getChatMember', 'getChatMember-channel-admin');
    const account = await connectAccount(ctx, { network: 'telegram', credentials: { botToken: TEST_BOT_TOKEN, chat: '@heraldnews' } });
    expect(account).toMatchObject({ network: 'telegram', externalId: String(CHANNEL.id), handle: '@heraldnews' });
    accountId = account.id;
    tg.assertDone();
    worker = await services.queue.startWorker(publishingHandlers(services, fastEngine), { concurrency: 4, workerId: `tg-${dialect}`, pollIntervalMs: 25 });
  });

  afterAll(async () => {
    await worker?.stop();
    await services?.close();
    await tg?.close();
    // Nothing the worker did after the last assertion went unchecked.
    tg?.assertDone();
  });

  const published = (postId: string) =>
    waitFor(
      `post ${postId} published`,
      async () => {
        const t = (await getPost(ctx, postId)).targets[0]!;
        if (t.state === 'failed' || t.state === 'unconfirmed' || t.state === 'held') throw new Error(`target ended ${t.state}: ${JSON.stringify(t)}`);
        return t.state === 'published' ? t : null;
      },
      15_000,
    );

  it('a scheduled text post reaches the fake Bot API as exactly one sendMessage', async () => {
    tg.expect('sendMessage', (req) => fixtureWith('sendMessage', { message_id: 4242, text: req.params.text }));
    const text = `Привет из Herald 👋 (${dialect})`;
    const post = await createPost(ctx, { text, targets: [{ accountId }], schedule: { at: new Date(Date.now() + 300).toISOString() } });
    const target = await published(post.id);
    expect(target).toMatchObject({ externalId: `${CHANNEL.id}:4242`, externalUrl: 'https://t.me/heraldnews/4242' });
    // Let any stray second attempt arrive before counting.
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.calls('sendMessage')).toHaveLength(1);
    expect(tg.calls('sendMessage')[0]!.params).toEqual({ chat_id: CHANNEL.id, text });
    tg.assertDone();
  });

  it('text + poll, silent and pinned: sendMessage, sendPoll and pinChatMessage once each; delete removes both messages', async () => {
    tg.expect('sendMessage', 'sendMessage');
    tg.expect('sendPoll', 'sendPoll');
    tg.expect('pinChatMessage', 'true');
    const post = await createPost(ctx, {
      text: 'Meetup next week',
      poll: { question: 'Which day?', options: ['Monday', 'Friday'] },
      options: { silent: true, pinned: true },
      targets: [{ accountId }],
      schedule: { at: new Date(Date.now() + 300).toISOString() },
    });
    const target = await published(post.id);
    expect(target.externalId).toBe(`${CHANNEL.id}:101`);
    await new Promise((r) => setTimeout(r, 300));
    expect(tg.requests.map((q) => [q.method, q.params.disable_notification])).toEqual([
      ['sendMessage', true],
      ['sendPoll', true],
      ['pinChatMessage', true],
    ]);
    tg.assertDone();

    tg.expect('deleteMessages', 'true');
    await deletePost(ctx, post.id, { onNetwork: true });
    expect(tg.calls('deleteMessages')[0]!.params).toEqual({ chat_id: CHANNEL.id, message_ids: [101, 120] });
    tg.assertDone();
  });

  it('comments arrive through the generic inbound sync tied to our post; a reply goes to the discussion group; metrics: members, post counts unknown', async () => {
    tg.expect('sendMessage', 'sendMessage');
    const post = await createPost(ctx, { text: 'Hello', targets: [{ accountId }], schedule: { at: new Date(Date.now() + 200).toISOString() } });
    const target = await published(post.id);
    expect(target.externalId).toBe(`${CHANNEL.id}:101`);
    tg.assertDone();

    tg.expect('getChat', 'getChat-channel');
    tg.expect('getUpdates', 'getUpdates-comments');
    const sync = await syncInbound(services, accountId);
    expect(sync).toMatchObject({ outcome: 'done', received: 2 });
    const inbox = await listInboxMessages(ctx, { accountId, limit: 10 });
    const byId = new Map(inbox.items.map((m) => [m.externalId, m]));
    expect(byId.get(`${DISCUSSION.id}:501`)).toMatchObject({ kind: 'comment', rootExternalId: `${CHANNEL.id}:101`, targetId: target.id, postId: post.id, text: 'Отличная новость 🎉🎉' });
    expect(byId.get(`${DISCUSSION.id}:502`)).toMatchObject({ kind: 'comment', parentExternalId: `${DISCUSSION.id}:501`, targetId: target.id });
    const account = await services.database.db.selectFrom('accounts').select('inbound_cursor').where('id', '=', accountId).executeTakeFirstOrThrow();
    expect(decodeCursor(account.inbound_cursor).offset).toBe(900008);
    tg.assertDone();

    tg.expect('sendMessage', 'sendMessage-reply');
    const reply = await replyToInboxMessage(ctx, byId.get(`${DISCUSSION.id}:501`)!.id, { text: 'Thank you!' });
    expect(reply).toMatchObject({ externalId: `${DISCUSSION.id}:506`, url: 'https://t.me/heraldnews/101?comment=506' });
    expect(tg.calls('sendMessage')[0]!.params).toEqual({ chat_id: DISCUSSION.id, text: 'Thank you!', reply_parameters: { message_id: 501 } });
    tg.assertDone();

    tg.expect('getChatMemberCount', 'getChatMemberCount');
    await collectMetrics(services, accountId);
    expect((await getAccountMetrics(ctx, accountId)).latest).toMatchObject({ followers: 1532 });
    const pm = await getPostMetrics(ctx, post.id);
    // Observed or not yet due: Telegram's unknown counts are never stored as 0.
    expect(Object.values(pm.items[0]!.latest ?? {}).filter((v) => v === 0)).toEqual([]);
    tg.assertDone();
  });
});
