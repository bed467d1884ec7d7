/**
 * Shared loading, error and empty states, and the mapping from API failures to translated words.
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client';

/** A translated sentence for a failure; the server's own detail for validation and conflicts. */
export function errorMessage(error: unknown, t: TFunction): string {
  if (error instanceof ApiError) {
    switch (error.status) {
      case 0:
        return t('common.networkError');
      case 401:
        return t('errors.unauthorized');
      case 403:
        return t('errors.forbidden');
      case 404:
        return t('errors.notFound');
      case 409:
        return error.problem.detail ?? t('errors.conflict');
      case 422:
        return error.problem.detail ?? t('errors.invalid');
      case 502:
      case 503:
      case 504:
        // The network's own words (e.g. "Bluesky could not be reached") say more than a generic line.
        return error.problem.detail ?? t('common.unexpectedError');
      default:
        return t('common.unexpectedError');
    }
  }
  return t('common.unexpectedError');
}

/** A polite "Loading…" with a spinner for screen readers and eyes. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t('common.loading')}</span>
    </div>
  );
}

/** An error with an optional retry button. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="state state-error" role="alert">
      <p>{errorMessage(error, t)}</p>
      {onRetry && (
        <button type="button" className="button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** An empty list explained. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}
