/**
 * A campaign KPI's goal in the campaign's KPI table: the target with its direction in the KPI's own
 * unit (money in the campaign's currency, formatted like the value beside it), how much of the goal
 * the value reaches (a bar capped at 100 %, the exact percent in words) and whether it is met. The API
 * computes progress and met; nothing here does arithmetic on KPI values.
 *
 * The dashboard's KpiGoal (kpi-goal.tsx) knows only account KPI units and would show a money target
 * as a percentage, so campaign goals have this cell of their own.
 */
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import type { Api } from '../api/client';

type CampaignApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['campaigns'];
type CampaignKpiWithGoal = InferResponseType<CampaignApi[':campaignId']['$get'], 200>['kpis'][number];
/** A campaign KPI's goal with its progress (null: the KPI has none). */
export type CampaignKpiGoal = CampaignKpiWithGoal['goal'];
/** A campaign KPI's unit: percent, or major units of the campaign's currency. */
export type CampaignKpiUnit = CampaignKpiWithGoal['definition']['unit'];

const missing = '—';

/**
 * A campaign KPI figure as the campaign screen shows it: money in the campaign's currency, percent
 * with up to 6 decimals (as exact as the API gives it); "—" when missing, never 0.
 */
export function formatCampaignValue(value: number | null, unit: CampaignKpiUnit, currency: string, lng: string): string {
  if (value === null) return missing;
  if (unit === 'money') return new Intl.NumberFormat(lng, { style: 'currency', currency, maximumFractionDigits: 6 }).format(value);
  return `${new Intl.NumberFormat(lng, { maximumFractionDigits: 6 }).format(value)} %`;
}

/** The goal of one campaign KPI, with a remove button when `onRemove` is given (admins and owners). */
export function CampaignGoal({ goal, unit, currency, onRemove, removing = false }: { goal: CampaignKpiGoal; unit: CampaignKpiUnit; currency: string; onRemove?: (goalId: string) => void; removing?: boolean }) {
  const { t, i18n } = useTranslation();
  if (!goal) return null;
  const lng = i18n.language;
  const target = formatCampaignValue(goal.target, unit, currency, lng);
  const state = goal.met === null ? t('goals.noValue') : goal.met ? t('goals.met') : t('goals.notMet');
  const progress = goal.progressPercent === null ? null : t('goals.progress', { percent: formatCampaignValue(goal.progressPercent, 'percent', currency, lng) });
  return (
    <div className={`kpi-goal ${goal.met ? 'kpi-goal-met' : ''}`} data-goal={goal.goalId}>
      <p>
        {t('goals.goalLine', { direction: t(`goals.directions.${goal.direction}`), target })}
        {/* A campaign goal follows the campaign's dates; a mismatch would only be a change in flight. */}
        {!goal.periodMatches && <span className="muted"> ({t('goals.otherPeriod', { from: goal.from, to: goal.to })})</span>}
      </p>
      {progress !== null && goal.progressPercent !== null && (
        <p>
          <progress max={100} value={Math.min(100, Math.max(0, goal.progressPercent))} aria-label={progress} /> {progress}
        </p>
      )}
      <p className="kpi-goal-state">{state}</p>
      {onRemove && (
        <button type="button" className="button button-quiet" disabled={removing} onClick={() => onRemove(goal.goalId)}>
          {t('goals.remove')}
        </button>
      )}
    </div>
  );
}
