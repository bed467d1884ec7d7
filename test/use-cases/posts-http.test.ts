/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
/**
 * Posts and accounts through the HTTP API: validation per target, DST errors, the review workflow and
 * its roles, media, tenant isolation, credentials never echoed, deletion on the network.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp, type TestSession } from '../support/test-app';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { loopbackConnector, startLoopbackNetwork, type LoopbackNetwork } from '../support/loopback-network';
import { publishingHandlers } from '../../src/publishing/publishing-worker';
import type { WorkerHandle } from '../../src/jobs/job-queue';
import { fastEngine, waitFor } from '../publishing/engine-harness';

let network: LoopbackNetwork;
const connectors = new ConnectorRegistry();
beforeAll(async () => {
  network = await startLoopbackNetwork();
  connectors.register(loopbackConnector(network.url));
});
afterAll(async () => network?.close());

const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe.each(dialects())('posts and accounts over HTTP (%s)', (dialect) => {
  const t = useTestApp(dialect, { services: { connectors } });
  let owner: TestSession & { workspaceId: string };
  let ws: string;
  let accountId: string;
  let worker: WorkerHandle | null = null;
  let n = 0;

  const connect = async (session: TestSession = owner, workspaceId = ws) => {
    const handle = `http-${dialect}-${++n}`;
    network.addAccount(handle, 'secret-pw');
    const res = await t.current.json('POST', `/api/v1/workspaces/${workspaceId}/accounts`, { network: 'loopback', credentials: { handle, password: 'secret-pw' } }, session);
    const text = await res.text();
    expect(res.status, text).toBe(201);
    expect(text).not.toContain('secret-pw');
    return JSON.parse(text) as { id: string; handle: string };
  };

  beforeAll(async () => {
    owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    ws = owner.workspaceId;
    accountId = (await connect()).id;
    worker = await t.current.services.queue.startWorker(publishingHandlers(t.current.services, fastEngine), { concurrency: 4, workerId: 'http-test', pollIntervalMs: 25 });
  });
  afterAll(async () => worker?.stop());

  it('lists networks and validates through the shared contract', async () => {
    const nets = await (await t.current.json('GET', '/api/v1/networks', undefined, owner)).json() as any;
    expect(nets.items.map((x: { id: string }) => x.id)).toEqual(['loopback']);
    expect(nets.items[0].credentialFields.map((f: { name: string }) => f.name)).toEqual(['handle', 'password']);
    const res = await t.current.json('POST', '/api/v1/validate', { network: 'loopback', text: 'x'.repeat(301) }, owner);
    expect(res.status).toBe(200);
    expect(await res.json() as any).toMatchObject({ network: 'loopback', length: 301, max: 300, unit: 'characters', valid: false });
    expect((await t.current.json('POST', '/api/v1/validate', { network: 'nope', text: 'x' }, owner)).status).toBe(404);
  });

  it('refuses bad credentials with 422 and never stores or echoes them', async () => {
    network.addAccount(`bad-${dialect}`, 'right');
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'loopback', credentials: { handle: `bad-${dialect}`, password: 'wrong-pw-123' } }, owner);
    expect(res.status).toBe(422);
    expect(await res.text()).not.toContain('wrong-pw-123');
    const missing = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'loopback', credentials: { handle: 'x' } }, owner);
    expect(missing.status).toBe(422);
    const list = await (await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts`, undefined, owner)).text();
    expect(list).not.toContain('secret-pw');
    expect(list).not.toContain(`bad-${dialect}`);
    const row = await t.current.services.database.db.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow();
    expect(row.credentials_enc).not.toContain('secret-pw');
  });

  it('reports validation errors per target and creates nothing', async () => {
    const second = await connect();
    const before = await t.current.services.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const res = await t.current.json(
      'POST',
      `/api/v1/workspaces/${ws}/posts`,
      { text: 'ok', targets: [{ accountId }, { accountId: second.id, text: 'y'.repeat(350) }], schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } },
      owner,
    );
    expect(res.status).toBe(422);
    const body = await res.json() as any;
    expect(body.errors).toEqual([expect.objectContaining({ path: 'targets.1.text', code: 'too_long' })]);
    expect(body.detail).toContain('The text is 350 characters; the limit is 300');
    const after = await t.current.services.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('names the DST gap and refuses unknown zones and past times', async () => {
    const gap = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'gap', targets: [{ accountId }], schedule: { date: '2027-03-28', time: '02:30', timezone: 'Europe/Stockholm' } }, owner);
    expect(gap.status).toBe(422);
    expect((await gap.json() as any).detail).toContain('2027-03-28 02:30 does not exist in Europe/Stockholm');
    const zone = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'z', targets: [{ accountId }], schedule: { date: '2027-06-01', time: '09:00', timezone: 'Moon/Base' } }, owner);
    expect(zone.status).toBe(422);
    const past = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'p', targets: [{ accountId }], schedule: { at: '2020-01-01T00:00:00Z' } }, owner);
    expect(past.status).toBe(422);
    const ok = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'fall', targets: [{ accountId }], schedule: { date: '2027-10-31', time: '02:30', timezone: 'Europe/Stockholm', fold: 'later' } }, owner);
    expect(ok.status).toBe(201);
    const post = await ok.json() as any;
    expect(post.scheduledAt).toBe('2027-10-31T01:30:00.000Z');
    expect(post.scheduledLocal).toBe('2027-10-31T02:30');
  });

  it('runs the review workflow with role checks', async () => {
    const contributor = await t.current.addUser(ws, 'contributor');
    const editor = await t.current.addUser(ws, 'editor');
    const viewer = await t.current.addUser(ws, 'viewer');
    expect((await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'v', targets: [{ accountId }] }, viewer)).status).toBe(403);
    const when = { at: new Date(Date.now() + 3_600_000).toISOString() };
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'from a contributor', targets: [{ accountId }], schedule: when }, contributor);
    expect(res.status).toBe(201);
    const post = await res.json() as any;
    expect(post.targets[0].state).toBe('in_review');
    const path = `/api/v1/workspaces/${ws}/posts/${post.id}`;
    expect((await t.current.json('POST', `${path}/approve`, undefined, contributor)).status).toBe(403);
    expect((await t.current.json('POST', `${path}/schedule`, undefined, contributor)).status).toBe(403);
    const rejected = await t.current.json('POST', `${path}/reject`, { reason: 'tone' }, editor);
    expect((await rejected.json() as any).targets[0].state).toBe('draft');
    const edited = await t.current.json('PATCH', path, { text: 'from a contributor, better' }, contributor);
    expect(edited.status).toBe(200);
    expect((await (await t.current.json('POST', `${path}/submit`, undefined, contributor)).json() as any).targets[0].state).toBe('in_review');
    expect((await (await t.current.json('POST', `${path}/approve`, undefined, editor)).json() as any).targets[0].state).toBe('approved');
    const scheduled = await (await t.current.json('POST', `${path}/schedule`, undefined, editor)).json() as any;
    expect(scheduled.targets[0].state).toBe('scheduled');
    expect(scheduled.targets[0].scheduledAt).toBe(new Date(when.at).toISOString());
    // A contributor's edit of their scheduled post sends it back to review: nothing unapproved publishes.
    const back = await t.current.json('PATCH', path, { text: 'changed by the contributor' }, contributor);
    expect(back.status).toBe(200);
    expect((await back.json() as any).targets[0].state).toBe('in_review');
    expect((await (await t.current.json('POST', `${path}/approve`, undefined, editor)).json() as any).targets[0].state).toBe('approved');
    expect((await (await t.current.json('POST', `${path}/schedule`, undefined, editor)).json() as any).targets[0].state).toBe('scheduled');
    // An editor's edit keeps it scheduled; the job is unchanged and the worker reads the new text.
    const editorEdit = await (await t.current.json('PATCH', path, { text: 'polished' }, editor)).json() as any;
    expect(editorEdit.targets[0].state).toBe('scheduled');
    const listed = await (await t.current.json('GET', `/api/v1/workspaces/${ws}/posts?state=scheduled&accountId=${accountId}`, undefined, owner)).json() as any;
    expect(listed.items.map((p: { id: string }) => p.id)).toContain(post.id);
    const cancelled = await (await t.current.json('POST', `${path}/cancel`, undefined, editor)).json() as any;
    expect(cancelled.targets[0].state).toBe('cancelled');
    expect((await t.current.json('POST', `${path}/schedule`, undefined, editor)).status).toBe(409);
  });

  it('stores images with their sha256 and refuses types the network does not take', async () => {
    const res = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'pic', media: [{ data: png.toString('base64'), mimeType: 'image/png', alt: 'a square' }], targets: [{ accountId }], schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } }, owner);
    expect(res.status).toBe(201);
    const post = await res.json() as any;
    expect(post.targets[0].media).toEqual([expect.objectContaining({ mimeType: 'image/png', sizeBytes: png.length, alt: 'a square', sha256: createHash('sha256').update(png).digest('hex') })]);
    const bad = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'gif', media: [{ data: png.toString('base64'), mimeType: 'image/gif' }], targets: [{ accountId }], schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } }, owner);
    expect(bad.status).toBe(422);
    expect((await bad.json() as any).detail).toContain('must be PNG or JPEG');
    const notBase64 = await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'x', media: [{ data: '***', mimeType: 'image/png' }], targets: [{ accountId }] }, owner);
    expect(notBase64.status).toBe(422);
  });

  it('keeps workspaces apart: ids from another workspace are 404', async () => {
    const res = await t.current.json('POST', '/api/v1/workspaces', { name: 'Other', timezone: 'UTC' }, owner);
    expect(res.status).toBe(201);
    const created = await res.json() as any;
    const otherWs: string = created.id ?? created.workspace.id;
    const post = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'mine', targets: [{ accountId }] }, owner)).json() as any;
    expect((await t.current.json('GET', `/api/v1/workspaces/${otherWs}/posts/${post.id}`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${otherWs}/posts/${post.id}`, { text: 'x' }, owner)).status).toBe(404);
    const cross = await t.current.json('POST', `/api/v1/workspaces/${otherWs}/posts`, { text: 'x', targets: [{ accountId }] }, owner);
    expect(cross.status).toBe(404);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${otherWs}/accounts/${accountId}`, undefined, owner)).status).toBe(404);
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/not-an-id`, undefined, owner)).status).toBe(404);
    // A stranger (no membership) sees the same 404 for the workspace itself.
    const stranger = await t.current.addUser(otherWs, 'owner');
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${post.id}`, undefined, stranger)).status).toBe(404);
  });

  it('deletes a published post on the network and keeps it published with a deletion time', async () => {
    const created = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'to delete', targets: [{ accountId }], schedule: { at: new Date().toISOString() } }, owner)).json() as any;
    const targetId = created.targets[0].id;
    await waitFor('published', async () => (await t.current.services.database.db.selectFrom('post_targets').select('state').where('id', '=', targetId).executeTakeFirst())?.state === 'published');
    expect(network.postsWithKey(targetId)).toHaveLength(1);
    const del = await t.current.json('DELETE', `/api/v1/workspaces/${ws}/posts/${created.id}`, undefined, owner);
    expect(del.status).toBe(200);
    expect(await del.json() as any).toEqual({ cancelled: 0, deletedOnNetwork: 1, notDeleted: [] });
    expect(network.postsWithKey(targetId)).toHaveLength(0);
    const row = await t.current.services.database.db.selectFrom('post_targets').selectAll().where('id', '=', targetId).executeTakeFirstOrThrow();
    expect(row.state).toBe('published');
    expect(row.external_url).toBeNull();
    expect((await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${created.id}`, undefined, owner)).status).toBe(404);
  });

  it('removing an account cancels its scheduled posts', async () => {
    const acc = await connect();
    const post = await (await t.current.json('POST', `/api/v1/workspaces/${ws}/posts`, { text: 'orphan', targets: [{ accountId: acc.id }], schedule: { at: new Date(Date.now() + 3_600_000).toISOString() } }, owner)).json() as any;
    const res = await t.current.json('DELETE', `/api/v1/workspaces/${ws}/accounts/${acc.id}`, undefined, owner);
    expect(await res.json() as any).toEqual({ cancelledTargets: 1 });
    const view = await (await t.current.json('GET', `/api/v1/workspaces/${ws}/posts/${post.id}`, undefined, owner)).json() as any;
    expect(view.targets[0]).toMatchObject({ state: 'cancelled', error: { kind: 'account_removed', message: 'The account was removed from Herald' } });
  });
});
