/**
 * i18next set-up: English, Russian and Swedish bundled (they are small), the browser's language as
 * the first guess before the user's saved choice arrives from GET /api/v1/me.
 */
import i18next, { type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { UiLocale } from '../../../src/use-cases/users.use-case';
import { en } from './en';
import { ru } from './ru';
import { sv } from './sv';

/** The languages the UI ships, in the order the switcher lists them. */
export const locales = ['en', 'ru', 'sv'] as const satisfies readonly UiLocale[];
/** One UI language. */
export type Locale = (typeof locales)[number];

/** Every bundle, by language. */
export const resources = { en, ru, sv } as const;

/** True for a language the UI ships. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** Best match for the browser's preferred languages, English when none fits. */
export function browserLocale(languages: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages): Locale {
  for (const tag of languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLocale(base)) return base;
  }
  return 'en';
}

/** Creates and initialises an i18next instance (one per app; tests make their own). */
export function createI18n(lng: Locale = browserLocale()): i18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    supportedLngs: [...locales],
    resources: { en: { translation: en }, ru: { translation: ru }, sv: { translation: sv } },
    // React escapes text itself; i18next escaping would double-escape network content.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
}
