/**
 * The shape a translation must have: the same nested keys as English, all strings, plus any extra
 * plural forms its language needs (Russian has `_few` and `_many` where English has only `_one` and
 * `_other`; i18next picks them with Intl.PluralRules).
 */
export type PluralAware<T> = {
  [K in keyof T]: T[K] extends string ? string : PluralAware<T[K]>;
} & { [extra: `${string}_${'zero' | 'two' | 'few' | 'many'}`]: string };
