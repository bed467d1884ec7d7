/**
 * A settings list (API tokens, webhooks): loading, error with retry, an empty message, then one row per
 * item with its facts on the left and its actions on the right; and the inline "are you sure?" block
 * rows use before removing something. One component so every settings list looks and behaves alike.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Loaded } from '../api/use-load';
import { EmptyState, ErrorState, Loading } from './states';

/** The list with its states; `main` and `actions` render one item's two halves. */
export function SettingsList<T extends { id: string }>({
  list,
  label,
  empty,
  main,
  actions,
}: {
  list: Loaded<{ items: T[] }>;
  /** The list's accessible name. */
  label: string;
  /** Said when there is nothing yet. */
  empty: string;
  main: (item: T) => ReactNode;
  actions: (item: T) => ReactNode;
}) {
  if (list.loading && !list.data) return <Loading />;
  if (list.error) return <ErrorState error={list.error} onRetry={list.reload} />;
  if (!list.data?.items.length) return <EmptyState>{empty}</EmptyState>;
  return (
    <ul className="settings-list" aria-label={label}>
      {list.data.items.map((item) => (
        <li key={item.id} className="settings-row">
          <div className="settings-row-main">{main(item)}</div>
          <div className="settings-row-actions">{actions(item)}</div>
        </li>
      ))}
    </ul>
  );
}

/**
 * The inline confirmation before removing: the question, then Remove (or `confirmLabel`) and Cancel,
 * both disabled while `busy`.
 */
export function ConfirmRemove({ question, onConfirm, onCancel, confirmLabel, busy }: { question: string; onConfirm: () => void; onCancel: () => void; confirmLabel?: string; busy?: boolean }) {
  const { t } = useTranslation();
  return (
    <div className="confirm" role="group" aria-label={question}>
      <p>{question}</p>
      <div className="form-actions">
        <button type="button" className="button button-danger" disabled={busy} onClick={onConfirm}>
          {confirmLabel ?? t('common.confirmRemove')}
        </button>
        <button type="button" className="button" disabled={busy} onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </div>
  );
}
