/**
 * Editor of one listening query: name, query text checked by the server's parser while typing (the
 * error is shown under the text with a caret at the column the parser names, and the cursor can jump
 * there), the normalized reading of a valid query, and the query's spike alert settings.
 */
import type { InferResponseType } from 'hono/client';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, unwrap, type Api } from '../api/client';
import { useApi } from '../api/context';
import { errorMessage } from './states';

type ListeningApi = Api['client']['api']['v1']['workspaces'][':workspaceId']['listening'];
/** A saved query as the API sends it. */
export type ListeningQuery = InferResponseType<ListeningApi['queries']['$get'], 200>['items'][number];
/** Spike alert settings (per query and per workspace). */
export type AlertSettings = ListeningQuery['alerts'];

/** A syntax error the parser reported: 1-based column and the reason. */
export interface QueryError {
  column: number | null;
  message: string;
}

/** Reads "Column N: reason" (the parser's wording) into a column and a reason. */
export function parseQueryError(message: string): QueryError {
  const m = /^Column (\d+): (.*)$/s.exec(message);
  return m ? { column: Number(m[1]), message: m[2]! } : { column: null, message };
}

/** The query text with a caret under the failing column (monospace, so columns line up). */
export function QueryErrorView({ text, error, id }: { text: string; error: QueryError; id: string }) {
  const { t } = useTranslation();
  // The line holding the column: queries are usually one line, but a pasted one may not be.
  let line = text;
  let col = error.column;
  if (col !== null) {
    const chars = [...text];
    let start = 0;
    for (let i = 0; i < Math.min(col - 1, chars.length); i++) if (chars[i] === '\n') start = i + 1;
    const end = chars.indexOf('\n', start);
    line = chars.slice(start, end === -1 ? undefined : end).join('');
    col = col - start;
  }
  return (
    <div className="listening-query-error" id={id} role="alert">
      <p className="field-error">{error.column !== null ? t('listening.editor.errorAt', { column: error.column, message: error.message }) : error.message}</p>
      {col !== null && (
        <pre className="listening-query-caret" aria-hidden="true">
          {line}
          {'\n'}
          {' '.repeat(Math.max(0, col - 1))}^
        </pre>
      )}
    </div>
  );
}

/** Default alert settings for a new query. */
export const defaultAlertSettings: AlertSettings = { enabled: false, mode: 'all', k: 2, windowMinutes: 60, baselineWindows: 24, cooldownMinutes: 180, minCount: 5, flagInbox: false };

/** The fields of spike alert settings. */
export function AlertSettingsFields({ value, onChange, idPrefix }: { value: AlertSettings; onChange: (v: AlertSettings) => void; idPrefix: string }) {
  const { t } = useTranslation();
  const num = (key: 'k' | 'windowMinutes' | 'baselineWindows' | 'cooldownMinutes' | 'minCount', step: string, min: string) => (
    <label className="field-inline" htmlFor={`${idPrefix}-${key}`}>
      <span className="field-label">{t(`listening.alerts.${key}`)}</span>
      <input
        id={`${idPrefix}-${key}`}
        type="number"
        step={step}
        min={min}
        value={Number.isFinite(value[key]) ? value[key] : ''}
        onChange={(e) => onChange({ ...value, [key]: e.target.valueAsNumber })}
      />
    </label>
  );
  return (
    <fieldset className="listening-alert-settings">
      <legend>{t('listening.alerts.legend')}</legend>
      <label className="check">
        <input type="checkbox" checked={value.enabled} onChange={(e) => onChange({ ...value, enabled: e.target.checked })} />
        {t('listening.alerts.enabled')}
      </label>
      <label className="field-inline">
        <span className="field-label">{t('listening.alerts.mode')}</span>
        <select value={value.mode} onChange={(e) => onChange({ ...value, mode: e.target.value as AlertSettings['mode'] })}>
          <option value="all">{t('listening.alerts.modeAll')}</option>
          <option value="negative">{t('listening.alerts.modeNegative')}</option>
        </select>
      </label>
      <div className="listening-alert-numbers">
        {num('k', '0.1', '0.5')}
        {num('windowMinutes', '5', '5')}
        {num('baselineWindows', '1', '2')}
        {num('cooldownMinutes', '5', '0')}
        {num('minCount', '1', '1')}
      </div>
      <p className="field-help">{t('listening.alerts.explain', { k: value.k, windows: value.baselineWindows, minutes: value.windowMinutes })}</p>
      <label className="check">
        <input type="checkbox" checked={value.flagInbox} onChange={(e) => onChange({ ...value, flagInbox: e.target.checked })} />
        {t('listening.alerts.flagInbox')}
      </label>
    </fieldset>
  );
}

/** Create (no `query`) or edit a query. */
export function ListeningQueryEditor({
  workspaceId,
  query,
  canManage,
  onSaved,
  onCancel,
}: {
  workspaceId: string;
  query: ListeningQuery | null;
  canManage: boolean;
  onSaved: (q: ListeningQuery) => void;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const { client } = useApi();
  const lst = client.api.v1.workspaces[':workspaceId'].listening;
  const [name, setName] = useState(query?.name ?? '');
  const [text, setText] = useState(query?.query ?? '');
  const [alerts, setAlerts] = useState<AlertSettings>(query?.alerts ?? defaultAlertSettings);
  const [check, setCheck] = useState<{ normalized: string } | { error: QueryError } | null>(null);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const area = useRef<HTMLTextAreaElement>(null);

  // Ask the server's parser after a pause in typing; a stale answer is dropped.
  useEffect(() => {
    if (text.trim() === '') {
      setCheck(null);
      return;
    }
    let stale = false;
    // The client's route objects are made anew on each access: depend on the client, not on them.
    const check = client.api.v1.workspaces[':workspaceId'].listening['query-check'];
    const timer = setTimeout(() => {
      unwrap(check.$post({ param: { workspaceId }, json: { query: text } })).then(
        (r) => !stale && setCheck({ normalized: r.normalized }),
        (e: unknown) => {
          if (stale) return;
          if (e instanceof ApiError && e.status === 422) setCheck({ error: parseQueryError(e.fieldErrors().query ?? e.problem.detail ?? '') });
          else setCheck(null);
        },
      );
    }, 300);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [text, client, workspaceId]);

  const jumpTo = (column: number | null) => {
    const el = area.current;
    if (!el || column === null) return;
    // The parser counts code points; the textarea counts UTF-16 units.
    const offset = [...text].slice(0, column - 1).join('').length;
    el.focus();
    el.setSelectionRange(offset, offset + 1);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    setFormError(null);
    setNameError(null);
    try {
      const saved = query
        ? await unwrap(lst.queries[':queryId'].$patch({ param: { workspaceId, queryId: query.id }, json: { name, query: text, alerts } }))
        : await unwrap(lst.queries.$post({ param: { workspaceId }, json: { name, query: text, alerts } }));
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        const fields = err.fieldErrors();
        if (fields.query) {
          const error = parseQueryError(fields.query);
          setCheck({ error });
          jumpTo(error.column);
        }
        if (fields.name) setNameError(fields.name);
        if (!fields.query && !fields.name) setFormError(errorMessage(err, t));
      } else setFormError(errorMessage(err, t));
    } finally {
      setSaving(false);
    }
  };

  const errorId = `query-error-${query?.id ?? 'new'}`;
  const helpId = `query-help-${query?.id ?? 'new'}`;
  const textId = `query-text-${query?.id ?? 'new'}`;
  const syntax = check && 'error' in check ? check.error : null;
  return (
    <form className="listening-editor card" onSubmit={submit} aria-label={query ? t('listening.editor.editTitle') : t('listening.editor.newTitle')}>
      <h2>{query ? t('listening.editor.editTitle') : t('listening.editor.newTitle')}</h2>
      <label className="field">
        <span className="field-label">{t('listening.editor.name')}</span>
        <input value={name} onChange={(e) => setName(e.target.value)} disabled={!canManage} aria-invalid={!!nameError || undefined} />
        {nameError && <span className="field-error">{nameError}</span>}
      </label>
      {/* Label by id, not by wrapping: a wrapped textarea's value would become part of its name. */}
      <div className="field">
        <label className="field-label" htmlFor={textId}>
          {t('listening.editor.query')}
        </label>
        <textarea
          id={textId}
          ref={area}
          className="listening-query-text"
          rows={3}
          value={text}
          spellCheck={false}
          disabled={!canManage}
          aria-invalid={!!syntax || undefined}
          aria-describedby={syntax ? `${errorId} ${helpId}` : helpId}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
      <p className="field-help" id={helpId}>
        {t('listening.editor.syntaxHelp')}
      </p>
      {syntax ? (
        <>
          <QueryErrorView text={text} error={syntax} id={errorId} />
          {syntax.column !== null && (
            <button type="button" className="button button-quiet" onClick={() => jumpTo(syntax.column)}>
              {t('listening.editor.showError')}
            </button>
          )}
        </>
      ) : check && 'normalized' in check ? (
        <p className="field-help">
          {t('listening.editor.readAs')} <code>{check.normalized}</code>
        </p>
      ) : null}
      <AlertSettingsFields value={alerts} onChange={setAlerts} idPrefix={`alerts-${query?.id ?? 'new'}`} />
      {formError && (
        <p className="form-error" role="alert">
          {formError}
        </p>
      )}
      {canManage && (
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={saving}>
            {saving ? t('common.saving') : t('common.save')}
          </button>
          {onCancel && (
            <button type="button" className="button button-quiet" onClick={onCancel}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      )}
    </form>
  );
}
