import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { sessionCookieFrom, useTestApp } from '../support/test-app';

describe.each(dialects())('auth over HTTP (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('setup works once, signs the owner in and then answers 409', async () => {
    const { json } = t.current;
    const bad = await json('POST', '/api/v1/setup', { email: 'not-an-email', name: 'X', password: 'correct horse battery' });
    expect(bad.status).toBe(422);
    const shortPw = await json('POST', '/api/v1/setup', { email: 'o@example.com', name: 'X', password: 'short' });
    expect(shortPw.status).toBe(422);
    expect(((await shortPw.json()) as { detail: string }).detail).toMatch(/at least 10 characters/);
    const badTz = await json('POST', '/api/v1/setup', { email: 'o@example.com', name: 'X', password: 'correct horse battery', timezone: 'Mars/Olympus' });
    expect(badTz.status).toBe(422);
    expect(((await badTz.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe('timezone');

    const res = await json('POST', '/api/v1/setup', {
      email: 'Owner@Example.com',
      name: 'Olivia Owner',
      password: 'correct horse battery',
      organizationName: 'Agency',
      workspaceName: 'Client One',
      timezone: 'europe/berlin',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { email: string }; workspace: { name: string; timezone: string; role: string }; organization: { name: string }; csrfToken: string };
    expect(body.user.email).toBe('owner@example.com');
    expect(body.workspace).toMatchObject({ name: 'Client One', timezone: 'Europe/Berlin', role: 'owner' });
    expect(body.organization.name).toBe('Agency');
    expect(body.csrfToken.length).toBeGreaterThan(20);
    const cookie = sessionCookieFrom(res);
    expect(cookie).toBeTruthy();
    const me = await t.current.request('/api/v1/me', { headers: { cookie: cookie ?? '' } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: 'owner@example.com' }, authMethod: 'session', csrfToken: body.csrfToken });

    const again = await json('POST', '/api/v1/setup', { email: 'second@example.com', name: 'Second', password: 'correct horse battery' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    const users = await t.current.services.database.db.selectFrom('users').select('email').execute();
    expect(users.map((u) => u.email)).toEqual(['owner@example.com']);
  });

  it('login sets a hardened session cookie; wrong password and unknown e-mail get the same 401', async () => {
    const res = await t.current.json('POST', '/api/v1/auth/login', { email: 'OWNER@example.com', password: 'correct horse battery' }, undefined, { ip: '10.1.0.1' });
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().find((l) => l.startsWith('herald_session='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i); // cookieSecure=false in this test config
    const maxAge = Number(/Max-Age=(\d+)/i.exec(setCookie ?? '')?.[1]);
    expect(maxAge).toBeGreaterThan(29 * 24 * 3600);
    expect(maxAge).toBeLessThanOrEqual(30 * 24 * 3600);

    // The stored session id is the sha256 of the cookie, never the cookie itself.
    const value = (sessionCookieFrom(res) ?? '').split('=')[1] ?? '';
    const rows = await t.current.services.database.db.selectFrom('sessions').select('id').execute();
    expect(rows.some((r) => r.id === value)).toBe(false);
    const { createHash } = await import('node:crypto');
    expect(rows.some((r) => r.id === createHash('sha256').update(value).digest('hex'))).toBe(true);

    const wrong = await t.current.json('POST', '/api/v1/auth/login', { email: 'owner@example.com', password: 'wrong password!!' }, undefined, { ip: '10.1.0.2' });
    const unknown = await t.current.json('POST', '/api/v1/auth/login', { email: 'nobody@example.com', password: 'wrong password!!' }, undefined, { ip: '10.1.0.3' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = (await wrong.json()) as { detail: string };
    const b = (await unknown.json()) as { detail: string };
    expect(a.detail).toBe(b.detail);
    expect(wrong.headers.getSetCookie().some((l) => l.startsWith('herald_session='))).toBe(false);
  });

  it('secure cookies when configured', async () => {
    const { createTestApp } = await import('../support/test-app');
    const secure = await createTestApp(dialect, { initQueue: false, config: { cookieSecure: true } });
    try {
      await secure.setupOwner();
      const res = await secure.json('POST', '/api/v1/auth/login', { email: 'nobody@example.com', password: 'x' });
      expect(res.status).toBe(401);
      const setup = await secure.login((await secure.services.database.db.selectFrom('users').select('email').executeTakeFirstOrThrow()).email, 'correct horse battery');
      expect(setup.cookie).toMatch(/^herald_session=/);
      const login = await secure.json('POST', '/api/v1/auth/login', { email: setup.email, password: setup.password });
      expect(login.headers.getSetCookie().find((l) => l.startsWith('herald_session='))).toMatch(/;\s*Secure/i);
    } finally {
      await secure.close();
    }
  });

  it('rate-limits after 5 failures per e-mail (429 + Retry-After) without affecting other e-mails', async () => {
    const { json } = t.current;
    const victim = await t.current.addUser((await t.current.services.database.db.selectFrom('workspaces').select('id').executeTakeFirstOrThrow()).id, 'editor', { email: 'victim@example.com' });
    for (let i = 0; i < 5; i++) {
      const r = await json('POST', '/api/v1/auth/login', { email: 'victim@example.com', password: `wrong password ${i}` }, undefined, { ip: `10.2.0.${i + 1}` });
      expect(r.status).toBe(401);
    }
    // Sixth attempt, even with the right password and from a fresh address: 429.
    const limited = await json('POST', '/api/v1/auth/login', { email: 'victim@example.com', password: victim.password }, undefined, { ip: '10.2.1.1' });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    // Another e-mail from another address is unaffected.
    const other = await json('POST', '/api/v1/auth/login', { email: 'owner@example.com', password: 'correct horse battery' }, undefined, { ip: '10.2.2.1' });
    expect(other.status).toBe(200);
    // After the window the victim can sign in again, which resets the e-mail counter.
    t.current.services.advanceClock(15 * 60 * 1000 + 1000);
    try {
      const ok = await json('POST', '/api/v1/auth/login', { email: 'victim@example.com', password: victim.password }, undefined, { ip: '10.2.3.1' });
      expect(ok.status).toBe(200);
      const row = await t.current.services.database.db.selectFrom('login_attempts').selectAll().where('key', '=', 'email:victim@example.com').executeTakeFirst();
      expect(row).toBeUndefined();
    } finally {
      t.current.services.advanceClock(-(15 * 60 * 1000 + 1000));
    }
  });

  it('rate-limits after 5 failures per client address, whatever the e-mail', async () => {
    const { json } = t.current;
    for (let i = 0; i < 5; i++) {
      const r = await json('POST', '/api/v1/auth/login', { email: `guess${i}@example.com`, password: 'wrong password' }, undefined, { ip: '10.3.0.1' });
      expect(r.status).toBe(401);
    }
    const limited = await json('POST', '/api/v1/auth/login', { email: 'owner@example.com', password: 'correct horse battery' }, undefined, { ip: '10.3.0.1' });
    expect(limited.status).toBe(429);
    const elsewhere = await json('POST', '/api/v1/auth/login', { email: 'owner@example.com', password: 'correct horse battery' }, undefined, { ip: '10.3.0.2' });
    expect(elsewhere.status).toBe(200);
  });

  it('cookie-authenticated unsafe requests need the CSRF header; safe ones do not', async () => {
    const owner = await t.current.login('owner@example.com', 'correct horse battery', { ip: '10.4.0.1' });
    const ws = await t.current.request('/api/v1/workspaces', { headers: { cookie: owner.cookie } });
    expect(ws.status).toBe(200);
    const before = await t.current.services.database.db.selectFrom('workspaces').select('id').execute();
    const noCsrf = await t.current.request('/api/v1/workspaces', {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Sneaky' }),
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { detail: string }).detail).toMatch(/x-csrf-token/);
    const wrongCsrf = await t.current.request('/api/v1/workspaces', {
      method: 'POST',
      headers: { cookie: owner.cookie, 'content-type': 'application/json', 'x-csrf-token': 'nope' },
      body: JSON.stringify({ name: 'Sneaky' }),
    });
    expect(wrongCsrf.status).toBe(403);
    expect(await t.current.services.database.db.selectFrom('workspaces').select('id').execute()).toHaveLength(before.length);
    const ok = await t.current.json('POST', '/api/v1/workspaces', { name: 'Second client', timezone: 'America/New_York' }, owner);
    expect(ok.status).toBe(201);
  });

  it('logout ends the session (needs CSRF) and clears the cookie', async () => {
    const s = await t.current.login('owner@example.com', 'correct horse battery', { ip: '10.5.0.1' });
    const noCsrf = await t.current.request('/api/v1/auth/logout', { method: 'POST', headers: { cookie: s.cookie } });
    expect(noCsrf.status).toBe(403);
    const res = await t.current.request('/api/v1/auth/logout', { method: 'POST', headers: s.headers() });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().find((l) => l.startsWith('herald_session='))).toMatch(/Max-Age=0/i);
    const me = await t.current.request('/api/v1/me', { headers: { cookie: s.cookie } });
    expect(me.status).toBe(401);
  });

  it('expired sessions are refused; no credentials is 401', async () => {
    const s = await t.current.login('owner@example.com', 'correct horse battery', { ip: '10.6.0.1' });
    t.current.services.advanceClock(31 * 24 * 3600 * 1000);
    try {
      expect((await t.current.request('/api/v1/me', { headers: { cookie: s.cookie } })).status).toBe(401);
    } finally {
      t.current.services.advanceClock(-31 * 24 * 3600 * 1000);
    }
    expect((await t.current.request('/api/v1/me', { headers: { cookie: s.cookie } })).status).toBe(200);
    const anon = await t.current.request('/api/v1/me');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('content-type')).toContain('application/problem+json');
  });
});
