/**
 * The queue on SQLite and PostgreSQL: weekly slots per account (CRUD, validation, roles, tenant
 * scoping) and the next free slot — in the workspace zone, skipping slots already taken by the
 * account's scheduled or in-review posts, and across the daylight-saving changes of Europe/Stockholm
 * (2026-03-29 spring forward 02:00→03:00, 2026-10-25 fall back 03:00→02:00).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Connector } from '../../src/connectors/connector';
import { ConnectorRegistry } from '../../src/connectors/registry';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors';
import type { Actor, UseCaseContext } from '../../src/server/services';
import { connectAccount } from '../../src/use-cases/accounts.use-case';
import { addMember } from '../../src/use-cases/members.use-case';
import { cancelPost, createPost } from '../../src/use-cases/posts.use-case';
import { addPostingSlot, listPostingSlots, nextFreeSlot, removePostingSlot, replacePostingSlots } from '../../src/use-cases/posting-slots.use-case';
import { createUser } from '../../src/use-cases/users.use-case';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';

// Connects in process: the queue never talks to a network.
const queueTestConnector: Connector<{ name: string }, { name: string }> = {
  id: 'queuenet',
  displayName: 'QueueNet',
  lengthUnit: 'characters',
  credentialFields: [{ name: 'name', label: 'Name', type: 'text', required: true }],
  credentialsSchema: z.object({ name: z.string().min(1) }).strict(),
  limits: { maxConcurrentPerAccount: 1, publishRate: { count: 10, windowMs: 60_000 } },
  supports: { maxMedia: 0, mediaTypes: [], polls: false, threads: false },
  async connect(c) {
    return { externalId: `q:${c.name}`, handle: c.name, displayName: null, serviceUrl: null, session: { name: c.name } };
  },
  validate: (v) => ({ network: 'queuenet', length: v.text.length, max: 500, unit: 'characters', valid: true, errors: [] }),
  async publish() {
    return { externalId: 'x', url: null };
  },
};

describe.each(dialects())('posting slots and the next free slot (%s)', (dialect) => {
  let services: TestServices;
  let clock = new Date('2026-03-23T09:00:00Z'); // Monday 10:00 in Stockholm (CET, UTC+1)
  let ctx: UseCaseContext;
  let workspaceId: string;
  let ownerActor: Actor;

  const connect = async (name: string) => (await connectAccount(ctx, { network: 'queuenet', credentials: { name } })).id;
  const schedule = (accountIds: string[], date: string, time: string, action: 'schedule' | 'submit' | 'draft' = 'schedule') =>
    createPost(ctx, { text: `post at ${date} ${time}`, targets: accountIds.map((accountId) => ({ accountId })), schedule: { date, time, timezone: 'Europe/Stockholm' }, action });

  beforeAll(async () => {
    services = await createTestServices(dialect, { services: { connectors: new ConnectorRegistry([queueTestConnector as unknown as Connector<never, never>]), now: () => clock } });
    const db = services.database.db;
    const owner = await createUser({ db, services }, { email: `slots-${dialect}@example.com`, name: 'Owner', password: 'long enough pw', owner: true, timezone: 'Europe/Stockholm' });
    workspaceId = owner.workspace!.id;
    ownerActor = { kind: 'user', userId: owner.user.id, via: 'session' };
    ctx = { actor: ownerActor, workspaceId, db, services };
  });
  afterAll(async () => services?.close());

  it('replaces, lists (by weekday and time), adds and removes slots; duplicates collapse', async () => {
    const a = await connect('crud');
    const slots = await replacePostingSlots(ctx, a, { slots: [{ weekday: 3, time: '09:00' }, { weekday: 1, time: '17:30' }, { weekday: 1, time: '08:00' }, { weekday: 1, time: '08:00' }] });
    expect(slots.map((s) => `${s.weekday} ${s.time}`)).toEqual(['1 08:00', '1 17:30', '3 09:00']);
    const added = await addPostingSlot(ctx, a, { weekday: 7, time: '12:00' });
    expect((await addPostingSlot(ctx, a, { weekday: 7, time: '12:00' })).id).toBe(added.id);
    expect((await listPostingSlots(ctx, a)).length).toBe(4);
    await removePostingSlot(ctx, a, added.id);
    await expect(removePostingSlot(ctx, a, added.id)).rejects.toThrow(NotFoundError);
    expect((await listPostingSlots(ctx, a)).map((s) => s.time)).toEqual(['08:00', '17:30', '09:00']);
    expect(await replacePostingSlots(ctx, a, { slots: [] })).toEqual([]);
  });

  it('refuses bad slots with readable messages, unknown accounts, and non-editors', async () => {
    const a = await connect('rules');
    await expect(replacePostingSlots(ctx, a, { slots: [{ weekday: 8, time: '09:00' }] })).rejects.toThrow(/weekday must be 1 \(Monday\) to 7 \(Sunday\)/);
    await expect(addPostingSlot(ctx, a, { weekday: 1, time: '24:00' })).rejects.toThrow(/time must look like 09:30/);
    await expect(addPostingSlot(ctx, a, { weekday: 1, time: '9:00' })).rejects.toThrow(ValidationError);
    await expect(listPostingSlots(ctx, '0190c7e2-1b2c-7d3e-8f40-1234567890ab')).rejects.toThrow(NotFoundError);
    await expect(listPostingSlots(ctx, 'garbage')).rejects.toThrow(NotFoundError);

    const db = services.database.db;
    for (const role of ['contributor', 'viewer'] as const) {
      const m = await addMember(ctx, { email: `${role}-${dialect}@example.com`, role, name: role, password: 'long enough pw' });
      const theirs: UseCaseContext = { ...ctx, actor: { kind: 'user', userId: m.userId, via: 'session' } };
      await expect(addPostingSlot(theirs, a, { weekday: 1, time: '09:00' })).rejects.toThrow(ForbiddenError);
      expect(await listPostingSlots(theirs, a)).toEqual([]);
    }
    // Another workspace's account is not this workspace's.
    const other = await createUser({ db, services }, { email: `other-${dialect}@example.com`, name: 'Other', password: 'long enough pw', owner: true });
    const otherCtx: UseCaseContext = { actor: { kind: 'user', userId: other.user.id, via: 'session' }, workspaceId: other.workspace!.id, db, services };
    await expect(listPostingSlots(otherCtx, a)).rejects.toThrow(NotFoundError);
    await expect(nextFreeSlot(otherCtx, { accountIds: [a] })).rejects.toThrow(ValidationError);
  });

  it('finds the next slot in the workspace zone, skipping past slots and slots taken by scheduled or in-review posts', async () => {
    clock = new Date('2026-03-23T09:00:00Z'); // Monday 10:00 CET
    const a = await connect('next');
    await replacePostingSlots(ctx, a, { slots: [{ weekday: 1, time: '09:00' }, { weekday: 1, time: '12:00' }, { weekday: 3, time: '09:00' }] });
    // 09:00 today has passed; 12:00 CET = 11:00Z.
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next).toEqual({ at: '2026-03-23T11:00:00.000Z', date: '2026-03-23', time: '12:00', timezone: 'Europe/Stockholm' });

    await schedule([a], '2026-03-23', '12:00');
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next?.at).toBe('2026-03-25T08:00:00.000Z');

    // A post sent for review holds its slot too; a draft with a time does not.
    await schedule([a], '2026-03-25', '09:00', 'submit');
    await schedule([a], '2026-03-30', '09:00', 'draft');
    // Next Monday is after the spring-forward change: 09:00 CEST is 07:00Z.
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next).toMatchObject({ at: '2026-03-30T07:00:00.000Z', date: '2026-03-30', time: '09:00' });

    // Cancelling frees the slot again.
    const taken = await schedule([a], '2026-03-30', '09:00');
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next?.at).toBe('2026-03-30T10:00:00.000Z');
    await cancelPost(ctx, taken.id);
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next?.at).toBe('2026-03-30T07:00:00.000Z');
  });

  it('skips a slot inside the spring-forward gap and takes the earlier instant in the fall-back overlap', async () => {
    const a = await connect('dst');
    await replacePostingSlots(ctx, a, { slots: [{ weekday: 7, time: '02:30' }] });
    clock = new Date('2026-03-27T12:00:00Z'); // Friday before the change
    // 2026-03-29 02:30 does not exist in Stockholm: the next one is a week later, in CEST (UTC+2).
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next).toMatchObject({ at: '2026-04-05T00:30:00.000Z', date: '2026-04-05', time: '02:30' });

    clock = new Date('2026-10-23T12:00:00Z'); // Friday before the fall-back change
    // 2026-10-25 02:30 happens twice: first in CEST (00:30Z), then in CET (01:30Z).
    expect((await nextFreeSlot(ctx, { accountIds: [a] })).next?.at).toBe('2026-10-25T00:30:00.000Z');
    clock = new Date('2026-03-23T09:00:00Z');
  });

  it('for several accounts: each one\'s own next slot, and the first shared slot free for all', async () => {
    clock = new Date('2026-03-23T09:00:00Z');
    const a = await connect('multi-a');
    const b = await connect('multi-b');
    const c = await connect('multi-c');
    await replacePostingSlots(ctx, a, { slots: [{ weekday: 2, time: '10:00' }, { weekday: 4, time: '10:00' }] });
    await replacePostingSlots(ctx, b, { slots: [{ weekday: 2, time: '10:00' }, { weekday: 2, time: '08:00' }, { weekday: 4, time: '10:00' }] });
    await schedule([b], '2026-03-24', '10:00');
    const r = await nextFreeSlot(ctx, { accountIds: [a, b] });
    // Tuesday 10:00 is taken for b, so the shared slot is Thursday 10:00 CET (09:00Z).
    expect(r.next?.at).toBe('2026-03-26T09:00:00.000Z');
    expect(r.accounts).toEqual([
      { accountId: a, next: expect.objectContaining({ at: '2026-03-24T09:00:00.000Z' }) },
      { accountId: b, next: expect.objectContaining({ at: '2026-03-24T07:00:00.000Z' }) },
    ]);
    // An account without slots shares none.
    const none = await nextFreeSlot(ctx, { accountIds: [a, c] });
    expect(none.next).toBeNull();
    expect(none.accounts[1]).toEqual({ accountId: c, next: null });
    await expect(nextFreeSlot(ctx, { accountIds: [] })).rejects.toThrow(ValidationError);
  });
});
