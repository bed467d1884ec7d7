/**
 * GET /api/v1/workspaces/{ws}/analytics/kpis|best-times|definitions over HTTP: viewers may read
 * (analytics.read), the response carries definition cards and inputs, bad periods are 422 with the
 * field, another workspace's account is 404, and the routes are in the OpenAPI document.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { importMetrics } from '../../src/use-cases/analytics-import.use-case';
import { createUser } from '../../src/use-cases/users.use-case';

const fixture = readFileSync(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url), 'utf8');

interface KpisBody {
  timeZone: string;
  period: { from: string; to: string; days: number };
  defaultDefinitionId: string;
  kpis: Array<{ definition: { id: string; vendor: string; denominator?: string; aggregation?: string; missingRule: string }; value: number | null; inputs: { numerator: number | null; denominator: number | null; postsCounted: number; formula: string } }>;
}

describe.each(dialects())('analytics API (%s)', (dialect) => {
  const t = useTestApp(dialect);

  it('serves KPIs with definitions and inputs to viewers, and refuses what it must', async () => {
    const owner = await t.current.setupOwner({ timezone: 'Europe/Stockholm' });
    const services = t.current.services;
    const ctx = { actor: { kind: 'user' as const, userId: owner.userId, via: 'session' as const }, workspaceId: owner.workspaceId, db: services.database.db, services };
    await importMetrics(ctx, fixture);
    const vk = await services.database.db.selectFrom('accounts').select('id').where('workspace_id', '=', owner.workspaceId).where('handle', '=', 'acme').executeTakeFirstOrThrow();
    const viewer = await t.current.addUser(owner.workspaceId, 'viewer');
    const base = `/api/v1/workspaces/${owner.workspaceId}/analytics`;

    const res = await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&from=2026-03-23&to=2026-03-29`, undefined, viewer);
    expect(res.status).toBe(200);
    const body = (await res.json()) as KpisBody;
    expect(body).toMatchObject({ timeZone: 'Europe/Stockholm', period: { from: '2026-03-23', to: '2026-03-29', days: 7 }, defaultDefinitionId: 'livedune.er.pooled' });
    const pooled = body.kpis.find((k) => k.definition.id === 'livedune.er.pooled')!;
    expect(pooled).toMatchObject({ value: 8.681818, definition: { vendor: 'LiveDune', denominator: 'followers_at_publish', aggregation: 'pooled' }, inputs: { numerator: 382, denominator: 4400, postsCounted: 4, formula: '382 / 4400 × 100' } });
    expect(pooled.definition.missingRule).toMatch(/never read as 0/);
    expect(body.kpis.find((k) => k.definition.id === 'tgstat.err')?.value).toBe(203.603604);

    const token = await t.current.createToken(owner, owner.workspaceId);
    const best = await t.current.json('GET', `${base}/best-times?accountId=${vk.id}&from=2026-03-23&to=2026-03-29`, undefined, token);
    expect(best.status).toBe(200);
    expect(((await best.json()) as { best: Array<{ weekday: number; hour: number }> }).best[0]).toMatchObject({ weekday: 3, hour: 13 });
    const defs = await t.current.json('GET', `${base}/definitions`, undefined, viewer);
    expect(defs.status).toBe(200);
    expect(((await defs.json()) as { definitions: Array<{ id: string }> }).definitions.map((d) => d.id)).toContain('sprout.er-impressions');

    // The default definition: admins and owners set it; viewers may not; unknown ids are refused.
    expect((await t.current.json('PUT', `${base}/settings`, { defaultDefinitionId: 'popsters.er-post' }, viewer)).status).toBe(403);
    const bad = await t.current.json('PUT', `${base}/settings`, { defaultDefinitionId: 'followers.growth.absolute' }, owner);
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ errors: [{ path: 'definitionId' }] });
    const set = await t.current.json('PUT', `${base}/settings`, { defaultDefinitionId: 'popsters.er-post' }, owner);
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ defaultDefinitionId: 'popsters.er-post' });
    const withDefault = (await (await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&from=2026-03-23&to=2026-03-29`, undefined, viewer)).json()) as KpisBody & { byContentType: Array<{ contentType: string; definitionId: string; value: number | null }> };
    expect(withDefault.defaultDefinitionId).toBe('popsters.er-post');
    // Video p2: (100 + 30 + 20) / 1100 × 100.
    expect(withDefault.byContentType.find((x) => x.contentType === 'video')).toMatchObject({ definitionId: 'popsters.er-post', value: 13.636364 });

    const missing = await t.current.json('GET', `${base}/kpis`, undefined, viewer);
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ errors: [{ path: 'accountId' }] });
    const badDay = await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&from=2026-02-30&to=2026-03-29`, undefined, viewer);
    expect(badDay.status).toBe(422);
    expect(await badDay.json()).toMatchObject({ errors: [{ path: 'from' }] });
    const reversed = await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&from=2026-03-29&to=2026-03-23`, undefined, viewer);
    expect(reversed.status).toBe(422);
    const unknownParam = await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&foo=1`, undefined, viewer);
    expect(unknownParam.status).toBe(422);

    // Another agency: its owner sees neither this workspace nor this account from their own workspace.
    const created = await createUser({ db: services.database.db, services }, { email: 'other-owner@example.com', name: 'Other', password: 'other password long', owner: true });
    const other = await t.current.login('other-owner@example.com', 'other password long');
    expect((await t.current.json('GET', `${base}/kpis?accountId=${vk.id}&from=2026-03-23&to=2026-03-29`, undefined, other)).status).toBe(404);
    const cross = await t.current.json('GET', `/api/v1/workspaces/${created.workspace!.id}/analytics/kpis?accountId=${vk.id}&from=2026-03-23&to=2026-03-29`, undefined, other);
    expect(cross.status).toBe(404);

    const doc = (await (await t.current.request('/api/openapi.json')).json()) as { paths: Record<string, { get?: { parameters?: Array<{ name: string }> } }> };
    const kpis = doc.paths['/api/v1/workspaces/{workspaceId}/analytics/kpis']?.get;
    expect(kpis?.parameters?.map((p) => p.name).sort()).toEqual(['accountId', 'from', 'to', 'workspaceId']);
    expect(doc.paths['/api/v1/workspaces/{workspaceId}/analytics/best-times']?.get).toBeDefined();
  });
});
