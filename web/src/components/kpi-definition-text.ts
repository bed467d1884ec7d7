/**
 * A KPI definition card's texts in the UI language. The server keeps the texts (English in the
 * definitions, Russian and Swedish in src/analytics/kpi-definition-texts.ts) and sends every card with
 * its `translations`, so switching language needs no new request and no text is kept twice.
 */
import type { KpiDefinitionCard } from './kpi-types';

/** What a card says in one language, and which language that is (for `lang` attributes). */
export interface DefinitionText {
  label: string;
  mirrors: string;
  missingRule: string;
  lang: string;
}

/** The card's texts in `lng` (ru, sv), else its English ones. */
export function definitionText(definition: Pick<KpiDefinitionCard, 'label' | 'mirrors' | 'missingRule' | 'translations'>, lng: string): DefinitionText {
  const base = lng.toLowerCase().split('-')[0];
  const tr = base === 'ru' || base === 'sv' ? definition.translations[base] : null;
  return tr ? { ...tr, lang: base! } : { label: definition.label, mirrors: definition.mirrors, missingRule: definition.missingRule, lang: 'en' };
}
