import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';

describe.each(dialects())('PATCH /api/v1/me and setup status (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });

  it('GET /api/v1/setup says whether first-run setup is open', async () => {
    const before = await t.current.request('/api/v1/setup');
    expect(before.status).toBe(200);
    expect(await before.json()).toEqual({ setupOpen: true });
    await t.current.setupOwner({ email: 'owner1@example.com' });
    const after = await t.current.request('/api/v1/setup');
    expect(await after.json()).toEqual({ setupOpen: false });
  });

  it('saves the language and name per user; /me reads it back', async () => {
    const owner = await t.current.login('owner1@example.com', 'correct horse battery');
    const me0 = await t.current.json('GET', '/api/v1/me', undefined, owner);
    expect(((await me0.json()) as { locale: string }).locale).toBe('en');

    const res = await t.current.json('PATCH', '/api/v1/me', { locale: 'ru' }, owner);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ locale: 'ru', user: { id: owner.userId } });
    const me1 = await t.current.json('GET', '/api/v1/me', undefined, owner);
    expect(await me1.json()).toMatchObject({ locale: 'ru' });

    const both = await t.current.json('PATCH', '/api/v1/me', { locale: 'sv', name: '  Åsa Ägare ' }, owner);
    expect(await both.json()).toMatchObject({ locale: 'sv', user: { name: 'Åsa Ägare' } });

    // Another user's preference is untouched.
    const other = await t.current.addUser((await t.current.json('GET', '/api/v1/workspaces', undefined, owner).then((r) => r.json()) as { items: Array<{ id: string }> }).items[0]!.id, 'editor');
    const otherMe = await t.current.json('GET', '/api/v1/me', undefined, other);
    expect(await otherMe.json()).toMatchObject({ locale: 'en' });
  });

  it('refuses bad input and changes nothing', async () => {
    const owner = await t.current.login('owner1@example.com', 'correct horse battery');
    const before = (await (await t.current.json('GET', '/api/v1/me', undefined, owner)).json()) as { locale: string; user: { name: string } };

    const badLocale = await t.current.json('PATCH', '/api/v1/me', { locale: 'de' }, owner);
    expect(badLocale.status).toBe(422);
    expect(badLocale.headers.get('content-type')).toBe('application/problem+json');
    expect(((await badLocale.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe('locale');

    const blankName = await t.current.json('PATCH', '/api/v1/me', { name: '   ', locale: 'ru' }, owner);
    expect(blankName.status).toBe(422);
    const unknownField = await t.current.json('PATCH', '/api/v1/me', { email: 'x@example.com' }, owner);
    expect(unknownField.status).toBe(422);

    const noCsrf = await t.current.request('/api/v1/me', { method: 'PATCH', headers: { cookie: owner.cookie, 'content-type': 'application/json' }, body: JSON.stringify({ locale: 'ru' }) });
    expect(noCsrf.status).toBe(403);
    const anonymous = await t.current.json('PATCH', '/api/v1/me', { locale: 'ru' });
    expect(anonymous.status).toBe(401);

    const after = (await (await t.current.json('GET', '/api/v1/me', undefined, owner)).json()) as { locale: string; user: { name: string } };
    expect(after.locale).toBe(before.locale);
    expect(after.user.name).toBe(before.user.name);
  });

  it('an API token may change its own user too', async () => {
    const owner = await t.current.login('owner1@example.com', 'correct horse battery');
    const ws = (await (await t.current.json('GET', '/api/v1/workspaces', undefined, owner)).json()) as { items: Array<{ id: string }> };
    const token = await t.current.createToken(owner, ws.items[0]!.id);
    const res = await t.current.json('PATCH', '/api/v1/me', { locale: 'en' }, token);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ locale: 'en' });
  });
});
