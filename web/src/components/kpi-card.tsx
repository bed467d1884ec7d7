/**
 * One KPI on the dashboard: its value in its unit ("—" when the API has none), the change against the
 * previous period (▲ / ▼ with the percent the API computed), the previous value, and the "how is this
 * calculated" disclosure with the definition and the actual inputs.
 */
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { changeView, formatKpiValue, missingMark, type ChangeView, type KpiUnit } from './kpi-format';
import { KpiHowCalculated } from './kpi-how-calculated';
import type { KpiEntry } from './kpi-types';
import { definitionText } from './kpi-definition-text';
import { KpiGoal } from './kpi-goal';

/** A value in its unit with the "per week" words where the unit needs them; "—" stays bare. */
export function KpiValueText({ value, unit }: { value: number | null; unit: KpiUnit }) {
  const { t, i18n } = useTranslation();
  const text = formatKpiValue(value, unit, i18n.language);
  if (text === missingMark) return <MissingValue />;
  return <>{unit === 'percent_per_week' ? t('analytics.kpi.perWeek', { value: text }) : text}</>;
}

/** The "—" of a value that does not exist, with words for screen readers. */
export function MissingValue() {
  const { t } = useTranslation();
  return (
    <span className="kpi-missing" title={t('analytics.missing')} aria-label={t('analytics.missing')}>
      {missingMark}
    </span>
  );
}

/** ▲ 12.5% / ▼ 3% / = , or "no comparison" when either period has no value. */
export function KpiChange({ view }: { view: ChangeView | null }) {
  const { t } = useTranslation();
  if (!view) return <span className="kpi-change kpi-change-none">{t('analytics.kpi.noComparison')}</span>;
  const words = view.direction === 'flat' ? t('analytics.kpi.flat') : t(`analytics.kpi.${view.direction}`, { value: view.amount });
  return (
    <span className={`kpi-change kpi-change-${view.direction}`} title={words}>
      <span aria-hidden="true">
        {view.arrow}
        {view.direction === 'flat' ? '' : ` ${view.amount}`}
      </span>
      <span className="visually-hidden">{words}</span>
    </span>
  );
}

/** A KPI card. */
export function KpiCard({ entry, network, workspaceZone, title, extra }: { entry: KpiEntry; network: string; workspaceZone: string; title?: string; extra?: ReactNode }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const unit = entry.definition.unit;
  return (
    <article className="card kpi-card" aria-labelledby={id} data-kpi={entry.definition.id}>
      <h3 id={id}>{title ?? definitionText(entry.definition, i18n.language).label}</h3>
      {title && <p className="kpi-definition-name muted">{definitionText(entry.definition, i18n.language).label}</p>}
      <p className="kpi-value">
        <KpiValueText value={entry.value} unit={unit} />
      </p>
      <p className="kpi-comparison">
        <KpiChange view={changeView(entry.change, unit, i18n.language)} />{' '}
        <span className="muted">{t('analytics.kpi.previousValue', { value: formatKpiValue(entry.previous.value, unit, i18n.language) })}</span>
      </p>
      <KpiGoal goal={entry.goal} unit={unit} />
      {extra}
      <KpiHowCalculated definition={entry.definition} network={network} workspaceZone={workspaceZone} inputs={entry.inputs} previous={entry.previous.inputs} />
    </article>
  );
}
