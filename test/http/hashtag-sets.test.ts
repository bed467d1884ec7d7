/**
 * Hashtag sets over HTTP on SQLite and PostgreSQL: create, list, rename, replace tags, delete; tags
 * normalised (leading '#', every script, duplicates dropped); readable 422s; duplicate names 409; viewers
 * and contributors read but cannot write; another workspace's set is a 404.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';

interface SetView {
  id: string;
  name: string;
  tags: string[];
  createdBy: string | null;
}
interface Problem {
  detail: string;
  errors?: Array<{ path: string; message: string }>;
}

describe.each(dialects())('hashtag sets (%s)', (dialect) => {
  const t = useTestApp(dialect, { initQueue: false });
  // One app per dialect: each test gets its own organisation and workspace.
  let n = 0;
  const freshOwner = async () => {
    n += 1;
    const email = `owner-${n}@example.com`;
    const password = `owner ${n} password is long`;
    const created = await createUser({ db: t.current.services.database.db, services: t.current.services }, { email, name: `Owner ${n}`, password, owner: true });
    const workspaceId = created.workspace?.id ?? '';
    expect(workspaceId).toBeTruthy();
    return { ...(await t.current.login(email, password)), workspaceId };
  };

  it('creates, lists, changes and deletes sets with normalised tags', async () => {
    const owner = await freshOwner();
    const base = `/api/v1/workspaces/${owner.workspaceId}/hashtag-sets`;
    const editor = await t.current.addUser(owner.workspaceId, 'editor');

    const created = await t.current.json('POST', base, { name: '  Launch ', tags: ['herald', '#Herald', '＃привет_мир', ' #kaffe2026 ', 'herald'] }, editor);
    expect(created.status).toBe(201);
    const set = (await created.json()) as SetView;
    expect(set).toMatchObject({ name: 'Launch', tags: ['#herald', '#привет_мир', '#kaffe2026'], createdBy: editor.userId });

    const second = (await (await t.current.json('POST', base, { name: 'Autumn', tags: ['#fall'] }, owner)).json()) as SetView;
    const listed = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: SetView[] };
    expect(listed.items.map((s) => s.name)).toEqual(['Autumn', 'Launch']);

    const renamed = await t.current.json('PATCH', `${base}/${set.id}`, { name: 'Launch 2', tags: ['new', 'Ny'] }, editor);
    expect(renamed.status).toBe(200);
    expect((await renamed.json()) as SetView).toMatchObject({ id: set.id, name: 'Launch 2', tags: ['#new', '#Ny'] });
    const onlyTags = (await (await t.current.json('PATCH', `${base}/${set.id}`, { tags: ['#x'] }, editor)).json()) as SetView;
    expect(onlyTags).toMatchObject({ name: 'Launch 2', tags: ['#x'] });
    // Renaming a set to its own name is not a conflict.
    expect((await t.current.json('PATCH', `${base}/${set.id}`, { name: 'Launch 2' }, editor)).status).toBe(200);

    expect((await t.current.json('DELETE', `${base}/${second.id}`, undefined, editor)).status).toBe(204);
    expect((await t.current.json('DELETE', `${base}/${second.id}`, undefined, editor)).status).toBe(404);
    const after = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: SetView[] };
    expect(after.items.map((s) => [s.name, s.tags])).toEqual([['Launch 2', ['#x']]]);
  });

  it('explains bad names and tags, and refuses a duplicate name with 409', async () => {
    const owner = await freshOwner();
    const base = `/api/v1/workspaces/${owner.workspaceId}/hashtag-sets`;
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return (await res.json()) as Problem;
    };

    expect((await problem(await t.current.json('POST', base, { name: '   ', tags: ['a'] }, owner), 422)).detail).toMatch(/Give the set a name/);
    expect((await problem(await t.current.json('POST', base, { name: 'x'.repeat(61), tags: ['a'] }, owner), 422)).detail).toMatch(/at most 60 characters/);
    expect((await problem(await t.current.json('POST', base, { name: 'Empty', tags: [] }, owner), 422)).detail).toMatch(/at least one hashtag/);
    expect((await problem(await t.current.json('POST', base, { name: 'Only hashes', tags: ['#', '##'] }, owner), 422)).detail).toMatch(/"#" is not a hashtag/);
    const many = Array.from({ length: 31 }, (_, i) => `t${i}`);
    expect((await problem(await t.current.json('POST', base, { name: 'Many', tags: many }, owner), 422)).detail).toMatch(/at most 30 hashtags/);
    // 30 distinct tags are fine even when duplicates push the raw list over the limit.
    expect((await t.current.json('POST', base, { name: 'Thirty', tags: [...many.slice(0, 30), 'T0', '#t1'] }, owner)).status).toBe(201);
    const bad = await problem(await t.current.json('POST', base, { name: 'Bad', tags: ['ok', 'two words', 'dash-tag'] }, owner), 422);
    expect(bad.errors?.map((e) => e.path)).toEqual(['tags.1', 'tags.2']);
    expect(bad.detail).toMatch(/"two words" is not a hashtag: use letters, digits or _ only/);

    expect((await t.current.json('POST', base, { name: 'Brand', tags: ['a'] }, owner)).status).toBe(201);
    const other = (await (await t.current.json('POST', base, { name: 'Other', tags: ['b'] }, owner)).json()) as SetView;
    expect((await problem(await t.current.json('POST', base, { name: 'Brand', tags: ['c'] }, owner), 409)).detail).toBe('A hashtag set named "Brand" already exists in this workspace');
    expect((await problem(await t.current.json('PATCH', `${base}/${other.id}`, { name: ' Brand' }, owner), 409)).detail).toMatch(/already exists/);
    expect((await t.current.json('PATCH', `${base}/${other.id}`, { tags: ['two words'] }, owner)).status).toBe(422);
    const listed = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: SetView[] };
    expect(listed.items.find((s) => s.id === other.id)).toMatchObject({ name: 'Other', tags: ['#b'] });
  });

  it('lets every member read, only editors and up write, and hides other workspaces', async () => {
    const owner = await freshOwner();
    const ws = owner.workspaceId;
    const base = `/api/v1/workspaces/${ws}/hashtag-sets`;
    const set = (await (await t.current.json('POST', base, { name: 'Team', tags: ['team'] }, owner)).json()) as SetView;

    for (const role of ['viewer', 'contributor'] as const) {
      const user = await t.current.addUser(ws, role);
      const list = (await (await t.current.json('GET', base, undefined, user)).json()) as { items: SetView[] };
      expect(list.items.map((s) => s.name)).toEqual(['Team']);
      expect((await t.current.json('POST', base, { name: `${role} set`, tags: ['x'] }, user)).status).toBe(403);
      expect((await t.current.json('PATCH', `${base}/${set.id}`, { name: 'hijack' }, user)).status).toBe(403);
      expect((await t.current.json('DELETE', `${base}/${set.id}`, undefined, user)).status).toBe(403);
    }
    const admin = await t.current.addUser(ws, 'admin');
    expect((await t.current.json('PATCH', `${base}/${set.id}`, { tags: ['team', 'admin'] }, admin)).status).toBe(200);

    // The owner of another organisation's workspace sees neither the workspace nor the set.
    const stranger = await freshOwner();
    expect((await t.current.json('GET', base, undefined, stranger)).status).toBe(404);
    expect((await t.current.json('PATCH', `${base}/${set.id}`, { name: 'hijack' }, stranger)).status).toBe(404);
    expect((await t.current.json('DELETE', `${base}/${set.id}`, undefined, stranger)).status).toBe(404);
    // Nor can they reach it through their own workspace.
    const theirWs = stranger.workspaceId;
    expect((await t.current.json('PATCH', `/api/v1/workspaces/${theirWs}/hashtag-sets/${set.id}`, { name: 'hijack' }, stranger)).status).toBe(404);
    expect((await t.current.json('DELETE', `/api/v1/workspaces/${theirWs}/hashtag-sets/${set.id}`, undefined, stranger)).status).toBe(404);
    expect(((await (await t.current.json('GET', `/api/v1/workspaces/${theirWs}/hashtag-sets`, undefined, stranger)).json()) as { items: SetView[] }).items).toEqual([]);
    const mine = (await (await t.current.json('GET', base, undefined, owner)).json()) as { items: SetView[] };
    expect(mine.items).toMatchObject([{ name: 'Team', tags: ['#team', '#admin'] }]);
  });
});
