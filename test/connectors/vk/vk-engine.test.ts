/**
 * The VK connector inside Herald's real engine: real services over a fresh database (SQLite and
 * PostgreSQL), the account connected through the accounts use case, a post with a poll and options
 * created through the posts use case, and the real worker and scheduler publishing it to the fake VK:
 * exactly one wall.post, with the guid of the target's idempotency key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../../src/connectors/registry';
import { createVkConnector, vkGuid } from '../../../src/connectors/vk/vk.connector';
import type { WorkerHandle } from '../../../src/jobs/job-queue';
import { publishingHandlers } from '../../../src/publishing/publishing-worker';
import { startScheduler } from '../../../src/publishing/scheduler';
import { findTarget } from '../../../src/repositories/post-targets.repository';
import type { UseCaseContext } from '../../../src/server/services';
import { connectAccount } from '../../../src/use-cases/accounts.use-case';
import { createPost, getPost } from '../../../src/use-cases/posts.use-case';
import { createUser } from '../../../src/use-cases/users.use-case';
import { dialects } from '../../support/databases';
import { createTestServices, type TestServices } from '../../support/test-app';
import { fastEngine, inMs, waitFor } from '../../publishing/engine-harness';
import { startFakeVk, type FakeVk } from './fake-vk';

describe.each(dialects())('VK through the publishing engine (%s)', (dialect) => {
  let fake: FakeVk;
  let services: TestServices;
  let worker: WorkerHandle;
  let scheduler: { stop(): Promise<void> };
  let ctx: UseCaseContext;

  beforeAll(async () => {
    fake = await startFakeVk();
    const connectors = new ConnectorRegistry();
    connectors.register(createVkConnector({ apiBaseUrl: fake.apiBaseUrl, idBaseUrl: fake.idBaseUrl, clientId: fake.clientId }));
    services = await createTestServices(dialect, { services: { connectors } });
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: `vk-${dialect}-${Date.now()}@example.test`, name: 'Owner', password: 'a long enough password', owner: true });
    ctx = { actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: created.workspace!.id, db, services };
    worker = await services.queue.startWorker(publishingHandlers(services, fastEngine), { concurrency: 4, workerId: `vk-${dialect}`, pollIntervalMs: 25 });
    scheduler = startScheduler(services, fastEngine);
  });

  afterAll(async () => {
    await scheduler?.stop();
    await worker?.stop();
    await services?.close();
    await fake?.close();
  });

  it('connects a community and publishes a post with a poll and options exactly once', async () => {
    fake.addUserToken('engine-user-token', 743784474);
    const account = await connectAccount(ctx, { network: 'vk', credentials: { accessToken: 'engine-user-token', community: 'https://vk.com/apiclub' } });
    expect(account).toMatchObject({ network: 'vk', externalId: '-1', handle: 'apiclub', displayName: 'VK API', status: 'ok' });

    const post = await createPost(ctx, {
      text: 'Herald → VK',
      poll: { question: 'Which day?', options: ['Monday', 'Friday'] },
      options: { signed: true },
      targets: [{ accountId: account.id }],
      schedule: inMs(0),
    });
    const targetId = post.targets[0]!.id;
    const t = await waitFor('VK target published', async () => {
      const row = await findTarget(services.database.db, targetId);
      return row?.state === 'published' ? row : undefined;
    });
    const posts = fake.calls('wall.post');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.form).toMatchObject({ owner_id: '-1', from_group: '1', signed: '1', message: 'Herald → VK', guid: vkGuid(targetId), v: '5.199', access_token: 'engine-user-token' });
    expect(posts[0]!.form.attachments).toBe(`poll-1_${fake.polls.at(-1)!.id}`);
    expect(fake.posts).toHaveLength(1);
    expect(t.external_id).toBe(`-1_${fake.posts[0]!.id}`);
    const view = await getPost(ctx, post.id);
    expect(view.targets[0]!.externalUrl).toBe(`https://vk.com/wall-1_${fake.posts[0]!.id}`);
    expect(fake.unexpected).toEqual([]);
    expect(fake.requests.every((r) => r.method === null || (r.form.v === '5.199' && Object.keys(r.query).length === 0))).toBe(true);
  });
});
