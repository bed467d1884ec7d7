/**
 * `herald kpi`: every KPI definition for one account over a period, each with its definition id, value
 * and inputs (the numbers it was computed from), and the previous period of the same length.
 *
 * Stable contract for scripts: with --json it prints the same object as
 * GET /api/v1/workspaces/{ws}/analytics/kpis (`kpis[].definition.id`, `kpis[].value`, `kpis[].inputs`).
 */
import type { Command } from 'commander';
import type { KpiView } from '../../use-cases/analytics.use-case';
import { formatJson, formatTable, UsageError, withServices, type CliDeps } from '../cli-support';

interface KpiOpts {
  workspace?: string;
  as?: string;
  account?: string;
  from?: string;
  to?: string;
  json?: boolean;
  definitions?: boolean;
  setDefault?: string;
  bestTimes?: boolean;
}

const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function shown(k: Pick<KpiView, 'value'> & { definition: { unit: string } }): string {
  if (k.value === null) return '-';
  return k.definition.unit === 'followers' ? String(k.value) : `${k.value}%`;
}

/** What a value was counted over: posts of the period, or days for per-day and activity definitions. */
function counted(k: KpiView): string | null {
  const d = k.definition;
  if (d.formula !== 'ratio') return null;
  if (d.aggregation === 'activity_pooled' || d.aggregation === 'activity_per_day') return `${k.inputs.valuesCounted ?? 0}/${k.inputs.days ?? 0} days`;
  if (d.aggregation === 'median_last_n') return `last ${k.inputs.postsCounted} posts`;
  return `${k.inputs.postsCounted}/${k.inputs.postsInPeriod} posts`;
}

/** Registers `kpi`. */
export function registerKpiCommand(program: Command, deps: CliDeps): void {
  program
    .command('kpi')
    .description("an account's KPIs over a period (every definition, with its inputs)")
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--account <id|handle>', 'the account (id, handle or network:handle)')
    .option('--from <YYYY-MM-DD>', 'first day, in the workspace time zone (default: 30 days before --to)')
    .option('--to <YYYY-MM-DD>', 'last day, inclusive (default: yesterday)')
    .option('--json', 'print JSON: {period, previousPeriod, defaultDefinitionId, kpis:[{definition, value, inputs, previous, change, goal}], byContentType}')
    .option('--definitions', 'list the KPI definitions and the workspace default instead')
    .option('--set-default <definition-id>', "set the workspace's default engagement definition (admins)")
    .option('--best-times', 'print the weekday × hour heatmap of the period instead (workspace time zone)')
    .addHelpText('after', '\nExample:\n  herald kpi --workspace Acme --account acme.bsky.social --from 2026-03-01 --to 2026-03-31 --json')
    .action(async (opts: KpiOpts) => {
      const [{ workspaceContext }, analytics, { listAccounts }, { matchAccount }] = await Promise.all([
        import('../cli-actor'),
        import('../../use-cases/analytics.use-case'),
        import('../../use-cases/accounts.use-case'),
        import('./account.command'),
      ]);
      await withServices(deps, async (services) => {
        const ctx = await workspaceContext(services, opts.as, opts.workspace);
        if (opts.setDefault !== undefined || opts.definitions) {
          const view = opts.setDefault !== undefined ? await analytics.setDefaultKpiDefinition(ctx, opts.setDefault) : await analytics.listKpiDefinitions(ctx);
          if (opts.json) deps.out(formatJson(view));
          else {
            deps.out(formatTable(view.definitions.map((d) => ({ id: d.id, vendor: d.vendor, label: d.label, default: d.id === view.defaultDefinitionId ? 'yes' : '' })), ['id', 'vendor', 'label', 'default']));
          }
          return;
        }
        if (!opts.account) throw new UsageError('--account is required (see `herald account list`)');
        const account = matchAccount(await listAccounts(ctx), opts.account);
        if (opts.bestTimes) {
          const heat = await analytics.getBestTimes(ctx, { accountId: account.id, from: opts.from, to: opts.to });
          if (opts.json) {
            deps.out(formatJson(heat));
            return;
          }
          const cell = (c: { weekday: number; hour: number }) => `${weekdays[c.weekday - 1]} ${String(c.hour).padStart(2, '0')}:00`;
          deps.out(`${heat.period.from} … ${heat.period.to} (${heat.timeZone}), mean ${heat.definitionId} per post`);
          deps.out(formatTable(heat.cells.map((c) => ({ when: cell(c), posts: c.posts, counted: c.postsCounted, value: c.value === null ? null : `${c.value}%` })), ['when', 'posts', 'counted', 'value']));
          deps.out(`best: ${heat.best.map(cell).join(', ') || '-'}`);
          return;
        }
        const view = await analytics.getKpis(ctx, { accountId: account.id, from: opts.from, to: opts.to });
        if (opts.json) {
          const { presentKpis } = await import('../../http/routes/analytics.routes');
          deps.out(formatJson(presentKpis(view)));
          return;
        }
        deps.out(`${view.network}:${view.handle} ${view.period.from} … ${view.period.to} (${view.timeZone}), compared with ${view.previousPeriod.from} … ${view.previousPeriod.to}`);
        deps.out(
          formatTable(
            view.kpis.map((k) => ({
              definition: k.definition.id,
              value: shown(k),
              previous: shown({ value: k.previous.value, definition: k.definition }),
              change: k.change.absolute === null ? null : `${k.change.absolute > 0 ? '+' : ''}${k.change.absolute}`,
              counted: counted(k),
              goal: k.goal ? `${k.goal.direction === 'at_least' ? '≥' : '≤'} ${k.goal.target}${k.goal.progressPercent === null ? '' : ` (${k.goal.progressPercent}%)`}${k.goal.met ? ' met' : ''}` : null,
              inputs: k.value === null ? k.inputs.emptyReason : k.inputs.formula,
            })),
            // The goal column only when a goal applies, so tables of workspaces without goals keep their shape.
            ['definition', 'value', 'previous', 'change', ...(view.kpis.some((k) => k.goal) ? ['goal'] : []), 'counted', 'inputs'],
          ),
        );
        if (view.byContentType.length) {
          deps.out(`\nby content type (${view.defaultDefinitionId}):`);
          deps.out(formatTable(view.byContentType.map((c) => ({ type: c.contentType, posts: c.posts, value: c.value === null ? null : `${c.value}%` })), ['type', 'posts', 'value']));
        }
      });
    });
}
