/**
 * The KPI definition cards' texts in Russian and Swedish. English stays where it is written, in the
 * definitions themselves (kpi-definitions.ts): that is the one source. Translations are keyed by a
 * definition id (label, vendor wording) or by the name of a missing-value rule (`kpiMissingRules`), so
 * a definition or rule added without its translations is caught by the completeness test
 * (test/analytics/kpi-definition-texts.test.ts); until then its card falls back to English.
 *
 * The API sends each card with its `translations` and the web app shows the one of the UI language, so
 * switching language needs no new request. Vendor names, ids, metric abbreviations (ER, ERR, ERview)
 * and formulas' symbols are not translated: they are what the vendors publish.
 */
import { kpiMissingRules, type KpiDefinition } from './kpi-definitions';

/** Languages with translated definition texts (English is the definitions' own text). */
export const kpiTextLocales = ['ru', 'sv'] as const;
/** One translated language. */
export type KpiTextLocale = (typeof kpiTextLocales)[number];

/** The texts of one definition card. */
export interface KpiDefinitionTexts {
  label: string;
  /** The vendor's definition, restated. */
  mirrors: string;
  missingRule: string;
}

type Texts = Record<string, { label: string; mirrors: string }>;

const ru: Texts = {
  'livedune.er.pooled': {
    label: 'ER (общий)',
    mirrors:
      'ER = (сумма реакций за период / число публикаций) / подписчики × 100, общая («pooled») агрегация. Когда у каждой публикации своё число подписчиков, это сумма реакций / сумма подписчиков на момент публикации.',
  },
  'livedune.er.weighted': {
    label: 'ER (взвешенный)',
    mirrors: 'ER с «взвешенной» агрегацией: среднее ER публикаций, ER = реакции / подписчики на момент публикации × 100.',
  },
  'livedune.er.dynamics': {
    label: 'Динамика ER (медиана последних 20 публикаций)',
    mirrors: '«Динамика ER» = медиана ER последних 20 публикаций (до конца периода), ER = реакции / подписчики на момент публикации × 100.',
  },
  'popsters.er-post': {
    label: 'ERpost',
    mirrors:
      'ERpost = (лайки + репосты + комментарии) / подписчики × 100; среднее общее: сумма за период / подписчики / N публикаций. Подписчики — на конец дня публикации.',
  },
  'popsters.er-view': {
    label: 'ERview',
    mirrors: 'ERview = (лайки + репосты + комментарии) / просмотры × 100, только там, где есть просмотры; среднее — среднее ERview публикаций.',
  },
  'popsters.er-day': {
    label: 'ERday',
    mirrors:
      'ERday = (лайки + репосты + комментарии за день) / подписчики × 100 для публикаций этого дня; среднее делится на календарные дни периода, а не на дни с публикациями.',
  },
  'popsters.love-rate': {
    label: 'Love Rate',
    mirrors: 'Love Rate = лайки / подписчики × 100, по каждой публикации, делённое на N публикаций (общее).',
  },
  'popsters.talk-rate': {
    label: 'Talk Rate',
    mirrors: 'Talk Rate = комментарии / подписчики × 100, по каждой публикации, делённое на N публикаций (общее).',
  },
  'sprout.er-impressions': {
    label: 'Вовлечённость (на показ)',
    mirrors:
      'Вовлечённость на показ = (реакции + комментарии + репосты + клики по ссылке + другие клики по публикации) / показы × 100, отчёт по публикациям: вовлечённость публикаций, вышедших в периоде. Клики учитываются там, где сеть их сообщает.',
  },
  'sprout.er-impressions.profile': {
    label: 'Вовлечённость (на показ), отчёт профиля',
    mirrors:
      'Вовлечённость на показ, как в отчёте профиля: вовлечённость, случившаяся в периоде, независимо от даты публикации — (реакции + комментарии + репосты + клики) / показы × 100 по приростам, замеченным в каждый день.',
  },
  'napoleoncat.er-daily': {
    label: 'Дневной ER (среднее по дням)',
    mirrors: 'Дневной ER = взаимодействия за день (реакции + комментарии + репосты на любой публикации) / подписчики этого дня × 100; ER за несколько дней — среднее дневных ER.',
  },
  'tgstat.err': {
    label: 'ERR (TGStat)',
    mirrors:
      'ERR = средние просмотры публикации / подписчики × 100 за период (TGStat берёт последние 30 дней), без удалённых публикаций. Просмотры в Telegram не уникальны, поэтому ERR может превышать 100 %. Это не то же, что «ERR по охвату».',
  },
  'tgstat.err24': {
    label: 'ERR24 (TGStat)',
    mirrors: 'ERR24 = ERR только по просмотрам за первые 24 ч после публикации: просмотры через 24 ч / подписчики × 100 (общее).',
  },
  'err.reach.mean': {
    label: 'ERR по охвату (среднее публикаций)',
    mirrors: 'ERR = реакции / охват × 100; среднее — среднее ERR публикаций.',
  },
  'err.reach.pooled': {
    label: 'ERR по охвату (общий)',
    mirrors: 'ERR = реакции / охват × 100; среднее — сумма реакций / сумма охватов публикаций (не уникальный охват: сети не сообщают его за период).',
  },
  'followers.growth.absolute': {
    label: 'Прирост подписчиков',
    mirrors: 'Подписчики на конец периода минус подписчики на конец дня перед ним.',
  },
  'followers.growth.percent': {
    label: 'Прирост подписчиков (%)',
    mirrors: '(конец − начало) / начало × 100, начало = подписчики на конец дня перед периодом, конец = на конец его последнего дня.',
  },
  'followers.growth.weekly-compound': {
    label: 'Прирост подписчиков (средний недельный, сложный)',
    mirrors: '«Рост» = средний недельный сложный темп роста, а не конец минус начало: ((конец / начало)^(7 / дни) − 1) × 100, дни = календарные дни периода.',
  },
};

const sv: Texts = {
  'livedune.er.pooled': {
    label: 'ER (sammanslagen)',
    mirrors:
      'ER = (summan av reaktioner under perioden / antal inlägg) / följare × 100, ”sammanslagen” aggregering. Med ett följarantal per inlägg blir det summan av reaktioner / summan av följare vid publiceringen.',
  },
  'livedune.er.weighted': {
    label: 'ER (viktad)',
    mirrors: 'ER med ”viktad” aggregering: medelvärdet av varje inläggs ER = reaktioner / följare vid publiceringen × 100.',
  },
  'livedune.er.dynamics': {
    label: 'ER-utveckling (median av de 20 senaste inläggen)',
    mirrors: '”ER-utveckling” = median-ER för de 20 senaste inläggen (fram till periodens slut), ER = reaktioner / följare vid publiceringen × 100.',
  },
  'popsters.er-post': {
    label: 'ERpost',
    mirrors:
      'ERpost = (gillanden + delningar + kommentarer) / följare × 100; medelvärdet är sammanslaget: summan för perioden / följare / N inlägg. Följarna är de vid slutet av inläggets dag.',
  },
  'popsters.er-view': {
    label: 'ERview',
    mirrors: 'ERview = (gillanden + delningar + kommentarer) / visningar × 100, bara där visningar finns; medelvärdet är medelvärdet av inläggens ERview.',
  },
  'popsters.er-day': {
    label: 'ERday',
    mirrors:
      'ERday = (dagens gillanden + delningar + kommentarer) / följare × 100 för inläggen publicerade den dagen; medelvärdet delar med periodens kalenderdagar, inte med dagar med inlägg.',
  },
  'popsters.love-rate': {
    label: 'Love Rate',
    mirrors: 'Love Rate = gillanden / följare × 100, per inlägg delat med N inlägg (sammanslaget).',
  },
  'popsters.talk-rate': {
    label: 'Talk Rate',
    mirrors: 'Talk Rate = kommentarer / följare × 100, per inlägg delat med N inlägg (sammanslaget).',
  },
  'sprout.er-impressions': {
    label: 'Engagemangsgrad (per exponering)',
    mirrors:
      'Engagemangsgrad per exponering = (reaktioner + kommentarer + delningar + länkklick + andra klick på inlägget) / exponeringar × 100, inläggsrapport: engagemang på inlägg publicerade under perioden. Klick räknas där nätverket rapporterar dem.',
  },
  'sprout.er-impressions.profile': {
    label: 'Engagemangsgrad (per exponering), profilvy',
    mirrors:
      'Engagemangsgrad per exponering som i profilrapporten: engagemang som skedde under perioden, oavsett när inlägget publicerades — (reaktioner + kommentarer + delningar + klick) / exponeringar × 100 över ökningarna som observerats varje dag.',
  },
  'napoleoncat.er-daily': {
    label: 'Daglig ER (medelvärde av dagar)',
    mirrors: 'Daglig ER = dagens interaktioner (reaktioner + kommentarer + delningar på alla inlägg) / dagens följare × 100; ER för flera dagar är medelvärdet av de dagliga ER.',
  },
  'tgstat.err': {
    label: 'ERR (TGStat)',
    mirrors:
      'ERR = genomsnittliga visningar per inlägg / prenumeranter × 100 under perioden (TGStat använder de senaste 30 dagarna), raderade inlägg undantagna. Visningar i Telegram är inte unika, så ERR kan överstiga 100 %. Inte samma mått som ”ERR efter räckvidd”.',
  },
  'tgstat.err24': {
    label: 'ERR24 (TGStat)',
    mirrors: 'ERR24 = ERR som bara räknar visningarna under de första 24 timmarna efter publiceringen: visningar vid 24 h per inlägg / prenumeranter × 100 (sammanslaget).',
  },
  'err.reach.mean': {
    label: 'ERR efter räckvidd (medelvärde av inlägg)',
    mirrors: 'ERR = reaktioner / räckvidd × 100; medelvärdet är medelvärdet av inläggens ERR.',
  },
  'err.reach.pooled': {
    label: 'ERR efter räckvidd (sammanslagen)',
    mirrors: 'ERR = reaktioner / räckvidd × 100; medelvärdet är summan av reaktioner / summan av inläggens räckvidd (inte unik räckvidd, som nätverken inte anger per period).',
  },
  'followers.growth.absolute': {
    label: 'Följartillväxt',
    mirrors: 'Följare vid periodens slut minus följare vid slutet av dagen före perioden.',
  },
  'followers.growth.percent': {
    label: 'Följartillväxt (%)',
    mirrors: '(slut − start) / start × 100, start = följare vid slutet av dagen före perioden, slut = vid slutet av periodens sista dag.',
  },
  'followers.growth.weekly-compound': {
    label: 'Följartillväxt (veckovis, sammansatt)',
    mirrors: '”Tillväxt” = genomsnittlig veckovis sammansatt tillväxttakt, inte slut minus start: ((slut / start)^(7 / dagar) − 1) × 100 med dagar = periodens kalenderdagar.',
  },
};

/** The missing-value rules, by the rule's key in kpi-definitions.ts. */
const missingRules: Record<keyof typeof kpiMissingRules, Record<KpiTextLocale, string>> = {
  strictPost: {
    ru: 'Публикация учитывается, только если есть все обязательные счётчики её сети и знаменатель (больше 0); отсутствующий счётчик никогда не считается нулём — такие публикации не учитываются и перечислены как исключённые.',
    sv: 'Ett inlägg räknas bara när varje obligatoriskt antal för dess nätverk och nämnaren finns (och nämnaren är större än 0); ett saknat antal läses aldrig som 0 — sådana inlägg utesluts och listas som undantagna.',
  },
  perDay: {
    ru: 'Учитывается каждый календарный день периода; день без публикаций считается нулём. Публикация учитывается в своём дне, только если есть все обязательные счётчики. День с неизвестным числом подписчиков (до первого снимка) не входит в среднее.',
    sv: 'Varje kalenderdag i perioden räknas; en dag utan inlägg räknas som 0. Ett inlägg räknas för sin dag bara när varje obligatoriskt antal finns. En dag med okänt följarantal (före den första ögonblicksbilden) utelämnas ur medelvärdet.',
  },
  activity: {
    ru: 'Вовлечённость — это прирост каждого счётчика между двумя наблюдениями публикации, в день более позднего; первое значение счётчика относится к дню публикации. День учитывается, только если к его концу известны все обязательные счётчики и знаменатель (0, если известны и не изменились); неизвестные дни не учитываются и никогда не считаются нулём.',
    sv: 'Engagemang är ökningen av varje antal mellan två observationer av ett inlägg, på den senares dag; det första värdet ett inlägg någonsin haft räknas på publiceringsdagen. En dag räknas bara när varje obligatoriskt antal och nämnaren är kända vid dagens slut (0 när de är kända och oförändrade); okända dagar utelämnas och läses aldrig som 0.',
  },
  growth: {
    ru: 'Нужно число подписчиков на конец дня перед периодом и на конец его последнего дня (самый новый снимок перед каждым моментом); без любого из них значение пусто и никогда не равно нулю.',
    sv: 'Kräver ett följarantal vid slutet av dagen före perioden och vid slutet av dess sista dag (den senaste ögonblicksbilden före varje tidpunkt); utan något av dem är värdet tomt, aldrig 0.',
  },
};

const byLocale: Record<KpiTextLocale, Texts> = { ru, sv };

/**
 * Sentences some definitions add after their named rule (`${rule} …`), by definition id. Compared with
 * the English sentence they translate, so a changed English sentence counts as untranslated.
 */
const ruleExtras: Record<string, { en: string } & Record<KpiTextLocale, string>> = {
  'livedune.er.dynamics': {
    en: 'The last 20 posts are the last 20 eligible ones.',
    ru: 'Последние 20 публикаций — последние 20 учитываемых.',
    sv: 'De 20 senaste inläggen är de 20 senaste som räknas.',
  },
  'napoleoncat.er-daily': {
    en: 'A day whose follower count is unknown is left out of the mean.',
    ru: 'День с неизвестным числом подписчиков не входит в среднее.',
    sv: 'En dag med okänt följarantal utelämnas ur medelvärdet.',
  },
  'tgstat.err24': {
    en: 'Views at 24 h come from the newest observation within 24 h of publishing; a post first observed later has none.',
    ru: 'Просмотры через 24 ч берутся из самого нового наблюдения в пределах 24 ч после публикации; у публикации, впервые замеченной позже, их нет.',
    sv: 'Visningar vid 24 h tas från den senaste observationen inom 24 timmar efter publiceringen; ett inlägg som först observerades senare har inga.',
  },
};

/** The named rule a definition's missing-value text starts with and its translated extra sentence, or null when untranslatable. */
function ruleOf(definition: KpiDefinition): { key: keyof typeof kpiMissingRules; extra: Record<KpiTextLocale, string> | null } | null {
  for (const [key, text] of Object.entries(kpiMissingRules) as Array<[keyof typeof kpiMissingRules, string]>) {
    if (definition.missingRule === text) return { key, extra: null };
    if (definition.missingRule.startsWith(`${text} `)) {
      const extra = ruleExtras[definition.id];
      return extra && extra.en === definition.missingRule.slice(text.length + 1) ? { key, extra } : null;
    }
  }
  return null;
}

/**
 * A definition's texts in `locale` (English: the definition's own). A text without a translation falls
 * back to English (the completeness test makes sure none does in a release).
 */
export function kpiDefinitionTexts(definition: KpiDefinition, locale: 'en' | KpiTextLocale): KpiDefinitionTexts {
  const en: KpiDefinitionTexts = { label: definition.label, mirrors: definition.mirrors, missingRule: definition.missingRule };
  if (locale === 'en') return en;
  const t = byLocale[locale][definition.id];
  const rule = ruleOf(definition);
  const missingRule = rule ? (rule.extra ? `${missingRules[rule.key][locale]} ${rule.extra[locale]}` : missingRules[rule.key][locale]) : en.missingRule;
  return { label: t?.label ?? en.label, mirrors: t?.mirrors ?? en.mirrors, missingRule };
}

/** Every translated language's texts of a definition, as the API sends them with the card. */
export function kpiDefinitionTranslations(definition: KpiDefinition): Record<KpiTextLocale, KpiDefinitionTexts> {
  return { ru: kpiDefinitionTexts(definition, 'ru'), sv: kpiDefinitionTexts(definition, 'sv') };
}

/**
 * What is missing for a complete set: per language, definitions without a translated label or vendor
 * wording and definitions whose missing-value rule is not one of the named rules. Empty = complete.
 */
export function missingKpiTranslations(definitions: readonly KpiDefinition[]): string[] {
  const out: string[] = [];
  for (const d of definitions) {
    for (const locale of kpiTextLocales) {
      const t = byLocale[locale][d.id];
      if (!t?.label.trim() || !t.mirrors.trim()) out.push(`${locale}: ${d.id}`);
    }
    if (!ruleOf(d)) out.push(`missing-value rule of ${d.id} has no translations`);
  }
  for (const locale of kpiTextLocales) {
    for (const id of Object.keys(byLocale[locale])) if (!definitions.some((d) => d.id === id)) out.push(`${locale}: ${id} is not a definition`);
  }
  return out;
}
