/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
/**
 * Polls, threads and network options through the API and the worker; the checks connectors'
 * declarations imply; server-announced limits as validation context; GET /networks as the web app
 * reads it. Two connectors: `extras` (polls, threads, options, a server limit) and the plain
 * `loopback` one (none of those), both over the real loopback network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { createUser } from '../../src/use-cases/users.use-case';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import { fastEngine, waitFor } from '../publishing/engine-harness';
import { dialects } from '../support/databases';
import { extrasConnector, type ExtrasConnector } from '../support/extras-connector';
import { loopbackConnector, startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { useTestApp, type TestSession } from '../support/test-app';

let network: LoopbackNetwork;
let extras: ExtrasConnector;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  network = await startLoopbackNetwork();
  extras = extrasConnector(network.url, { networkLimits: { maxCharacters: 50, maxPollOptions: 3 } });
  connectors.register(extras.connector);
  connectors.register(loopbackConnector(network.url));
});
afterAll(async () => network?.close());

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
const later = () => ({ at: new Date(Date.now() + 3_600_000).toISOString() });

describe.each(dialects())('polls, threads and options (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let extrasId: string;
  let loopId: string;
  let worker: WorkerHandle | null = null;
  let n = 0;

  const connect = async (net: 'extras' | 'loopback', session: TestSession = owner, workspaceId = ws) => {
    const handle = `x-${dialect}-${++n}`;
    network.addAccount(handle, 'pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${workspaceId}/accounts`, { network: net, credentials: { handle, password: 'pw' } }, session);
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as any;
  };
  const posts = () => `/api/v1/workspaces/${ws}/posts`;
  const targetRow = (id: string) => t.current.services.database.db.selectFrom('post_targets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    owner = await t.current.setupOwner();
    ws = owner.workspaceId;
    extrasId = (await connect('extras')).id;
    loopId = (await connect('loopback')).id;
  });
  afterAll(async () => worker?.stop());

  it('GET /networks describes each connector the way the web app reads it', async () => {
    const res = await t.current.json('GET', '/api/v1/networks', undefined, owner);
    expect(res.status).toBe(200);
    const items = ((await res.json()) as any).items as any[];
    const x = items.find((i) => i.id === 'extras');
    const l = items.find((i) => i.id === 'loopback');
    expect(x).toMatchObject({
      id: 'extras',
      displayName: 'Extras',
      lengthUnit: 'characters',
      supports: { maxMedia: 2, mediaTypes: ['image/png', 'image/jpeg'], polls: true, threads: true },
      oauth: { available: false, reason: 'Set HERALD_EXTRAS_CLIENT_ID to connect by signing in', needsServiceUrl: true, startFields: [] },
      capabilities: { comments: true, metrics: true, delete: true, findPublished: true },
    });
    expect(x.optionFields.map((f: any) => [f.name, f.type])).toEqual([
      ['silent', 'boolean'],
      ['visibility', 'select'],
    ]);
    expect(x.credentialFields.map((f: any) => f.name)).toEqual(['handle', 'password']);
    expect(l).toMatchObject({
      optionFields: [],
      oauth: null,
      supports: { maxMedia: 4, mediaTypes: ['image/*'], polls: false, threads: false },
      capabilities: { comments: false, metrics: false, delete: true, findPublished: true },
    });
  });

  it('stores poll, thread and options per target, with post-level defaults and target overrides', async () => {
    const res = await t.current.json(
      'POST',
      posts(),
      {
        text: 'Lunch?',
        poll: { question: 'Where?', options: ['Soup', 'Salad'], multiple: true, durationSeconds: 86_400 },
        thread: ['Part two', 'Part three'],
        options: { silent: true, visibility: 'unlisted' },
        targets: [{ accountId: extrasId, options: { visibility: 'public' } }, { accountId: loopId, poll: null, thread: [] }],
        schedule: later(),
      },
      owner,
    );
    const body = (await res.json()) as any;
    expect(res.status, JSON.stringify(body)).toBe(201);
    const [x, l] = [body.targets.find((tt: any) => tt.accountId === extrasId), body.targets.find((tt: any) => tt.accountId === loopId)];
    expect(x).toMatchObject({
      poll: { question: 'Where?', options: ['Soup', 'Salad'], multiple: true, durationSeconds: 86_400 },
      thread: ['Part two', 'Part three'],
      options: { silent: true, visibility: 'public' },
    });
    // The plain network declares no options: the post-level ones do not reach it; its overrides remove poll and thread.
    expect(l).toMatchObject({ poll: null, thread: [], options: {} });
    expect(JSON.parse((await targetRow(x.id)).extras)).toEqual({
      poll: { question: 'Where?', options: ['Soup', 'Salad'], multiple: true, durationSeconds: 86_400 },
      thread: ['Part two', 'Part three'],
      options: { silent: true, visibility: 'public' },
    });
    expect((await targetRow(l.id)).extras).toBe('{}');
    const read = (await (await t.current.json('GET', `${posts()}/${body.id}`, undefined, owner)).json()) as any;
    expect(read.targets.find((tt: any) => tt.id === x.id).options).toEqual({ silent: true, visibility: 'public' });
  });

  it('refuses what a network does not declare, naming the network, and stores nothing', async () => {
    const count = async () => Number((await t.current.services.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const poll = await t.current.json('POST', posts(), { text: 'Q', poll: { options: ['a', 'b'] }, targets: [{ accountId: extrasId }, { accountId: loopId }], schedule: later() }, owner);
    expect(poll.status).toBe(422);
    const pb = (await poll.json()) as any;
    expect(pb.errors).toEqual([{ path: 'targets.1.poll', code: 'polls_unsupported', message: 'Loopback: Loopback posts cannot have a poll; remove the poll for this account' }]);
    expect(pb.detail).toContain('Loopback posts cannot have a poll');

    const thread = await t.current.json('POST', posts(), { text: 'T', thread: ['more'], targets: [{ accountId: loopId }], schedule: later() }, owner);
    expect(((await thread.json()) as any).errors).toEqual([expect.objectContaining({ path: 'targets.0.thread', code: 'threads_unsupported', message: expect.stringContaining('Loopback does not publish threads') })]);

    const media = Array.from({ length: 3 }, () => ({ data: png, mimeType: 'image/png', alt: 'x' }));
    const tooMany = await t.current.json('POST', posts(), { text: 'M', media, targets: [{ accountId: extrasId }], schedule: later() }, owner);
    expect(((await tooMany.json()) as any).errors).toEqual([expect.objectContaining({ path: 'targets.0.media', code: 'media_count', message: 'Extras: Extras takes at most 2 media items per post; this one has 3' })]);

    const gif = await t.current.json('POST', posts(), { text: 'G', media: [{ data: png, mimeType: 'image/gif', alt: '' }], targets: [{ accountId: extrasId }], schedule: later() }, owner);
    expect(((await gif.json()) as any).errors).toEqual([expect.objectContaining({ code: 'media_type', message: 'Extras: Extras does not take image/gif files (item 1); it takes image/png, image/jpeg' })]);

    const unknown = await t.current.json('POST', posts(), { text: 'O', targets: [{ accountId: loopId, options: { silent: true } }], schedule: later() }, owner);
    expect(((await unknown.json()) as any).errors).toEqual([expect.objectContaining({ path: 'targets.0.options', code: 'unknown_option', message: 'Loopback: Loopback has no post options; remove "silent"' })]);

    const wrongType = await t.current.json('POST', posts(), { text: 'O', targets: [{ accountId: extrasId, options: { silent: 'yes', visibility: 'secret', colour: 'red' } }], schedule: later() }, owner);
    const wt = (await wrongType.json()) as any;
    expect(wt.errors.map((e: any) => e.message)).toEqual([
      'Extras: Extras option "silent" must be true or false',
      'Extras: Extras option "visibility" must be one of "public", "unlisted"',
      'Extras: Extras has no option "colour" (its options: silent, visibility)',
    ]);

    // A post-level option no network of the post declares would go nowhere: refused even for a draft.
    const nowhere = await t.current.json('POST', posts(), { text: 'D', options: { pinned: true }, targets: [{ accountId: extrasId }, { accountId: loopId }] }, owner);
    expect(nowhere.status).toBe(422);
    expect(((await nowhere.json()) as any).errors).toEqual([expect.objectContaining({ path: 'options.pinned', code: 'unknown_option', message: expect.stringContaining('No network of this post has an option "pinned"') })]);

    const badPoll = await t.current.json('POST', posts(), { text: 'P', poll: { options: ['only one'] }, targets: [{ accountId: extrasId }] }, owner);
    expect(badPoll.status).toBe(422);
    expect(((await badPoll.json()) as any).detail).toContain('a poll needs at least 2 options');
    const badIndex = await t.current.json('POST', posts(), { text: 'P', poll: { options: ['a', 'b'], correctOptionIndex: 2 }, targets: [{ accountId: extrasId }] }, owner);
    expect(((await badIndex.json()) as any).detail).toContain('correctOptionIndex must point at one of the options');

    expect(await count()).toBe(before);
    // A draft may still hold what the network refuses; submitting it runs the same checks.
    const draft = await t.current.json('POST', posts(), { text: 'draft', poll: { options: ['a', 'b'] }, targets: [{ accountId: loopId }] }, owner);
    expect(draft.status).toBe(201);
    const submit = await t.current.json('POST', `${posts()}/${((await draft.json()) as any).id}/submit`, undefined, owner);
    expect(submit.status).toBe(422);
    expect(((await submit.json()) as any).detail).toContain('Loopback posts cannot have a poll');
  });

  it('applies the limits the account’s server announced (posts, edits and POST /validate)', async () => {
    const accounts = (await (await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts`, undefined, owner)).json()) as any;
    expect(accounts.items.find((a: any) => a.id === extrasId).networkLimits).toEqual({ maxCharacters: 50, maxPollOptions: 3 });
    expect(accounts.items.find((a: any) => a.id === loopId).networkLimits).toBeNull();

    const long = 'x'.repeat(60);
    const refused = await t.current.json('POST', posts(), { text: long, targets: [{ accountId: extrasId }], schedule: later() }, owner);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as any).detail).toContain('this server allows 50');
    const fourOptions = await t.current.json('POST', posts(), { text: 'q', poll: { options: ['a', 'b', 'c', 'd'] }, targets: [{ accountId: extrasId }], schedule: later() }, owner);
    expect(((await fourOptions.json()) as any).errors).toEqual([expect.objectContaining({ path: 'targets.0.poll', code: 'poll_options' })]);

    // Validation without an account uses the connector's defaults; with the account, its server's.
    const plain = (await (await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: long }, owner)).json()) as any;
    expect(plain).toMatchObject({ network: 'extras', length: 60, max: 1000, valid: true });
    const forAccount = (await (await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: long, accountId: extrasId }, owner)).json()) as any;
    expect(forAccount).toMatchObject({ length: 60, max: 50, valid: false, errors: [expect.objectContaining({ code: 'too_long' })] });

    // An edit is validated against the same limits.
    const created = (await (await t.current.json('POST', posts(), { text: 'short', targets: [{ accountId: extrasId }], schedule: later() }, owner)).json()) as any;
    const edit = await t.current.json('PATCH', `${posts()}/${created.id}`, { text: long }, owner);
    expect(edit.status).toBe(422);
    expect(((await edit.json()) as any).detail).toContain('this server allows 50');
  });

  it('POST /validate checks poll, thread and options, and keeps accounts to their workspace', async () => {
    const v = (await (
      await t.current.json('POST', '/api/v1/validate', { network: 'loopback', text: 'hi', poll: { options: ['a', 'b'] }, thread: ['two'], options: { silent: true } }, owner)
    ).json()) as any;
    expect(Object.keys(v).sort()).toEqual(['errors', 'length', 'max', 'network', 'unit', 'valid']);
    expect(v.valid).toBe(false);
    expect(v.errors.map((e: any) => [e.code, e.field])).toEqual([
      ['polls_unsupported', 'poll'],
      ['threads_unsupported', 'thread'],
      ['unknown_option', 'options'],
    ]);
    const ok = (await (
      await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: 'hi', poll: { options: ['a', 'b'] }, thread: ['two'], options: { silent: true } }, owner)
    ).json()) as any;
    expect(ok).toMatchObject({ valid: true, errors: [] });

    const mismatch = await t.current.json('POST', '/api/v1/validate', { network: 'loopback', text: 'hi', accountId: extrasId }, owner);
    expect(mismatch.status).toBe(422);
    expect(((await mismatch.json()) as any).detail).toContain('is on extras, not loopback');

    // Someone else's account is indistinguishable from no account.
    const db = t.current.services.database.db;
    const b = await createUser({ db, services: t.current.services }, { email: `b-${dialect}@example.com`, name: 'B', password: 'b password is long', owner: true });
    const stranger = await t.current.login(`b-${dialect}@example.com`, 'b password is long');
    const foreign = await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: 'hi', accountId: extrasId }, stranger);
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as any).detail).toBe('Account was not found');
    const missing = await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: 'hi', accountId: '01J0000000000000000000000Z' }, owner);
    expect(missing.status).toBe(404);
    // A token scoped to another workspace cannot reach this workspace's account either.
    const bToken = await t.current.createToken(stranger, b.workspace!.id);
    expect((await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: 'hi', accountId: extrasId }, bToken)).status).toBe(404);
    const ownToken = await t.current.createToken(owner, ws);
    expect((await t.current.json('POST', '/api/v1/validate', { network: 'extras', text: 'hi', accountId: extrasId }, ownToken)).status).toBe(200);
  });

  it('the OpenAPI document describes poll, thread, options, accountId and the network declarations', async () => {
    const doc = (await (await t.current.request('/api/openapi.json')).json()) as any;
    expect(Object.keys(doc.components.schemas.PostTarget.properties)).toEqual(expect.arrayContaining(['poll', 'thread', 'options']));
    const validateBody = doc.paths['/api/v1/validate'].post.requestBody.content['application/json'].schema.properties;
    expect(Object.keys(validateBody)).toEqual(expect.arrayContaining(['poll', 'thread', 'options', 'accountId']));
    expect(validateBody.accountId.description).toContain('limits');
    const createBody = doc.paths['/api/v1/workspaces/{workspaceId}/posts'].post.requestBody.content['application/json'].schema;
    expect(createBody.properties.poll.properties.options.minItems).toBe(2);
    expect(Object.keys(doc.components.schemas.Network.properties)).toEqual(
      expect.arrayContaining(['id', 'displayName', 'lengthUnit', 'credentialFields', 'optionFields', 'supports', 'oauth', 'capabilities']),
    );
    expect(doc.components.schemas.ValidationResult.properties.errors.items.properties.field.enum).toEqual(['text', 'media', 'link', 'langs', 'poll', 'thread', 'options']);
  });

  it('edits carry poll, thread and options and bump the version', async () => {
    const created = (await (
      await t.current.json('POST', posts(), { text: 'v1', poll: { options: ['a', 'b'] }, options: { silent: true }, targets: [{ accountId: extrasId }], schedule: later() }, owner)
    ).json()) as any;
    const tid = created.targets[0].id;
    expect(created.targets[0].version).toBe(1);
    const edited = (await (
      await t.current.json('PATCH', `${posts()}/${created.id}`, { targets: [{ accountId: extrasId, poll: { options: ['x', 'y', 'z'], question: 'New?' }, thread: ['follow-up'] }] }, owner)
    ).json()) as any;
    expect(edited.targets[0]).toMatchObject({ version: 2, text: 'v1', poll: { options: ['x', 'y', 'z'], question: 'New?' }, thread: ['follow-up'], options: { silent: true } });
    expect(JSON.parse((await targetRow(tid)).extras)).toEqual({ poll: { options: ['x', 'y', 'z'], question: 'New?' }, thread: ['follow-up'], options: { silent: true } });
    // Options given replace the target's options as a whole; poll null removes the poll.
    const again = (await (await t.current.json('PATCH', `${posts()}/${created.id}`, { poll: null, options: { visibility: 'unlisted' } }, owner)).json()) as any;
    expect(again.targets[0]).toMatchObject({ version: 3, poll: null, thread: ['follow-up'], options: { visibility: 'unlisted' } });
    expect(JSON.parse((await targetRow(tid)).extras)).toEqual({ thread: ['follow-up'], options: { visibility: 'unlisted' } });
  });

  it('the worker publishes the variant with its poll, thread and options, as last edited', async () => {
    worker = await t.current.services.queue.startWorker(publishingHandlers(t.current.services, fastEngine), { concurrency: 2, workerId: `extras-${dialect}`, pollIntervalMs: 25 });
    const created = (await (
      await t.current.json(
        'POST',
        posts(),
        { text: 'Vote', poll: { question: 'Best?', options: ['A', 'B'], durationSeconds: 3600 }, thread: ['more'], options: { silent: true }, targets: [{ accountId: extrasId }], schedule: later() },
        owner,
      )
    ).json()) as any;
    const tid = created.targets[0].id;
    await t.current.json('PATCH', `${posts()}/${created.id}`, { targets: [{ accountId: extrasId, options: { silent: false, visibility: 'unlisted' } }] }, owner);
    const res = await t.current.json('POST', `${posts()}/${created.id}/schedule`, { schedule: { at: new Date().toISOString() } }, owner);
    expect(res.status, await res.clone().text()).toBe(200);
    await waitFor('published', async () => (await targetRow(tid)).state === 'published');
    const sent = extras.published.filter((p) => p.idempotencyKey === tid);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.variant).toMatchObject({
      text: 'Vote',
      poll: { question: 'Best?', options: ['A', 'B'], durationSeconds: 3600 },
      thread: ['more'],
      options: { silent: false, visibility: 'unlisted' },
    });
    expect(network.postsWithKey(tid)).toHaveLength(1);
  });

  it("the worker validates with the account's current server limits before sending", async () => {
    const created = (await (await t.current.json('POST', posts(), { text: 'x'.repeat(40), targets: [{ accountId: extrasId }], schedule: later() }, owner)).json()) as any;
    const tid = created.targets[0].id;
    // The server lowered its limit since (as a reconnect would record it).
    await t.current.services.database.db.updateTable('accounts').set({ network_limits: JSON.stringify({ maxCharacters: 30 }) }).where('id', '=', extrasId).execute();
    try {
      await t.current.json('POST', `${posts()}/${created.id}/schedule`, { schedule: { at: new Date().toISOString() } }, owner).then(async (r) => {
        // Scheduling validates too, so it is refused up front...
        expect(r.status).toBe(422);
      });
      // ...and a target already scheduled under the old limit fails in the worker with the reason, unsent.
      await t.current.services.database.db.updateTable('post_targets').set({ scheduled_at: new Date().toISOString() }).where('id', '=', tid).execute();
      const { enqueuePublish } = await import('../../src/publishing/publish-jobs');
      await enqueuePublish(t.current.services, t.current.services.database.db, tid, new Date());
      const row = await waitFor('failed', async () => {
        const r = await targetRow(tid);
        return r.state === 'failed' ? r : undefined;
      });
      expect(row.last_error_message).toBe('The post is not valid for Extras: The text is 40 characters; this server allows 30');
      expect(network.postsWithKey(tid)).toHaveLength(0);
    } finally {
      await t.current.services.database.db.updateTable('accounts').set({ network_limits: JSON.stringify({ maxCharacters: 50, maxPollOptions: 3 }) }).where('id', '=', extrasId).execute();
    }
  });
});
