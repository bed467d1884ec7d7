import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { createTestServices, type TestServices } from '../support/test-app';
import { createUser } from '../../src/use-cases/users.use-case';
import { createWorkspace, effectiveRole, listWorkspacesForUser, updateWorkspace } from '../../src/use-cases/workspaces.use-case';
import { addMember, changeMemberRole, removeMember } from '../../src/use-cases/members.use-case';
import { createApiToken, listApiTokens, revokeApiToken } from '../../src/use-cases/api-tokens.use-case';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors';
import type { Actor } from '../../src/server/services';

describe.each(dialects())('workspace use cases (%s)', (dialect) => {
  let services: TestServices;
  beforeAll(async () => {
    services = await createTestServices(dialect, { initQueue: false });
  });
  afterAll(async () => {
    await services?.close();
  });

  it('createWorkspace, effective roles, member changes and tokens work for users and the system actor', async () => {
    const db = services.database.db;
    const base = { db, services };
    const owner = await createUser(base, { email: 'o@example.com', name: 'O', password: 'long enough pw', owner: true });
    const ownerActor: Actor = { kind: 'user', userId: owner.user.id, via: 'session' };
    const ws = await createWorkspace({ ...base, actor: ownerActor }, { name: 'Second', timezone: 'Europe/Paris' });
    expect(ws.workspace.organization_id).toBe(owner.organization?.id);
    expect(await effectiveRole(db, owner.user.id, ws.workspace.id)).toBe('owner');
    expect(await effectiveRole(db, owner.user.id, 'not-an-id')).toBeNull();
    await expect(createWorkspace({ ...base, actor: ownerActor }, { name: 'Bad', timezone: 'Nowhere/Land' })).rejects.toThrow(ValidationError);
    await expect(createWorkspace({ ...base, actor: { kind: 'system', name: 'cli' } }, { name: 'No org' })).rejects.toThrow(ValidationError);
    await expect(createWorkspace({ ...base, actor: { ...ownerActor, via: 'token', tokenWorkspaceId: ws.workspace.id } }, { name: 'T' })).rejects.toThrow(ForbiddenError);

    const ctx = { actor: ownerActor, workspaceId: ws.workspace.id, db, services };
    const editor = await addMember(ctx, { email: 'e@example.com', role: 'editor', name: 'E', password: 'long enough pw' });
    expect(await effectiveRole(db, editor.userId, ws.workspace.id)).toBe('editor');
    const editorCtx = { ...ctx, actor: { kind: 'user', userId: editor.userId, via: 'session' } as Actor };
    await expect(updateWorkspace(editorCtx, { name: 'x' })).rejects.toThrow(ForbiddenError);
    await expect(addMember(editorCtx, { email: 'o@example.com', role: 'viewer' })).rejects.toThrow(ForbiddenError);
    expect((await updateWorkspace(ctx, { name: 'Renamed', timezone: 'utc' })).timezone).toBe('UTC');
    expect((await changeMemberRole(ctx, editor.userId, 'admin')).role).toBe('admin');

    // The system actor (CLI) is trusted inside the workspace it names.
    const system = { ...ctx, actor: { kind: 'system', name: 'cli' } as Actor };
    const token = await createApiToken(system, { name: 'cli token', userId: editor.userId });
    expect(token.userId).toBe(editor.userId);
    expect((await listApiTokens(system, { limit: 10 })).items.map((t) => t.id)).toEqual([token.id]);
    await revokeApiToken(system, token.id);
    await expect(revokeApiToken(system, '0190c7e2-1b2c-7d3e-8f40-1234567890ab')).rejects.toThrow(NotFoundError);
    await removeMember(ctx, editor.userId);
    expect(await effectiveRole(db, editor.userId, ws.workspace.id)).toBeNull();
    await expect(removeMember(editorCtx, owner.user.id)).rejects.toThrow(NotFoundError);

    const page = await listWorkspacesForUser({ db }, owner.user.id, { limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBe(page.items[0]?.workspace.id);
    const rest = await listWorkspacesForUser({ db }, owner.user.id, { limit: 10, cursor: page.nextCursor ?? undefined });
    expect(rest.items.map((i) => i.workspace.name)).toEqual(['Renamed']);
    expect(rest.nextCursor).toBeNull();
  });
});
