/**
 * "How is this calculated": a disclosure under every number of the dashboard with the definition card
 * (numerator counts for the account's network, denominator, aggregation, time zone, the vendor's own
 * wording and the missing-value rule) and the actual inputs the API used — numerator, denominator,
 * posts counted and left out, days, follower readings, the arithmetic, or why there is no value.
 * Nothing here is computed in the browser: every figure is the API's.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../i18n/format';
import { definitionText } from './kpi-definition-text';
import { formatCount, formatDay, formatExact } from './kpi-format';
import type { KpiDefinitionCard, KpiInputsView } from './kpi-types';

type CountSet = NonNullable<KpiDefinitionCard['numerator']>['default'];

/** The numerator's counts that apply to `network` (its own set, else the default). */
export function numeratorFor(definition: KpiDefinitionCard, network: string): CountSet | null {
  if (!definition.numerator) return null;
  return definition.numerator.byNetwork?.[network] ?? definition.numerator.default;
}

function Row({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The definition part of the card: what is counted, divided by what, aggregated how. */
export function KpiDefinitionFacts({ definition, network, workspaceZone }: { definition: KpiDefinitionCard; network: string; workspaceZone: string }) {
  const { t, i18n } = useTranslation();
  const text = definitionText(definition, i18n.language);
  const counts = numeratorFor(definition, network);
  const countWords = counts
    ? [...counts.required.map((c) => t(`analytics.counts.${c}`)), ...(counts.optional ?? []).map((c) => t('analytics.how.whenPresent', { count: t(`analytics.counts.${c}`) }))].join(' + ')
    : null;
  const zone = definition.timeZone === 'workspace' ? t('analytics.zoneWorkspace', { zone: workspaceZone }) : definition.timeZone;
  return (
    <dl className="kpi-facts">
      <Row term={t('analytics.how.definition')}>
        {text.label} <code>{definition.id}</code>
      </Row>
      <Row term={t('analytics.how.vendor')}>{definition.vendor}</Row>
      {definition.formula === 'ratio' ? (
        <>
          {countWords && <Row term={t('analytics.how.numeratorCounts')}>{countWords}</Row>}
          {definition.denominator && <Row term={t('analytics.how.denominatorKind')}>{t(`analytics.denominators.${definition.denominator}`)}</Row>}
          {definition.aggregation && <Row term={t('analytics.how.aggregation')}>{t(`analytics.aggregations.${definition.aggregation}`, { n: definition.lastN ?? '' })}</Row>}
        </>
      ) : (
        <>
          <Row term={t('analytics.how.aggregation')}>{t('analytics.aggregations.growth')}</Row>
          {definition.mode && <Row term={t('analytics.how.numeratorCounts')}>{t(`analytics.growthModes.${definition.mode}`)}</Row>}
        </>
      )}
      <Row term={t('analytics.how.timeZone')}>{zone}</Row>
      <Row term={t('analytics.how.vendorWording')}>
        {/* The vendor's definition restated, in the UI language when translated. */}
        <q lang={text.lang}>{text.mirrors}</q>
      </Row>
      <Row term={t('analytics.how.missingRule')}>
        <span lang={text.lang}>{text.missingRule}</span>
      </Row>
    </dl>
  );
}

/** The inputs of one evaluation, as the API returned them. */
export function KpiInputsFacts({ inputs, zone, growth }: { inputs: KpiInputsView; zone: string; growth: boolean }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  const reading = (r: KpiInputsView['startFollowers']) =>
    r ? t('analytics.how.reading', { followers: formatCount(r.followers, lng), at: formatDateTime(r.observedAt, lng, zone) }) : formatCount(null, lng);
  return (
    <dl className="kpi-facts">
      <Row term={t('analytics.how.arithmetic')}>{inputs.formula ? <code>{inputs.formula}</code> : formatCount(null, lng)}</Row>
      {!growth && (
        <>
          <Row term={t('analytics.how.numerator')}>{formatExact(inputs.numerator, lng)}</Row>
          <Row term={t('analytics.how.denominator')}>{formatExact(inputs.denominator, lng)}</Row>
          <Row term={t('analytics.how.postsInPeriod')}>{formatCount(inputs.postsInPeriod, lng)}</Row>
          <Row term={t('analytics.how.postsCounted')}>{formatCount(inputs.postsCounted, lng)}</Row>
          {inputs.postsMissingCounts > 0 && <Row term={t('analytics.how.postsMissingCounts')}>{formatCount(inputs.postsMissingCounts, lng)}</Row>}
          {inputs.postsMissingDenominator > 0 && <Row term={t('analytics.how.postsMissingDenominator')}>{formatCount(inputs.postsMissingDenominator, lng)}</Row>}
        </>
      )}
      {inputs.valuesCounted !== null && (
        <>
          <Row term={t('analytics.how.sumOfValues')}>{formatExact(inputs.sumOfValues, lng)}</Row>
          <Row term={t('analytics.how.valuesCounted')}>{formatCount(inputs.valuesCounted, lng)}</Row>
        </>
      )}
      {inputs.days !== null && <Row term={t('analytics.how.days')}>{formatCount(inputs.days, lng)}</Row>}
      {inputs.daysMissingFollowers !== null && inputs.daysMissingFollowers > 0 && <Row term={t('analytics.how.daysMissingFollowers')}>{formatCount(inputs.daysMissingFollowers, lng)}</Row>}
      {inputs.daysMissingCounts !== null && inputs.daysMissingCounts > 0 && <Row term={t('analytics.how.daysMissingCounts')}>{formatCount(inputs.daysMissingCounts, lng)}</Row>}
      {growth && (
        <>
          <Row term={t('analytics.how.startFollowers')}>{reading(inputs.startFollowers)}</Row>
          <Row term={t('analytics.how.endFollowers')}>{reading(inputs.endFollowers)}</Row>
        </>
      )}
      {inputs.emptyReason && (
        <Row term={t('analytics.how.emptyReason')}>
          <span lang="en">{inputs.emptyReason}</span>
        </Row>
      )}
    </dl>
  );
}

/** The whole disclosure for one KPI value (and its previous period, when given). */
export function KpiHowCalculated({
  definition,
  network,
  workspaceZone,
  inputs,
  previous,
}: {
  definition: KpiDefinitionCard;
  network: string;
  workspaceZone: string;
  inputs: KpiInputsView;
  previous?: KpiInputsView;
}) {
  const { t, i18n } = useTranslation();
  return (
    <details className="kpi-how">
      <summary>{t('analytics.how.summary')}</summary>
      <KpiDefinitionFacts definition={definition} network={network} workspaceZone={workspaceZone} />
      <h4>
        {t('analytics.how.inputs')} ({formatDay(inputs.from, i18n.language)} – {formatDay(inputs.to, i18n.language)})
      </h4>
      <KpiInputsFacts inputs={inputs} zone={workspaceZone} growth={definition.formula === 'follower_growth'} />
      {previous && (
        <>
          <h4>
            {t('analytics.how.previousArithmetic')} ({formatDay(previous.from, i18n.language)} – {formatDay(previous.to, i18n.language)})
          </h4>
          <KpiInputsFacts inputs={previous} zone={workspaceZone} growth={definition.formula === 'follower_growth'} />
        </>
      )}
    </details>
  );
}
