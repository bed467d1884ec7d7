/**
 * `herald campaigns …` and `herald goals …`: the same use cases as the API. Amounts on the command
 * line are decimal text in the campaign's currency (`--amount 1500.50`), turned into minor units
 * exactly; `--json` prints what the API returns.
 */
import type { Command } from 'commander';
import type { CampaignDetailView, CampaignInput } from '../../use-cases/campaigns.use-case';
import { formatJson, formatTable, readFileArg, UsageError, withServices, type CliDeps } from '../cli-support';

interface Common {
  workspace?: string;
  as?: string;
  json?: boolean;
}

const common = (cmd: Command) => cmd.option('--workspace <name|id>', 'workspace (default: the only one)').option('--as <email>', 'act as this user (default: the only owner)').option('--json', 'print JSON');

async function money(text: string | undefined, currency: string, what: string): Promise<number | undefined> {
  if (text === undefined) return undefined;
  const { parseMoney } = await import('../../campaigns/money');
  const r = parseMoney(text, currency);
  if (typeof r === 'string') throw new UsageError(`${what}: ${r}`);
  return r;
}

function int(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${what} must be a whole number ≥ 0, got "${text}"`);
  return Number(text);
}

/** The campaign as text: figures, KPIs with their arithmetic, plan lines and posts. */
async function printCampaign(deps: CliDeps, c: CampaignDetailView): Promise<void> {
  const { formatMoney } = await import('../../campaigns/money');
  const m = (v: number | null) => formatMoney(v, c.currency);
  deps.out(`${c.name} (${c.id}) ${c.startsOn} … ${c.endsOn}, ${c.status}, ${c.currency}${c.utmCampaign ? `, utm_campaign=${c.utmCampaign}` : ''}`);
  deps.out(`spend ${m(c.spendMinor)} of ${m(c.planned.budgetMinor)} planned, revenue ${m(c.revenueMinor)}, conversions ${c.conversions ?? '-'}`);
  deps.out(
    formatTable(
      c.kpis.map((k) => ({
        kpi: k.definition.id,
        value: k.value === null ? '-' : k.definition.unit === 'money' ? `${k.value} ${c.currency}` : `${k.value}%`,
        goal: k.goal ? `${k.goal.direction === 'at_least' ? '≥' : '≤'} ${k.goal.target}${k.goal.progressPercent === null ? '' : ` (${k.goal.progressPercent}%)`}${k.goal.met ? ' met' : ''}` : null,
        inputs: k.value === null ? k.inputs.emptyReason : k.inputs.formula,
      })),
      // The goal column only when the campaign has goals, so other campaigns' tables keep their shape.
      ['kpi', 'value', ...(c.kpis.some((k) => k.goal) ? ['goal'] : []), 'inputs'],
    ),
  );
  if (c.lineItems.length) {
    deps.out('\nmedia plan vs actual:');
    deps.out(
      formatTable(
        c.lineItems.map((l) => ({ id: l.id, placement: l.placement, where: l.network ?? '-', planned: m(l.plannedBudgetMinor), spent: m(l.actual.spendMinor), posts: `${l.actual.posts ?? '-'}/${l.plannedPosts ?? '-'}` })),
        ['id', 'placement', 'where', 'planned', 'spent', 'posts'],
      ),
    );
  }
  if (c.posts.length) {
    deps.out('\nposts:');
    deps.out(formatTable(c.posts.map((p) => ({ post: p.postId, network: p.network, published: p.publishedAt, by: p.linkedBy.join('+'), impressions: p.impressions, clicks: p.clicks })), ['post', 'network', 'published', 'by', 'impressions', 'clicks']));
  }
}

/** Registers `campaigns ...` and `goals ...`. */
export function registerCampaignCommands(program: Command, deps: CliDeps): void {
  const load = async () => Promise.all([import('../cli-actor'), import('../../use-cases/campaigns.use-case')]);
  const camp = program.command('campaigns').description('campaigns: media plans, spend, conversions, ROI');

  common(camp.command('list').description('campaigns with spend, revenue and ROI')).action(async (opts: Common) => {
    const [{ workspaceContext }, uc] = await load();
    const items = await withServices(deps, async (s) => uc.listWorkspaceCampaigns(await workspaceContext(s, opts.as, opts.workspace)));
    if (opts.json) return deps.out(formatJson(items));
    const { formatMoney } = await import('../../campaigns/money');
    deps.out(formatTable(items.map((c) => ({ id: c.id, name: c.name, period: `${c.startsOn} … ${c.endsOn}`, status: c.status, spend: formatMoney(c.spendMinor, c.currency), revenue: formatMoney(c.revenueMinor, c.currency), roi: c.roi === null ? '-' : `${c.roi}%` })), ['id', 'name', 'period', 'status', 'spend', 'revenue', 'roi']));
  });

  common(camp.command('show').description('one campaign: KPIs with their arithmetic, plan vs actual, posts').argument('<campaign-id>')).action(async (id: string, opts: Common) => {
    const [{ workspaceContext }, uc] = await load();
    const c = await withServices(deps, async (s) => uc.getCampaign(await workspaceContext(s, opts.as, opts.workspace), id));
    if (opts.json) return deps.out(formatJson(c));
    await printCampaign(deps, c);
  });

  common(
    camp
      .command('create')
      .description('create a campaign (editors and above)')
      .requiredOption('--name <name>', 'campaign name')
      .requiredOption('--from <YYYY-MM-DD>', 'first day')
      .requiredOption('--to <YYYY-MM-DD>', 'last day (inclusive)')
      .requiredOption('--currency <ISO>', 'ISO 4217 currency, e.g. SEK')
      .option('--budget <amount>', 'total budget, e.g. 5000.00')
      .option('--objective <text>', 'what the campaign is for')
      .option('--status <status>', 'planned | active | paused | completed | cancelled')
      .option('--utm <value>', 'posts whose link carries utm_campaign=<value> belong to it')
      .option('--margin <percent>', 'gross margin in percent, for ROMI'),
  ).action(async (opts: Common & { name: string; from: string; to: string; currency: string; budget?: string; objective?: string; status?: string; utm?: string; margin?: string }) => {
    const [{ workspaceContext }, uc] = await load();
    const currency = opts.currency.toUpperCase();
    const c = await withServices(deps, async (s) =>
      uc.createCampaign(await workspaceContext(s, opts.as, opts.workspace), {
        name: opts.name,
        startsOn: opts.from,
        endsOn: opts.to,
        currency,
        budgetMinor: (await money(opts.budget, currency, '--budget')) ?? null,
        objective: opts.objective ?? null,
        status: opts.status as CampaignInput['status'],
        utmCampaign: opts.utm ?? null,
        grossMarginPercent: opts.margin === undefined ? null : Number(opts.margin),
      }),
    );
    if (opts.json) return deps.out(formatJson(c));
    deps.out(`created campaign ${c.name} (${c.id})`);
  });

  common(
    camp
      .command('add-line')
      .description('add a media-plan line (editors and above)')
      .argument('<campaign-id>')
      .requiredOption('--placement <text>', 'placement / format, e.g. "Stories"')
      .requiredOption('--budget <amount>', 'planned budget in the campaign currency')
      .option('--account <id>', 'the account the line runs on')
      .option('--network <id>', 'or only the network')
      .option('--posts <n>', 'planned posts')
      .option('--reach <n>', 'planned reach')
      .option('--impressions <n>', 'planned impressions')
      .option('--clicks <n>', 'planned clicks')
      .option('--conversions <n>', 'planned conversions'),
  ).action(async (id: string, opts: Common & { placement: string; budget: string; account?: string; network?: string; posts?: string; reach?: string; impressions?: string; clicks?: string; conversions?: string }) => {
    const [{ workspaceContext }, uc] = await load();
    const c = await withServices(deps, async (s) => {
      const ctx = await workspaceContext(s, opts.as, opts.workspace);
      const current = await uc.getCampaign(ctx, id);
      return uc.addLineItem(ctx, id, {
        placement: opts.placement,
        plannedBudgetMinor: await money(opts.budget, current.currency, '--budget'),
        accountId: opts.account ?? null,
        network: opts.network ?? null,
        plannedPosts: int(opts.posts, '--posts') ?? null,
        plannedReach: int(opts.reach, '--reach') ?? null,
        plannedImpressions: int(opts.impressions, '--impressions') ?? null,
        plannedClicks: int(opts.clicks, '--clicks') ?? null,
        plannedConversions: int(opts.conversions, '--conversions') ?? null,
      });
    });
    if (opts.json) return deps.out(formatJson(c));
    await printCampaign(deps, c);
  });

  common(
    camp
      .command('spend')
      .description('record money spent (editors and above)')
      .argument('<campaign-id>')
      .requiredOption('--day <YYYY-MM-DD>', 'the day')
      .requiredOption('--amount <amount>', 'e.g. 1500.50, in the campaign currency')
      .option('--line <id>', 'the media-plan line')
      .option('--note <text>', 'a note'),
  ).action(async (id: string, opts: Common & { day: string; amount: string; line?: string; note?: string }) => {
    const [{ workspaceContext }, uc] = await load();
    const entry = await withServices(deps, async (s) => {
      const ctx = await workspaceContext(s, opts.as, opts.workspace);
      const c = await uc.getCampaign(ctx, id);
      return uc.recordSpend(ctx, id, { day: opts.day, amountMinor: await money(opts.amount, c.currency, '--amount'), currency: c.currency, lineItemId: opts.line ?? null, note: opts.note ?? null });
    });
    deps.out(opts.json ? formatJson(entry) : `recorded spend ${entry.id}`);
  });

  common(
    camp
      .command('conversions')
      .description('record conversions and their revenue (editors and above)')
      .argument('<campaign-id>')
      .requiredOption('--day <YYYY-MM-DD>', 'the day')
      .requiredOption('--count <n>', 'how many conversions')
      .option('--value <amount>', 'their revenue, in the campaign currency')
      .option('--line <id>', 'the media-plan line')
      .option('--note <text>', 'a note'),
  ).action(async (id: string, opts: Common & { day: string; count: string; value?: string; line?: string; note?: string }) => {
    const [{ workspaceContext }, uc] = await load();
    const entry = await withServices(deps, async (s) => {
      const ctx = await workspaceContext(s, opts.as, opts.workspace);
      const c = await uc.getCampaign(ctx, id);
      const value = await money(opts.value, c.currency, '--value');
      return uc.recordConversions(ctx, id, { day: opts.day, count: int(opts.count, '--count'), valueMinor: value ?? null, currency: c.currency, lineItemId: opts.line ?? null, note: opts.note ?? null });
    });
    deps.out(opts.json ? formatJson(entry) : `recorded conversions ${entry.id}`);
  });

  common(
    camp
      .command('import')
      .description('import spend and conversion entries from a CSV or JSON file (all or nothing; re-import adds nothing)')
      .argument('<campaign-id>')
      .argument('<file>', 'the file (see docs/analytics/campaigns.md)')
      .option('--format <csv|json>', 'default: from the file name'),
  ).action(async (id: string, file: string, opts: Common & { format?: string }) => {
    const text = readFileArg(file, 'the entries file').toString('utf8');
    const format = opts.format ?? (file.toLowerCase().endsWith('.json') ? 'json' : 'csv');
    const [{ workspaceContext }, uc] = await load();
    const report = await withServices(deps, async (s) => uc.importCampaignEntries(await workspaceContext(s, opts.as, opts.workspace), id, text, format));
    if (opts.json) return deps.out(formatJson(report));
    deps.out(`spend: ${report.spend.created} new, ${report.spend.unchanged} already imported`);
    deps.out(`conversions: ${report.conversions.created} new, ${report.conversions.unchanged} already imported`);
  });

  common(camp.command('link').description('link a post to the campaign (editors and above)').argument('<campaign-id>').argument('<post-id>')).action(async (id: string, postId: string, opts: Common) => {
    const [{ workspaceContext }, uc] = await load();
    const c = await withServices(deps, async (s) => uc.linkCampaignPost(await workspaceContext(s, opts.as, opts.workspace), id, postId));
    deps.out(opts.json ? formatJson(c) : `linked post ${postId}; the campaign has ${c.posts.length} post target(s)`);
  });

  common(
    camp
      .command('report')
      .description('write the campaign report to a file (html, pdf, csv, xlsx)')
      .argument('<campaign-id>')
      .requiredOption('--out <file>', 'where to write it')
      .option('--format <format>', 'html | pdf | csv | xlsx (default: from --out)'),
  ).action(async (id: string, opts: Common & { out: string; format?: string }) => {
    const format = opts.format ?? opts.out.split('.').pop();
    const [{ workspaceContext }, uc, { writeFileSync }] = await Promise.all([import('../cli-actor'), import('../../use-cases/campaigns.use-case'), import('node:fs')]);
    const file = await withServices(deps, async (s) => uc.getCampaignReport(await workspaceContext(s, opts.as, opts.workspace), id, format));
    writeFileSync(opts.out, file.body);
    deps.out(`wrote ${opts.out} (${file.body.length} bytes)`);
  });

  const goals = program.command('goals').description('KPI goals per workspace, account or campaign');
  const loadGoals = async () => Promise.all([import('../cli-actor'), import('../../use-cases/goals.use-case')]);
  common(goals.command('list').description('the KPI goals').option('--account <id>', 'only goals that apply to this account')).action(async (opts: Common & { account?: string }) => {
    const [{ workspaceContext }, uc] = await loadGoals();
    const items = await withServices(deps, async (s) => uc.listWorkspaceGoals(await workspaceContext(s, opts.as, opts.workspace), opts.account ? { accountId: opts.account } : {}));
    if (opts.json) return deps.out(formatJson(items));
    deps.out(formatTable(items.map((g) => ({ id: g.id, kpi: g.definitionId, scope: g.campaignId ? `campaign ${g.campaignId}` : (g.accountId ?? 'workspace'), goal: `${g.direction === 'at_least' ? '≥' : '≤'} ${g.target}`, period: `${g.from} … ${g.to}` })), ['id', 'kpi', 'scope', 'goal', 'period']));
  });
  common(
    goals
      .command('set')
      .description('set a KPI goal (admins and owners)')
      .requiredOption('--kpi <definition-id>', 'a KPI definition id (herald kpi --definitions), or with --campaign a campaign KPI such as campaign.cpa')
      .requiredOption('--target <number>', 'the target value')
      .option('--from <YYYY-MM-DD>', "first day (required except with --campaign: a campaign goal runs over the campaign's dates)")
      .option('--to <YYYY-MM-DD>', 'last day (likewise)')
      .option('--at-most', 'the value should stay at or below the target (default: at least)')
      .option('--account <id>', 'for one account (default: every account)')
      .option('--campaign <id>', "for one campaign's KPI"),
  ).action(async (opts: Common & { kpi: string; target: string; from?: string; to?: string; atMost?: boolean; account?: string; campaign?: string }) => {
    const target = Number(opts.target);
    if (opts.target.trim() === '' || !Number.isFinite(target)) throw new UsageError(`--target must be a number, got "${opts.target}"`);
    const [{ workspaceContext }, uc] = await loadGoals();
    const g = await withServices(deps, async (s) =>
      uc.createGoal(await workspaceContext(s, opts.as, opts.workspace), { definitionId: opts.kpi, target, direction: opts.atMost ? 'at_most' : 'at_least', from: opts.from, to: opts.to, accountId: opts.account ?? null, campaignId: opts.campaign ?? null }),
    );
    deps.out(opts.json ? formatJson(g) : `goal ${g.id}: ${g.definitionId} ${g.direction === 'at_least' ? '≥' : '≤'} ${g.target} for ${g.from} … ${g.to}`);
  });
  common(goals.command('remove').description('delete a KPI goal (admins and owners)').argument('<goal-id>')).action(async (id: string, opts: Common) => {
    const [{ workspaceContext }, uc] = await loadGoals();
    await withServices(deps, async (s) => uc.removeGoal(await workspaceContext(s, opts.as, opts.workspace), id));
    deps.out(opts.json ? formatJson({ removed: id }) : `removed goal ${id}`);
  });
}
