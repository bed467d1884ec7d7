/**
 * The OK connector through Herald's real engine: real services over a fresh database, the real job queue,
 * worker and scheduler, the account connected through the accounts use case, a post created through the
 * posts use case — and the local fake OK API receiving exactly one signed mediatopic.post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createOkConnector } from '../../../src/connectors/ok/ok.connector';
import type { WorkerHandle } from '../../../src/jobs/job-queue';
import { publishingHandlers } from '../../../src/publishing/publishing-worker';
import { startScheduler } from '../../../src/publishing/scheduler';
import { newId } from '../../../src/domain/ids';
import type { UseCaseContext } from '../../../src/server/services';
import { connectAccount } from '../../../src/use-cases/accounts.use-case';
import { createPost, getPost } from '../../../src/use-cases/posts.use-case';
import { dialects } from '../../support/databases';
import { createTestServices, type TestServices } from '../../support/test-app';
import { fastEngine, waitFor } from '../../publishing/engine-harness';
import { okFixture, startFakeOk, type FakeOk } from './ok-fake-api';

const GID = '54104453840996';
const TOKEN = 'tkn1eternal';
const SECRET = 'ae5362b5b588cc7294c2414d71b74d5d';

describe.each(dialects())('OK through the publishing engine (%s)', (dialect) => {
  let fake: FakeOk;
  let services: TestServices;
  let worker: WorkerHandle;
  let scheduler: { stop(): Promise<void> };
  let ctx: UseCaseContext;

  beforeAll(async () => {
    fake = await startFakeOk();
    fake.tokens.set(TOKEN, { sessionSecretKey: SECRET });
    const connectors = new ConnectorRegistry();
    connectors.register(createOkConnector({ apiBaseUrl: fake.apiUrl, tokenUrl: fake.tokenUrl, applicationId: fake.applicationId, applicationKey: fake.applicationKey, applicationSecretKey: fake.applicationSecretKey, requestTimeoutMs: 2_000 }));
    services = await createTestServices(dialect, { services: { connectors } });
    const db = services.database.db;
    const now = new Date().toISOString();
    const orgId = newId();
    const workspaceId = newId();
    const userId = newId();
    await db.insertInto('organizations').values({ id: orgId, name: 'Org', created_at: now }).execute();
    await db.insertInto('workspaces').values({ id: workspaceId, organization_id: orgId, name: 'WS', timezone: 'Europe/Moscow', created_at: now }).execute();
    await db.insertInto('users').values({ id: userId, email: `owner-${userId}@example.test`, name: 'owner', password_hash: 'x', locale: 'ru', created_at: now }).execute();
    await db.insertInto('memberships').values({ workspace_id: workspaceId, user_id: userId, role: 'owner', created_at: now }).execute();
    ctx = { actor: { kind: 'user', userId, via: 'session' }, workspaceId, db, services };
    worker = await services.queue.startWorker(publishingHandlers(services, fastEngine), { concurrency: 4, workerId: `ok-${dialect}`, pollIntervalMs: 25 });
    scheduler = startScheduler(services, fastEngine);
  });

  afterAll(async () => {
    await scheduler?.stop();
    await worker?.stop();
    await services?.close();
    await fake?.close();
  });

  it('connects the group, and the worker publishes a scheduled post with a poll as exactly one mediatopic.post', async () => {
    fake.expect('group.getInfo', { body: okFixture('group-getInfo') });
    const account = await connectAccount(ctx, { network: 'ok', credentials: { groupId: GID, accessToken: TOKEN, sessionSecretKey: SECRET } });
    expect(account).toMatchObject({ network: 'ok', externalId: GID, handle: 'heraldtest', status: 'ok' });

    fake.expect('mediatopic.post', { body: okFixture('mediatopic-post') });
    const post = await createPost(ctx, {
      text: 'Голосуем за дату встречи',
      poll: { question: 'Когда?', options: ['Суббота', 'Воскресенье'] },
      options: { anonymousPoll: true },
      targets: [{ accountId: account.id }],
      schedule: { at: new Date(Date.now() + 400).toISOString() },
    });
    const target = await waitFor(
      'the OK target published',
      async () => {
        const t = (await getPost(ctx, post.id)).targets[0]!;
        if (t.state === 'failed' || t.state === 'unconfirmed' || t.state === 'held') throw new Error(`target ended ${t.state}: ${JSON.stringify(t)}`);
        return t.state === 'published' ? t : null;
      },
      20_000,
    );
    expect(target).toMatchObject({ externalId: '70102413183763', externalUrl: `https://ok.ru/group/${GID}/topic/70102413183763` });
    // Give a duplicate send a moment to show up before counting.
    await new Promise((r) => setTimeout(r, 300));
    const posts = fake.calls('mediatopic.post');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.params).toMatchObject({ gid: GID, type: 'GROUP_THEME', application_key: fake.applicationKey, access_token: TOKEN });
    expect(JSON.parse(posts[0]!.params.attachment!)).toEqual({
      media: [
        { type: 'text', text: 'Голосуем за дату встречи' },
        { type: 'poll', question: 'Когда?', answers: [{ text: 'Суббота' }, { text: 'Воскресенье' }], options: 'SingleChoice,AnonymousVoting' },
      ],
    });
    expect(fake.badSignatures).toEqual([]);
    expect(fake.unexpected).toEqual([]);
    expect(fake.pending()).toEqual([]);
  });

  it('a mediatopic.post whose answer never comes is left unconfirmed for a person, never re-sent', async () => {
    const account = (await services.database.db.selectFrom('accounts').select('id').where('network', '=', 'ok').executeTakeFirstOrThrow()).id;
    const before = fake.calls('mediatopic.post').length;
    fake.expect('mediatopic.post', { hang: true });
    const post = await createPost(ctx, { text: 'Lost in transit', targets: [{ accountId: account }], schedule: { at: new Date(Date.now() + 300).toISOString() } });
    await waitFor(
      'the OK target unconfirmed',
      async () => {
        const t = (await getPost(ctx, post.id)).targets[0]!;
        if (t.state === 'published' || t.state === 'failed') throw new Error(`target ended ${t.state}`);
        return t.state === 'unconfirmed';
      },
      20_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(fake.calls('mediatopic.post').length - before).toBe(1);
    expect(fake.unexpected).toEqual([]);
  });
});
