/**
 * A secret (token, link) the server shows only once: a read-only field with a copy button and the
 * warning to copy it now.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Shows `value` once with a copy button; `label` names the field for screen readers. */
export function SecretOnce({ title, help, label, value, onDone }: { title: string; help: string; label: string; value: string; onDone: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // No clipboard access (insecure origin, old browser): select the text so Ctrl+C works.
      (document.getElementById(id) as HTMLInputElement | null)?.select();
    }
  };
  return (
    <div className="secret-once" role="group" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      <p className="muted">{help}</p>
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <div className="secret-row">
        <input id={id} type="text" readOnly value={value} spellCheck={false} onFocus={(e) => e.target.select()} />
        <button type="button" className="button" onClick={() => void copy()}>
          {t('settings.invitations.copy')}
        </button>
        <button type="button" className="button button-quiet" onClick={onDone}>
          {t('common.close')}
        </button>
      </div>
      <p role="status" aria-live="polite" className="muted">
        {copied ? t('settings.invitations.copied') : ''}
      </p>
    </div>
  );
}
