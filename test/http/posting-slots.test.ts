/**
 * The queue routes over HTTP on SQLite and PostgreSQL: roles at the route (contributors read, editors
 * write), the comma-separated accountIds of /queue/next, and readable 422s for bad slots and ids.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connector } from '../../src/connectors/connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';

const plain: Connector<{ name: string }, { name: string }> = {
  id: 'plain',
  displayName: 'Plain',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'name', label: 'Name', type: 'text', required: true }],
  credentialsSchema: z.object({ name: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
  async connect(c) {
    return { externalId: `p:${c.name}`, handle: c.name, displayName: null, serviceUrl: null, session: { name: c.name } };
  },
  validate: (v) => ({ network: 'plain', length: v.text.length, max: 500, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe.each(dialects())('queue routes (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false, services: { connectors: new ConnectorRegistry([plain as unknown as Connector<never, never>]) } });

  it('lets editors write and everyone read, parses accountIds, and explains bad input', async () => {
    const owner = await t.current.setupOwner({ timezone: 'Asia/Tokyo' });
    const ws = owner.workspaceId;
    const connect = async (name: string) => ((await (await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts`, { network: 'plain', credentials: { name } }, owner)).json()) as { id: string }).id;
    const a = await connect('a');
    const b = await connect('b');
    const editor = await t.current.addUser(ws, 'editor');
    const contributor = await t.current.addUser(ws, 'contributor');
    const week = { slots: [{ weekday: 1, time: '08:00' }, { weekday: 4, time: '20:30' }] };

    expect((await t.current.json('PUT', `/api/v1/workspaces/${ws}/accounts/${a}/slots`, week, contributor)).status).toBe(403);
    const put = await t.current.json('PUT', `/api/v1/workspaces/${ws}/accounts/${a}/slots`, week, editor);
    expect(put.status).toBe(200);
    expect(((await put.json()) as { items: Array<{ time: string }> }).items.map((s) => s.time)).toEqual(['08:00', '20:30']);
    await t.current.json('PUT', `/api/v1/workspaces/${ws}/accounts/${b}/slots`, { slots: [{ weekday: 4, time: '20:30' }] }, editor);
    const listed = await t.current.json('GET', `/api/v1/workspaces/${ws}/accounts/${a}/slots`, undefined, contributor);
    expect(listed.status).toBe(200);

    const added = await t.current.json('POST', `/api/v1/workspaces/${ws}/accounts/${a}/slots`, { weekday: 7, time: '12:00' }, editor);
    expect(added.status).toBe(201);
    const slotId = ((await added.json()) as { id: string }).id;
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${ws}/accounts/${a}/slots/${slotId}`, undefined, contributor)).status).toBe(403);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${ws}/accounts/${a}/slots/${slotId}`, undefined, editor)).status).toBe(204);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${ws}/accounts/${a}/slots/${slotId}`, undefined, editor)).status).toBe(404);

    const next = await t.current.json('GET', `/api/v1/workspaces/${ws}/queue/next?accountIds=${a},%20${b}`, undefined, contributor);
    expect(next.status).toBe(200);
    const body = (await next.json()) as { next: { time: string; timezone: string; at: string } | null; accounts: Array<{ accountId: string }> };
    // The only slot both accounts have: Thursday 20:30 in Tokyo.
    expect(body.next).toMatchObject({ time: '20:30', timezone: 'Asia/Tokyo' });
    expect(new Date(body.next!.at).getUTCDay()).toBe(4);
    expect(body.accounts.map((x) => x.accountId)).toEqual([a, b]);

    const noIds = await t.current.json('GET', `/api/v1/workspaces/${ws}/queue/next`, undefined, owner);
    expect(noIds.status).toBe(422);
    expect(((await noIds.json()) as { detail: string }).detail).toMatch(/at least one account/);
    const foreign = await t.current.json('GET', `/api/v1/workspaces/${ws}/queue/next?accountIds=0190c7e2-1b2c-7d3e-8f40-1234567890ab`, undefined, owner);
    expect(foreign.status).toBe(422);
    const bad = await t.current.json('PUT', `/api/v1/workspaces/${ws}/accounts/${a}/slots`, { slots: [{ weekday: 0, time: '25:00' }] }, owner);
    expect(bad.status).toBe(422);
    const problem = (await bad.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['slots.0.time', 'slots.0.weekday']);
  });
});
