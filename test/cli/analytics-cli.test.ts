/**
 * `herald import metrics FILE` and `herald kpi` as real processes against a fresh embedded database:
 * the hand-computed fixture goes in through the CLI and `kpi --json` prints every definition with its
 * id, value and inputs; a bad file exits 1 naming the path; a re-import adds nothing.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { multiProcessTestTimeoutMs, runCli, tempHome } from './cli-harness';

const home = tempHome();
afterAll(() => home.cleanup());
const fixture = fileURLToPath(new URL('../fixtures/analytics/stockholm-week.json', import.meta.url));

describe('herald import metrics / herald kpi', () => {
  it('imports the fixture and prints every KPI with its definition id, value and inputs', async () => {
    const created = await runCli(['user', 'create', '--owner', '--email', 'cli@example.com', '--name', 'Cli', '--password-stdin', '--workspace', 'Acme', '--timezone', 'Europe/Stockholm'], {
      env: home.env,
      input: 'correct horse battery staple\n',
    });
    expect(created.code, created.stderr).toBe(0);

    const imported = await runCli(['import', 'metrics', fixture, '--workspace', 'Acme', '--json'], { env: home.env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({ accounts: { created: 2 }, posts: { created: 9 }, observations: { created: 11 } });

    const again = await runCli(['import', 'metrics', fixture], { env: home.env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('posts: 0 new, 9 existing');
    expect(again.stdout).toContain('observations: 0 new, 0 corrected, 11 unchanged');

    const kpi = await runCli(['kpi', '--workspace', 'Acme', '--account', 'vk:acme', '--from', '2026-03-23', '--to', '2026-03-29', '--json'], { env: home.env });
    expect(kpi.code, kpi.stderr).toBe(0);
    const out = JSON.parse(kpi.stdout) as { kpis: Array<{ definition: { id: string }; value: number | null; inputs: { numerator: number | null; denominator: number | null; postsCounted: number } }> };
    const byId = Object.fromEntries(out.kpis.map((k) => [k.definition.id, k]));
    expect(out.kpis).toHaveLength(18);
    expect(byId['livedune.er.pooled']).toMatchObject({ value: 8.681818, inputs: { numerator: 382, denominator: 4400, postsCounted: 4 } });
    expect(byId['popsters.er-day']?.value).toBe(4.18961);
    expect(byId['followers.growth.weekly-compound']?.value).toBe(25);

    const table = await runCli(['kpi', '--account', 'acme', '--from', '2026-03-23', '--to', '2026-03-29'], { env: home.env });
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('vk:acme 2026-03-23 … 2026-03-29 (Europe/Stockholm)');
    expect(table.stdout).toMatch(/livedune\.er\.pooled\s+8\.681818%\s+4\.040404%\s+\+4\.641414\s+4\/5 posts\s+382 \/ 4400 × 100/);
    const best = await runCli(['kpi', '--account', 'acme', '--from', '2026-03-23', '--to', '2026-03-29', '--best-times'], { env: home.env });
    expect(best.code, best.stderr).toBe(0);
    expect(best.stdout).toMatch(/Sun 11:00\s+1\s+1\s+10%/);
    expect(best.stdout).toContain('best: Wed 13:00, Sun 11:00, Wed 17:00');
    expect(table.stdout).toMatch(/napoleoncat\.er-daily\s+3\.93658%.*7\/7 days/);
  }, multiProcessTestTimeoutMs);

  it('a bad file exits 1 with the path of the problem; a missing --account is a usage error', async () => {
    const bad = join(home.dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, accounts: [{ network: 'vk', handle: 'a', externalId: '1' }], posts: [{ account: 'vk:1', externalId: 'x', publishedAt: 'yesterday', contentType: 'text' }] }));
    const r = await runCli(['import', 'metrics', bad], { env: home.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('posts[0].publishedAt: expected an ISO 8601 instant with an offset');
    const usage = await runCli(['kpi', '--from', '2026-03-23'], { env: home.env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--account is required');
  }, multiProcessTestTimeoutMs);
});
