import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/domain/password';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { createUser, validateTimeZone } from '../../src/use-cases/users.use-case';
import { login, resolveSession, setupFirstRun, LOGIN_MAX_FAILURES } from '../../src/use-cases/auth.use-case';
import { ConflictError, TooManyRequestsError, UnauthorizedError, ValidationError } from '../../src/domain/errors';
import { beforeAll, afterAll } from 'vitest';

describe('password hashing', () => {
  it('hashes with scrypt, a random salt and encoded parameters; verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterz', a)).toBe(false);
    expect(await verifyPassword('correct horse battery', 'garbage')).toBe(false);
    expect(await verifyPassword('correct horse battery', a.replace('scrypt$32768', 'scrypt$abc'))).toBe(false);
  });

  it('canonicalises IANA time zones and rejects others', () => {
    expect(validateTimeZone('UTC')).toBe('UTC');
    expect(validateTimeZone('america/new_york')).toBe('America/New_York');
    expect(validateTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(validateTimeZone('Europe/Kyiv')).toBe('Europe/Kyiv');
    for (const bad of ['Mars/Olympus', '+01:00', '', 'Europe/../../etc', 'x'.repeat(300)]) expect(() => validateTimeZone(bad)).toThrow(ValidationError);
  });
});

describe.each(dialects())('auth use cases (%s)', (dialect) => {
  let services: TestServices;
  beforeAll(async () => {
    services = await createTestServices(dialect, { initQueue: false });
  });
  afterAll(async () => {
    await services?.close();
  });
  const ctx = () => ({ db: services.database.db, services });

  it('createUser validates input and refuses duplicate e-mails (case-insensitive)', async () => {
    await expect(createUser(ctx(), { email: 'bad', name: 'X', password: 'long enough pw' })).rejects.toThrow(ValidationError);
    await expect(createUser(ctx(), { email: 'a@example.com', name: '  ', password: 'long enough pw' })).rejects.toThrow(ValidationError);
    await expect(createUser(ctx(), { email: 'a@example.com', name: 'A', password: '123456789' })).rejects.toThrow(/at least 10/);
    const created = await createUser(ctx(), { email: 'A@Example.com', name: 'A', password: 'long enough pw', owner: true, timezone: 'Asia/Kolkata' });
    expect(created.user.email).toBe('a@example.com');
    expect(created.workspace?.timezone).toBe('Asia/Kolkata');
    const org = await services.database.db.selectFrom('organization_members').selectAll().where('user_id', '=', created.user.id).execute();
    expect(org).toEqual([expect.objectContaining({ role: 'owner', organization_id: created.organization?.id })]);
    await expect(createUser(ctx(), { email: 'a@EXAMPLE.com', name: 'A2', password: 'long enough pw' })).rejects.toThrow(ConflictError);
    const row = await services.database.db.selectFrom('users').select('password_hash').where('id', '=', created.user.id).executeTakeFirstOrThrow();
    expect(row.password_hash).not.toContain('long enough pw');
  });

  it('setupFirstRun refuses once a user exists, even when called concurrently', async () => {
    await expect(setupFirstRun({ ...ctx(), dialect }, { email: 'late@example.com', name: 'Late', password: 'long enough pw' })).rejects.toThrow(ConflictError);
    const fresh = await createTestServices(dialect, { initQueue: false });
    try {
      const fctx = { db: fresh.database.db, services: fresh, dialect };
      const results = await Promise.allSettled(
        [1, 2, 3].map((i) => setupFirstRun(fctx, { email: `racer${i}@example.com`, name: `R${i}`, password: 'long enough pw' })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await fresh.database.db.selectFrom('users').select('id').execute()).toHaveLength(1);
    } finally {
      await fresh.close();
    }
  });

  it('login throws the same error for unknown e-mail and wrong password, then rate-limits', async () => {
    const e1 = await login(ctx(), { email: 'nobody@example.com', password: 'whatever pw', ip: 'u1' }).catch((e: unknown) => e);
    const e2 = await login(ctx(), { email: 'a@example.com', password: 'wrong password', ip: 'u2' }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(UnauthorizedError);
    expect(e2).toBeInstanceOf(UnauthorizedError);
    expect((e1 as Error).message).toBe((e2 as Error).message);
    for (let i = 1; i < LOGIN_MAX_FAILURES; i++) await login(ctx(), { email: 'a@example.com', password: 'wrong password', ip: `u3-${i}` }).catch(() => undefined);
    await expect(login(ctx(), { email: 'a@example.com', password: 'long enough pw', ip: 'u4' })).rejects.toThrow(TooManyRequestsError);
  });

  it('sessions resolve by cookie value until they expire', async () => {
    services.advanceClock(16 * 60 * 1000);
    const r = await login(ctx(), { email: 'a@example.com', password: 'long enough pw', ip: 'u5' });
    expect((await resolveSession(ctx(), r.cookieValue))?.user.email).toBe('a@example.com');
    expect(await resolveSession(ctx(), r.sessionId)).toBeNull();
    expect(await resolveSession(ctx(), 'x'.repeat(500))).toBeNull();
    services.advanceClock(30 * 24 * 3600 * 1000);
    expect(await resolveSession(ctx(), r.cookieValue)).toBeNull();
  });
});
