/**
 * The KPI definition cards in three languages: English is the definitions' own text, Russian and
 * Swedish come from kpi-definition-texts.ts. Every definition (and every missing-value rule) must have
 * both translations, and the cards the API sends carry them.
 */
import { describe, expect, it } from 'vitest';
import { kpiDefinitions, kpiMissingRules, findKpiDefinition } from '../../src/analytics/kpi-definitions';
import { kpiDefinitionTexts, kpiDefinitionTranslations, kpiTextLocales, missingKpiTranslations } from '../../src/analytics/kpi-definition-texts';
import { presentKpis } from '../../src/http/routes/analytics.routes';

describe('KPI definition texts', () => {
  it('every definition has a Russian and a Swedish label, vendor wording and missing-value rule', () => {
    expect(missingKpiTranslations(kpiDefinitions)).toEqual([]);
  });

  it('the completeness check names what is missing', () => {
    const added = { ...findKpiDefinition('popsters.er-post')!, id: 'vendor.new-er', missingRule: 'A rule nobody translated.' };
    expect(missingKpiTranslations([...kpiDefinitions, added])).toEqual(['ru: vendor.new-er', 'sv: vendor.new-er', 'missing-value rule of vendor.new-er has no translations']);
    // …and until then the card falls back to English instead of showing nothing.
    expect(kpiDefinitionTexts(added, 'ru')).toEqual({ label: 'ERpost', mirrors: added.mirrors, missingRule: 'A rule nobody translated.' });
  });

  it('translations are translated: the vendor wording and rules differ from English in each language', () => {
    for (const d of kpiDefinitions) {
      for (const locale of kpiTextLocales) {
        const t = kpiDefinitionTexts(d, locale);
        expect(t.mirrors, `${locale} ${d.id}`).not.toBe(d.mirrors);
        expect(t.missingRule, `${locale} ${d.id}`).not.toBe(d.missingRule);
      }
    }
    expect(Object.keys(kpiMissingRules).sort()).toEqual(['activity', 'growth', 'perDay', 'strictPost']);
    expect(kpiDefinitionTexts(findKpiDefinition('followers.growth.percent')!, 'sv').label).toBe('Följartillväxt (%)');
    expect(kpiDefinitionTexts(findKpiDefinition('livedune.er.pooled')!, 'en')).toEqual({
      label: 'ER (pooled)',
      mirrors: findKpiDefinition('livedune.er.pooled')!.mirrors,
      missingRule: kpiMissingRules.strictPost,
    });
  });

  it('the API card carries the translations next to the English texts', () => {
    const d = findKpiDefinition('tgstat.err')!;
    const view = presentKpis({ kpis: [{ definition: d }] } as unknown as Parameters<typeof presentKpis>[0]);
    const card = view.kpis[0]!.definition;
    expect(card.label).toBe('ERR (TGStat)');
    expect(card.translations).toEqual(kpiDefinitionTranslations(d));
    expect(card.translations.ru.mirrors).toMatch(/^ERR = средние просмотры/);
    expect(card.translations.sv.missingRule).toBe(kpiDefinitionTexts(d, 'sv').missingRule);
  });
});
