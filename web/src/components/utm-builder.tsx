/**
 * Campaign tags (utm_source / utm_medium / utm_campaign) appended to a link, keeping whatever query
 * and fragment the link already has.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

/** The three campaign tags; empty ones are left out. */
export interface Utm {
  source: string;
  medium: string;
  campaign: string;
}

/** An empty set of tags. */
export const emptyUtm: Utm = { source: '', medium: '', campaign: '' };

/**
 * The link with the non-empty tags set (replacing any same-named ones, keeping every other query
 * parameter and the fragment). A link that is not an absolute http(s) URL comes back unchanged, so the
 * validator can say what is wrong with it.
 */
export function withUtm(link: string, utm: Utm): string {
  const trimmed = link.trim();
  if (!trimmed) return '';
  const tags: Array<[string, string]> = [
    ['utm_source', utm.source.trim()],
    ['utm_medium', utm.medium.trim()],
    ['utm_campaign', utm.campaign.trim()],
  ];
  if (tags.every(([, v]) => !v)) return trimmed;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return trimmed;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return trimmed;
  for (const [k, v] of tags) if (v) url.searchParams.set(k, v);
  return url.toString();
}

/** Link field plus the three tags and the resulting address. */
export function UtmBuilder({ link, utm, onLink, onUtm }: { link: string; utm: Utm; onLink: (v: string) => void; onUtm: (v: Utm) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const result = withUtm(link, utm);
  return (
    <fieldset className="utm-builder">
      <legend>{t('composer.link.title')}</legend>
      <label className="field">
        <span className="field-label">{t('composer.link.url')}</span>
        <input type="url" inputMode="url" placeholder="https://example.com/page" value={link} onChange={(e) => onLink(e.target.value)} />
      </label>
      <div className="utm-fields">
        {(['source', 'medium', 'campaign'] as const).map((k) => (
          <label key={k} className="field">
            <span className="field-label">{t(`composer.link.${k}`)}</span>
            <input type="text" value={utm[k]} onChange={(e) => onUtm({ ...utm, [k]: e.target.value })} />
          </label>
        ))}
      </div>
      {result && (
        <p className="utm-result">
          <span className="muted" id={`${id}-result`}>
            {t('composer.link.result')}:{' '}
          </span>
          <output aria-labelledby={`${id}-result`} className="utm-output">
            {result}
          </output>
        </p>
      )}
    </fieldset>
  );
}
