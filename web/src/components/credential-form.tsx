/**
 * The account form, rendered entirely from a connector's declared credential fields (GET
 * /api/v1/networks): a new network needs no UI code. Labels and help come from the translations
 * under `connectorFields.<network>.<field>` when present, otherwise from the connector's own words.
 */
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CredentialFieldView } from '../api/types';

/** Props of {@link CredentialForm}. */
export interface CredentialFormProps {
  networkId: string;
  fields: CredentialFieldView[];
  submitLabel: string;
  busyLabel: string;
  /** Receives only non-empty values; resolves when done (the form stays filled on failure). */
  onSubmit(credentials: Record<string, string>): Promise<void>;
  onCancel?: () => void;
  /** Field messages from the server, keyed by field name. */
  fieldErrors?: Record<string, string>;
  error?: string | null;
}

const inputType = { text: 'text', password: 'password', url: 'url' } as const;

/** Renders the declared fields with labels, help, placeholders and required marks. */
export function CredentialForm({ networkId, fields, submitLabel, busyLabel, onSubmit, onCancel, fieldErrors = {}, error }: CredentialFormProps) {
  const { t } = useTranslation();
  const formId = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const text = (field: CredentialFieldView, part: 'label' | 'help', fallback: string) =>
    t(`connectorFields.${networkId}.${field.name}.${part}`, { defaultValue: fallback });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const credentials: Record<string, string> = {};
    for (const f of fields) {
      const v = (values[f.name] ?? '').trim();
      if (v) credentials[f.name] = f.type === 'password' ? (values[f.name] ?? '') : v;
    }
    setBusy(true);
    try {
      await onSubmit(credentials);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="credential-form" onSubmit={submit} noValidate data-network={networkId}>
      {fields.map((f) => {
        const id = `${formId}-${f.name}`;
        const help = f.help ? text(f, 'help', f.help) : null;
        const err = fieldErrors[f.name];
        const describedBy = [help ? `${id}-help` : '', err ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
        return (
          <div className="field" key={f.name}>
            <label htmlFor={id} className="field-label">
              {text(f, 'label', f.label)}
              {f.required ? (
                <span className="required-mark" aria-hidden="true">
                  {' *'}
                </span>
              ) : (
                <span className="muted"> ({t('common.optional')})</span>
              )}
            </label>
            <input
              id={id}
              name={f.name}
              type={inputType[f.type]}
              required={f.required}
              aria-required={f.required}
              aria-invalid={!!err}
              aria-describedby={describedBy}
              placeholder={f.placeholder}
              autoComplete={f.type === 'password' ? 'new-password' : 'off'}
              spellCheck={false}
              value={values[f.name] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
            />
            {help && (
              <span className="field-help" id={`${id}-help`}>
                {help}
              </span>
            )}
            {err && (
              <span className="field-error" id={`${id}-error`}>
                {err}
              </span>
            )}
          </div>
        );
      })}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? busyLabel : submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="button" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
