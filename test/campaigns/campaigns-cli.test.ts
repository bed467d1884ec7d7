/**
 * `herald campaigns …` and `herald goals …` as real processes against a fresh embedded database: a
 * campaign created with a decimal budget, a plan line, spend typed as text and a JSON import, the
 * KPIs printed with their arithmetic; a bad amount is refused before anything is stored; a goal shows
 * up in `herald kpi --json` and in the table; a campaign goal shows in `herald campaigns show`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { multiProcessTestTimeoutMs, runCli, tempHome } from '../cli/cli-harness';

const home = tempHome();
afterAll(() => home.cleanup());
const fixture = fileURLToPath(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url));

describe('herald campaigns / herald goals', () => {
  it('plans a campaign, records money as text, imports entries and shows goals in herald kpi', async () => {
    const run = async (args: string[]) => {
      const r = await runCli(args, { env: home.env });
      expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const user = await runCli(['user', 'create', '--owner', '--email', 'camp@example.com', '--name', 'Camp', '--password-stdin', '--workspace', 'Acme', '--timezone', 'Europe/Stockholm'], { env: home.env, input: 'correct horse battery staple\n' });
    expect(user.code, user.stderr).toBe(0);
    await run(['import', 'metrics', fixture]);

    const created = JSON.parse(await run(['campaigns', 'create', '--name', 'Spring', '--from', '2026-03-23', '--to', '2026-03-29', '--currency', 'sek', '--budget', '4000', '--margin', '40', '--json'])) as { id: string; budgetMinor: number; currency: string };
    expect(created).toMatchObject({ budgetMinor: 400_000, currency: 'SEK' });
    const withLine = JSON.parse(await run(['campaigns', 'add-line', created.id, '--placement', 'Stories', '--budget', '2500.00', '--network', 'vk', '--posts', '2', '--json'])) as { lineItems: Array<{ id: string; plannedBudgetMinor: number }> };
    expect(withLine.lineItems[0]!.plannedBudgetMinor).toBe(250_000);
    await run(['campaigns', 'spend', created.id, '--day', '2026-03-24', '--amount', '1 200,50', '--line', withLine.lineItems[0]!.id]);

    const bad = await runCli(['campaigns', 'spend', created.id, '--day', '2026-03-24', '--amount', '12.345'], { env: home.env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--amount: SEK has 2 decimals: "12.345" has 3');

    const file = join(home.dir, 'entries.json');
    writeFileSync(file, JSON.stringify({ version: 1, currency: 'SEK', spend: [{ date: '2026-03-25', amount: '799.50', lineItem: 'Stories' }], conversions: [{ date: '2026-03-26', count: 4, value: '3000.00' }] }));
    expect(await run(['campaigns', 'import', created.id, file])).toContain('spend: 1 new, 0 already imported');
    expect(await run(['campaigns', 'import', created.id, file])).toContain('conversions: 0 new, 1 already imported');

    // spend 1 200.50 + 799.50 = 2 000.00; revenue 3 000.00; ROI (3000 − 2000) / 2000 × 100 = 50; CPA 2000 / 4 = 500
    const shown = await run(['campaigns', 'show', created.id]);
    expect(shown).toContain('spend 2000.00 SEK of 2500.00 SEK planned, revenue 3000.00 SEK, conversions 4');
    expect(shown).toMatch(/campaign\.roi\s+50%\s+\(3000\.00 − 2000\.00\) \/ 2000\.00 × 100/);
    expect(shown).toMatch(/campaign\.cpa\s+500 SEK\s+2000\.00 \/ 4/);
    // ROMI: (3000 × 40% − 2000) / 2000 × 100 = −40
    expect(shown).toMatch(/campaign\.romi\s+-40%/);
    expect(JSON.parse(await run(['campaigns', 'list', '--json']))).toMatchObject([{ id: created.id, roi: 50, spendMinor: 200_000 }]);

    await run(['goals', 'set', '--kpi', 'livedune.er.pooled', '--target', '10', '--from', '2026-03-23', '--to', '2026-03-29']);
    const kpi = JSON.parse(await run(['kpi', '--account', 'vk:acme', '--from', '2026-03-23', '--to', '2026-03-29', '--json'])) as { kpis: Array<{ definition: { id: string }; goal: unknown }> };
    expect(kpi.kpis.find((k) => k.definition.id === 'livedune.er.pooled')!.goal).toMatchObject({ target: 10, direction: 'at_least', progressPercent: 86.81818, met: false });
    expect(kpi.kpis.find((k) => k.definition.id === 'popsters.er-post')!.goal).toBeNull();
    const table = await run(['kpi', '--account', 'vk:acme', '--from', '2026-03-23', '--to', '2026-03-29']);
    expect(table).toMatch(/livedune\.er\.pooled\s+8\.681818%.*≥ 10 \(86\.81818%\)/);

    // A campaign goal: CPA 500 against at most 400 → 400 / 500 × 100 = 80 %, not met; no dates taken.
    expect(await run(['goals', 'set', '--campaign', created.id, '--kpi', 'campaign.cpa', '--target', '400', '--at-most'])).toMatch(/campaign\.cpa ≤ 400 for 2026-03-23 … 2026-03-29$/m);
    expect(await run(['campaigns', 'show', created.id])).toMatch(/campaign\.cpa\s+500 SEK\s+≤ 400 \(80%\)\s+2000\.00 \/ 4/);

    const report = join(home.dir, 'spring.csv');
    expect(await run(['campaigns', 'report', created.id, '--out', report])).toMatch(/^wrote .*spring\.csv/);
  }, multiProcessTestTimeoutMs);
});
