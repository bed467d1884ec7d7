/**
 * The campaigns as a table (name, period, optionally status, spend, revenue, ROI), shared by the
 * campaigns screen's list and the analytics dashboard's "ROI where campaign data exists" section, so
 * both show the campaigns API's figures the same way (empty, never 0, without spend or revenue).
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { InferResponseType } from 'hono/client';
import type { Api } from '../api/client';
import { formatMinor } from './money-format';

/** One campaign as GET …/campaigns lists it. */
export type CampaignSummary = InferResponseType<Api['client']['api']['v1']['workspaces'][':workspaceId']['campaigns']['$get'], 200>['items'][number];

/** ROI as a percentage in the UI language ("—" when the API could not compute it). */
export function formatRoi(roi: number | null, lng: string): string {
  return roi === null ? '—' : `${new Intl.NumberFormat(lng, { maximumFractionDigits: 6 }).format(roi)} %`;
}

/** The table; `name` renders the name cell's content (a link or a button: the caller decides where it leads). */
export function CampaignSummaryTable({ items, name, showStatus = false, className = 'data-table' }: { items: CampaignSummary[]; name: (c: CampaignSummary) => ReactNode; showStatus?: boolean; className?: string }) {
  const { t, i18n } = useTranslation();
  const lng = i18n.language;
  return (
    <table className={className}>
      <thead>
        <tr>
          <th scope="col">{t('campaigns.name')}</th>
          <th scope="col">{t('campaigns.period')}</th>
          {showStatus ? <th scope="col">{t('campaigns.status')}</th> : null}
          <th scope="col">{t('campaigns.spend')}</th>
          <th scope="col">{t('campaigns.revenue')}</th>
          <th scope="col">{t('campaigns.roi')}</th>
        </tr>
      </thead>
      <tbody>
        {items.map((c) => (
          <tr key={c.id} data-campaign={c.id}>
            <th scope="row">{name(c)}</th>
            <td>
              {c.startsOn} – {c.endsOn}
            </td>
            {showStatus ? <td>{t(`campaigns.statuses.${c.status}`)}</td> : null}
            <td>{formatMinor(c.spendMinor, c.currency, lng)}</td>
            <td>{formatMinor(c.revenueMinor, c.currency, lng)}</td>
            <td>{formatRoi(c.roi, lng)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
