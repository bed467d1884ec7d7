/**
 * Locale-aware formatting with Intl only: dates in a given IANA time zone, numbers with the
 * language's grouping.
 */

/** A date and time such as "5 Mar 2026, 14:30" in the language's own style, in `timeZone`. */
export function formatDateTime(iso: string, locale: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(d);
}

/** A calendar date such as "5 March 2026", in `timeZone`. */
export function formatDate(iso: string, locale: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone }).format(d);
}

/** An integer with the language's digit grouping (1,234 / 1 234). */
export function formatNumber(n: number, locale: string): string {
  return new Intl.NumberFormat(locale).format(n);
}
