/** Money for the UI: integer minor units shown in the language's currency format ("—" when missing). */
import { minorToMajor } from '../../../src/campaigns/money';

/** Minor units as money in the UI language ("—" when missing, never 0). */
export function formatMinor(minor: number | null | undefined, currency: string, lng: string): string {
  if (minor === null || minor === undefined) return '—';
  return new Intl.NumberFormat(lng, { style: 'currency', currency }).format(minorToMajor(minor, currency));
}
