/**
 * A KPI's goal on the dashboard: the target with its direction, how much of it the value reaches
 * (a progress bar capped at 100 %, the exact percent in words) and whether it is met. The API computes
 * progress; nothing here does arithmetic on KPI values.
 */
import { useTranslation } from 'react-i18next';
import type { KpiEntry } from './kpi-types';
import { formatExact, formatKpiValue, formatPercent, type KpiUnit } from './kpi-format';
import '../screens/campaigns.css';

/** The goal that applies to a KPI (null: none). */
export type KpiGoalView = KpiEntry['goal'];

/** Goal line under a KPI value. */
export function KpiGoal({ goal, unit }: { goal: KpiGoalView; unit: KpiUnit }) {
  const { t, i18n } = useTranslation();
  if (!goal) return null;
  const lng = i18n.language;
  const target = unit === 'followers' ? formatExact(goal.target, lng) : formatKpiValue(goal.target, unit, lng);
  const state = goal.met === null ? t('goals.noValue') : goal.met ? t('goals.met') : t('goals.notMet');
  return (
    <div className={`kpi-goal ${goal.met ? 'kpi-goal-met' : ''}`} data-goal={goal.goalId}>
      <p>
        {t('goals.goalLine', { direction: t(`goals.directions.${goal.direction}`), target })}
        {!goal.periodMatches && <span className="muted"> ({t('goals.otherPeriod', { from: goal.from, to: goal.to })})</span>}
      </p>
      {goal.progressPercent !== null && (
        <p>
          <progress max={100} value={Math.min(100, Math.max(0, goal.progressPercent))} aria-label={t('goals.progress', { percent: formatPercent(goal.progressPercent, lng) })} />{' '}
          {t('goals.progress', { percent: formatPercent(goal.progressPercent, lng) })}
        </p>
      )}
      <p className="kpi-goal-state">{state}</p>
    </div>
  );
}
