/**
 * Money as integer minor units plus an ISO 4217 currency: parsing decimal text exactly (no floats on
 * the way in), the number of minor-unit digits of a currency, and formatting for reports and the CLI.
 */

/** Largest amount accepted in minor units (well inside Number.MAX_SAFE_INTEGER, sums stay exact). */
export const maxMinorUnits = 1_000_000_000_000_000;

const known = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 code Node knows (upper case, e.g. SEK, RUB, EUR, JPY). */
export function isCurrency(code: string): boolean {
  return /^[A-Z]{3}$/.test(code) && known.has(code);
}

/** Minor-unit digits of a currency: 2 for SEK, 0 for JPY, 3 for KWD. */
export function currencyExponent(code: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Parses "1234.50" / "1234,50" / "1 234.50" (major units) into minor units of `currency`, exactly.
 * Returns a message when the text is not an amount, is negative, or has more decimals than the
 * currency has minor units.
 */
export function parseMoney(text: string, currency: string): number | string {
  const s = text.trim().replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');
  if (s.startsWith('-')) return `an amount cannot be negative, got "${text}"`;
  const m = /^(\d+)(?:\.(\d+))?$/.exec(s);
  if (!m) return `"${text}" is not an amount: write digits with an optional decimal point, e.g. 1234.50`;
  const exp = currencyExponent(currency);
  const frac = m[2] ?? '';
  if (frac.length > exp) return `${currency} has ${exp} decimal${exp === 1 ? '' : 's'}: "${text}" has ${frac.length}`;
  const minor = Number(m[1]) * 10 ** exp + Number(frac.padEnd(exp, '0') || '0');
  if (!Number.isSafeInteger(minor) || minor > maxMinorUnits) return `"${text}" is too large`;
  return minor;
}

/** Minor units as a plain decimal in major units: 123450 SEK → "1234.50" (no grouping, for files). */
export function minorToDecimal(minor: number, currency: string): string {
  const exp = currencyExponent(currency);
  if (exp === 0) return String(minor);
  const sign = minor < 0 ? '-' : '';
  const abs = String(Math.abs(minor)).padStart(exp + 1, '0');
  return `${sign}${abs.slice(0, -exp)}.${abs.slice(-exp)}`;
}

/** Minor units in major units as a number (for charts and spreadsheet cells; exact for the digits shown). */
export function minorToMajor(minor: number, currency: string): number {
  return Number(minorToDecimal(minor, currency));
}

/** "1234.50 SEK". */
export function formatMoney(minor: number | null, currency: string): string {
  return minor === null ? '—' : `${minorToDecimal(minor, currency)} ${currency}`;
}
