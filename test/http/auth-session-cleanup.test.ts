/**
 * Expired login sessions are deleted in bounded batches by the engagement sweep (at most once a
 * minute per process), live ones are kept, and a session past its expiry is refused even before
 * the sweep deletes it. The clock is moved through services.now.
 */
import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { engagementSweep, expiredSessionsBatch } from '../../src/engagement/engagement-sweep';
import { deleteExpiredSessions, insertSession } from '../../src/repositories/sessions.repository';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';

const minute = 60_000;

/** Inserts sessions expiring `offsetMs` from now, and counts which of some ids are still stored. */
function sessionHelpers(t: ReturnType<typeof useTestApp>) {
  const addSessions = async (userId: string, count: number, offsetMs: number): Promise<string[]> => {
    const services = t.current.services;
    const now = services.now().getTime();
    const rows = Array.from({ length: count }, () => ({
      id: randomBytes(32).toString('hex'),
      user_id: userId,
      csrf_token: 'csrf',
      expires_at: new Date(now + offsetMs).toISOString(),
      created_at: new Date(now).toISOString(),
    }));
    for (const r of rows) await insertSession(services.database.db, r);
    return rows.map((r) => r.id);
  };
  const remaining = async (ids: string[]): Promise<number> =>
    (await t.current.services.database.db.selectFrom('sessions').select('id').where('id', 'in', ids).execute()).length;
  return { addSessions, remaining };
}

describe.each(dialects())('expired session cleanup (%s)', (dialect) => {
  const t = useTestApp(dialect);

  const { addSessions, remaining } = sessionHelpers(t);

  it('deletes only expired sessions, at most `limit` per call', async () => {
    const owner = await t.current.setupOwner();
    const db = t.current.services.database.db;
    const expired = await addSessions(owner.userId, 5, -minute);
    const live = await addSessions(owner.userId, 3, minute);
    const nowIso = t.current.services.now().toISOString();

    expect(await deleteExpiredSessions(db, nowIso, 2)).toBe(2);
    expect(await remaining(expired)).toBe(3);
    expect(await deleteExpiredSessions(db, nowIso, 2)).toBe(2);
    expect(await deleteExpiredSessions(db, nowIso, 2)).toBe(1);
    expect(await deleteExpiredSessions(db, nowIso, 2)).toBe(0);
    expect(await remaining(expired)).toBe(0);
    expect(await remaining(live)).toBe(3);
    // The owner's own login session is live too.
    expect((await t.current.request('/api/v1/me', { headers: { cookie: owner.cookie } })).status).toBe(200);
  });

});

describe.each(dialects())('expired session cleanup by the engagement sweep (%s)', (dialect) => {
  const t = useTestApp(dialect);
  const { addSessions, remaining } = sessionHelpers(t);

  it('the engagement sweep deletes expired sessions once a minute, in batches of ' + expiredSessionsBatch, async () => {
    const owner = await t.current.setupOwner();
    const services = t.current.services;
    const expired = await addSessions(owner.userId, expiredSessionsBatch + 5, -minute);
    const live = await addSessions(owner.userId, 2, 10 * minute);

    const first = await engagementSweep(services);
    expect(first.sessionsDeleted).toBe(expiredSessionsBatch);
    expect(await remaining(expired)).toBe(5);

    // Within the minute: the step is skipped.
    services.advanceClock(30_000);
    expect((await engagementSweep(services)).sessionsDeleted).toBe(0);
    expect(await remaining(expired)).toBe(5);

    services.advanceClock(31_000);
    expect((await engagementSweep(services)).sessionsDeleted).toBe(5);
    expect(await remaining(expired)).toBe(0);
    expect(await remaining(live)).toBe(2);

    // The owner's login session (30 days) expires: refused at once, then deleted by the next sweep.
    services.advanceClock(31 * 24 * 60 * minute);
    expect((await t.current.request('/api/v1/me', { headers: { cookie: owner.cookie } })).status).toBe(401);
    const later = await engagementSweep(services);
    expect(later.sessionsDeleted).toBe(3);
    expect(await services.database.db.selectFrom('sessions').select('id').execute()).toHaveLength(0);
  });
});
