// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ru } from './ru';
import { sv } from './sv';
import { browserLocale, createI18n, locales, resources } from './index';
import { formatDateTime, formatNumber } from './format';

const pluralSuffix = /_(zero|one|two|few|many|other)$/;

/** Flattens nested messages into "a.b.c" → value. */
function flatten(obj: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

/** Keys with plural suffixes folded into their base key. */
function baseKeys(flat: Map<string, unknown>): Set<string> {
  return new Set([...flat.keys()].map((k) => k.replace(pluralSuffix, '')));
}

// Words that are the same in the other language on purpose: the brand, each language's own name,
// and Swedish "Status", which is the Swedish word too.
const sameOnPurpose: Record<string, Set<string>> = {
  ru: new Set(['app.name', 'language.en', 'language.ru', 'language.sv']),
  sv: new Set(['app.name', 'language.en', 'language.ru', 'language.sv', 'accounts.status.label']),
};

describe('translations', () => {
  const english = flatten(en);

  for (const [lng, bundle] of Object.entries({ ru, sv })) {
    describe(lng, () => {
      const flat = flatten(bundle);

      it('has exactly the keys of English (plural forms aside)', () => {
        const mine = baseKeys(flat);
        const theirs = baseKeys(english);
        expect([...theirs].filter((k) => !mine.has(k))).toEqual([]);
        expect([...mine].filter((k) => !theirs.has(k))).toEqual([]);
      });

      it('has every plural form the language needs, for every plural key', () => {
        const rules = new Intl.PluralRules(lng);
        const needed = rules.resolvedOptions().pluralCategories;
        const pluralBases = new Set([...english.keys()].filter((k) => pluralSuffix.test(k)).map((k) => k.replace(pluralSuffix, '')));
        expect(pluralBases.size).toBeGreaterThan(0);
        for (const base of pluralBases) for (const form of needed) expect(flat.has(`${base}_${form}`), `${lng}: ${base}_${form}`).toBe(true);
      });

      it('has no empty values and no English left untranslated', () => {
        for (const [key, value] of flat) {
          expect(typeof value, key).toBe('string');
          expect((value as string).trim(), key).not.toBe('');
          const englishValue = english.get(key);
          if (englishValue !== undefined && !sameOnPurpose[lng]?.has(key)) expect(value, `${lng}: ${key} is still English`).not.toBe(englishValue);
        }
      });

      it('keeps the same interpolation variables as English', () => {
        const vars = (s: string) => [...s.matchAll(/{{\s*(\w+)/g)].map((m) => m[1]).sort();
        for (const [key, value] of flat) {
          const englishValue = english.get(key) ?? english.get(key.replace(pluralSuffix, '_other'));
          if (typeof englishValue === 'string') expect(vars(value as string), `${lng}: ${key}`).toEqual(vars(englishValue));
        }
      });
    });
  }

  it('English has no empty values', () => {
    for (const [key, value] of english) expect(String(value).trim(), key).not.toBe('');
  });

  it('every shipped locale has a bundle', () => {
    expect(Object.keys(resources).sort()).toEqual([...locales].sort());
  });
});

describe('i18next instance', () => {
  it('switches language and picks Russian plural forms', async () => {
    const i18n = createI18n('en');
    expect(i18n.t('accounts.heldPosts', { count: 1 })).toBe('1 post waits for this account');
    await i18n.changeLanguage('ru');
    expect(i18n.t('accounts.title')).toBe('Аккаунты');
    expect(i18n.t('accounts.heldPosts', { count: 1 })).toBe('1 публикация ждёт этот аккаунт');
    expect(i18n.t('accounts.heldPosts', { count: 3 })).toBe('3 публикации ждут этот аккаунт');
    expect(i18n.t('accounts.heldPosts', { count: 5 })).toBe('5 публикаций ждут этот аккаунт');
    await i18n.changeLanguage('sv');
    expect(i18n.t('accounts.title')).toBe('Konton');
  });

  it('formats numbers in the counts per language', async () => {
    const i18n = createI18n('en');
    expect(i18n.t('accounts.heldPosts', { count: 1200 })).toBe('1,200 posts wait for this account');
    await i18n.changeLanguage('sv');
    expect(i18n.t('accounts.heldPosts', { count: 1200 })).toMatch(/^1\s200 inlägg/);
  });

  it('guesses the browser language, falling back to English', () => {
    expect(browserLocale(['sv-SE', 'en-US'])).toBe('sv');
    expect(browserLocale(['de-DE', 'ru'])).toBe('ru');
    expect(browserLocale(['de-DE'])).toBe('en');
    expect(browserLocale([])).toBe('en');
  });
});

describe('Intl formatting', () => {
  it('formats the same instant per language and time zone', () => {
    const iso = '2026-03-05T13:30:00.000Z';
    // ICU versions differ in which space they put before "PM": compare with plain spaces.
    const plain = (s: string) => s.replace(/\s/g, ' ');
    expect(plain(formatDateTime(iso, 'en', 'Europe/Stockholm'))).toBe('Mar 5, 2026, 2:30 PM');
    expect(plain(formatDateTime(iso, 'sv', 'Europe/Stockholm'))).toBe('5 mars 2026 14:30');
    expect(formatDateTime(iso, 'ru', 'Europe/Moscow')).toContain('16:30');
    expect(formatNumber(1234567, 'ru').replace(/\s/g, ' ')).toBe('1 234 567');
    expect(formatNumber(1234567, 'en')).toBe('1,234,567');
  });
});
