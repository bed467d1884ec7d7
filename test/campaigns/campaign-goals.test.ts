/**
 * Campaign goals over HTTP on SQLite and PostgreSQL: a goal on one campaign KPI (CPA at most, ROI at
 * least) runs over the campaign's own dates and follows them when they change; the campaign's KPIs
 * carry it with its progress, to the last decimal; bad combinations are 422s that store nothing, and
 * a second goal for the same campaign KPI is a 409; only admins and owners set goals; campaign goals
 * never reach an account's dashboard; deleting the campaign deletes its goals in the same transaction.
 *
 * Hand arithmetic (EUR, minor units = cents): spend 1 000.00; 4 conversions worth 3 000.00.
 * - CPA 1 000.00 / 4 = 250; goal at most 200: 200 / 250 × 100 = 80 %, not met, gap 250 − 200 = 50;
 *   changed to at most 300: 300 / 250 × 100 = 120 %, met, gap −50.
 * - ROI (300 000 − 100 000) / 100 000 × 100 = 200; goal at least 150: 200 / 150 × 100 = 133.333333 %,
 *   met, gap 50.
 */
import { describe, expect, it } from 'vitest';
import { dialects } from '../support/databases';
import { useTestApp } from '../support/test-app';
import { isCampaignGoalTaken } from '../../src/repositories/goals.repository';
import { createUser } from '../../src/use-cases/users.use-case';

interface Goal {
  id: string;
  scope: string;
  campaignId: string | null;
  accountId: string | null;
  definitionId: string;
  unit: string;
  from: string;
  to: string;
}
interface Campaign {
  id: string;
  kpis: Array<{ definition: { id: string }; value: number | null; goal: Record<string, unknown> | null }>;
}
interface Problem {
  detail: string;
  errors?: Array<{ path: string; code: string; message: string }>;
}

describe.each(dialects())('campaign goals over HTTP (%s)', (dialect) => {
  const t = useTestApp(dialect);

  it('targets campaign KPIs over the campaign dates, with progress, refusals, roles and deletion', async () => {
    const services = t.current.services;
    const db = services.database.db;
    const created = await createUser({ db, services }, { email: 'goals-owner@example.com', name: 'Owner', password: 'owner password is long', owner: true });
    const owner = { ...(await t.current.login('goals-owner@example.com', 'owner password is long')), workspaceId: created.workspace!.id };
    const base = `/api/v1/workspaces/${owner.workspaceId}`;
    const admin = await t.current.addUser(owner.workspaceId, 'admin');
    const editor = await t.current.addUser(owner.workspaceId, 'editor');
    const viewer = await t.current.addUser(owner.workspaceId, 'viewer');
    const call = (method: string, path: string, body: unknown, who: typeof owner | typeof admin = owner) => t.current.json(method, `${base}${path}`, body, who);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      return (await res.json()) as Problem;
    };

    const camp = (await (await call('POST', '/campaigns', { name: 'Autumn', startsOn: '2026-10-01', endsOn: '2026-10-31', currency: 'EUR' })).json()) as { id: string };
    expect((await call('POST', `/campaigns/${camp.id}/spend`, { day: '2026-10-02', amountMinor: 100_000, currency: 'EUR' })).status).toBe(201);
    expect((await call('POST', `/campaigns/${camp.id}/conversions`, { day: '2026-10-03', count: 4, valueMinor: 300_000, currency: 'EUR' })).status).toBe(201);
    const cpaGoal = { campaignId: camp.id, definitionId: 'campaign.cpa', target: 200, direction: 'at_most' };

    // Refused, in words, with nothing stored.
    const refusals: Array<[unknown, string, string]> = [
      [{ ...cpaGoal, from: '2026-10-01', to: '2026-10-31' }, 'from', 'campaign_period'],
      [{ ...cpaGoal, accountId: 'some-account' }, 'accountId', 'campaign_account'],
      [{ ...cpaGoal, definitionId: 'livedune.er.pooled' }, 'definitionId', 'not_campaign_kpi'],
      [{ ...cpaGoal, campaignId: null, from: '2026-10-01', to: '2026-10-31' }, 'definitionId', 'campaign_kpi'],
      [{ ...cpaGoal, campaignId: 'no-such-campaign' }, 'campaignId', 'unknown_campaign'],
      [{ definitionId: 'livedune.er.pooled', target: 5, direction: 'at_least', from: '2026-10-01' }, 'to', 'required'],
    ];
    for (const [body, path, code] of refusals) {
      const p = await problem(await call('POST', '/goals', body), 422);
      expect(p.errors?.[0], JSON.stringify(body)).toMatchObject({ path, code });
    }
    expect((await problem(await call('POST', '/goals', { ...cpaGoal, from: '2026-10-01' }), 422)).detail).toBe(
      "A campaign goal runs over the campaign's own dates (2026-10-01 … 2026-10-31) and follows them: leave from and to out",
    );
    for (const who of [editor, viewer]) expect((await call('POST', '/goals', cpaGoal, who)).status).toBe(403);
    expect(await db.selectFrom('goals').select('id').where('workspace_id', '=', owner.workspaceId).execute()).toEqual([]);

    const cpa = (await (await call('POST', '/goals', cpaGoal, admin)).json()) as Goal;
    expect(cpa).toMatchObject({ scope: 'campaign', campaignId: camp.id, accountId: null, definitionId: 'campaign.cpa', unit: 'money', from: '2026-10-01', to: '2026-10-31' });
    const roi = await call('POST', '/goals', { campaignId: camp.id, definitionId: 'campaign.roi', target: 150, direction: 'at_least' });
    expect(roi.status).toBe(201);
    const roiId = ((await roi.json()) as Goal).id;
    // One goal per campaign KPI: a second would cover the same dates and only hide the first.
    const second = await problem(await call('POST', '/goals', { ...cpaGoal, target: 100 }), 409);
    expect(second.detail).toBe(`This campaign already has a goal for campaign.cpa (${cpa.id}): change that one (PATCH …/goals/${cpa.id}) or remove it first`);
    expect((await problem(await call('PATCH', `/goals/${roiId}`, { definitionId: 'campaign.cpa' }), 409)).detail).toContain(cpa.id);
    // The database holds the rule too (a partial unique index), so two saves at once add one goal.
    const row = await db.selectFrom('goals').selectAll().where('id', '=', cpa.id).executeTakeFirstOrThrow();
    const dup = await db.insertInto('goals').values({ ...row, id: `${row.id.slice(0, -4)}ffff` }).execute().then(() => null, (e: unknown) => e);
    expect(isCampaignGoalTaken(dup)).toBe(true);
    const cpmGoal = { campaignId: camp.id, definitionId: 'campaign.cpm', target: 50, direction: 'at_most' };
    const both = await Promise.all([call('POST', '/goals', cpmGoal), call('POST', '/goals', cpmGoal)]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    const mine = ((await (await call('GET', `/goals?campaignId=${camp.id}`, undefined, viewer)).json()) as { items: Goal[] }).items;
    expect(mine.map((g) => g.definitionId).sort()).toEqual(['campaign.cpa', 'campaign.cpm', 'campaign.roi']);
    const cpmId = mine.find((g) => g.definitionId === 'campaign.cpm')!.id;
    expect((await call('DELETE', `/goals/${cpmId}`, undefined)).status).toBe(204);

    const kpis = async () => {
      const c = (await (await call('GET', `/campaigns/${camp.id}`, undefined, viewer)).json()) as Campaign;
      return (id: string) => c.kpis.find((k) => k.definition.id === id)!;
    };
    let k = await kpis();
    expect(k('campaign.cpa')).toMatchObject({ value: 250, goal: { goalId: cpa.id, scope: 'campaign', campaignId: camp.id, target: 200, direction: 'at_most', met: false, progressPercent: 80, gap: 50, periodMatches: true } });
    expect(k('campaign.roi')).toMatchObject({ value: 200, goal: { met: true, progressPercent: 133.333333, gap: 50 } });
    expect(k('campaign.cpm').goal).toBeNull();

    // Campaign goals are not dashboard goals.
    // (An account's list holds its own and workspace-wide goals, whose accountId is null like a campaign
    // goal's: campaign goals must be left out by their campaignId. The account need not exist here.)
    expect(((await (await call('GET', '/goals?accountId=any-account', undefined)).json()) as { items: Goal[] }).items).toEqual([]);
    const all = ((await (await call('GET', '/goals', undefined, viewer)).json()) as { items: Goal[] }).items;
    expect(all.map((g) => [g.definitionId, g.scope]).sort()).toEqual([['campaign.cpa', 'campaign'], ['campaign.roi', 'campaign']]);

    // The goal follows the campaign's dates; a changed target changes the progress.
    expect((await call('PATCH', `/campaigns/${camp.id}`, { endsOn: '2026-11-15' })).status).toBe(200);
    expect((await problem(await call('PATCH', `/goals/${cpa.id}`, { to: '2026-12-31' }), 422)).errors?.[0]).toMatchObject({ path: 'to', code: 'campaign_period' });
    const changed = (await (await call('PATCH', `/goals/${cpa.id}`, { target: 300 })).json()) as Goal;
    expect(changed).toMatchObject({ from: '2026-10-01', to: '2026-11-15' });
    k = await kpis();
    expect(k('campaign.cpa').goal).toMatchObject({ target: 300, met: true, progressPercent: 120, gap: -50, from: '2026-10-01', to: '2026-11-15', periodMatches: true });

    // Deleting the campaign deletes its goals, in the same transaction as the event that says so.
    expect((await call('DELETE', `/campaigns/${camp.id}`, undefined)).status).toBe(204);
    expect(await db.selectFrom('goals').select('id').where('workspace_id', '=', owner.workspaceId).execute()).toEqual([]);
    const events = await db.selectFrom('events').select('payload').where('type', '=', 'campaign.deleted').where('subject_id', '=', camp.id).execute();
    expect(events.map((e) => JSON.parse(String(e.payload)) as unknown)).toEqual([{ campaignId: camp.id, name: 'Autumn', reportSchedulesRemoved: 0, goalsRemoved: 2 }]);
  });
});
