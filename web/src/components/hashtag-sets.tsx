/**
 * The composer's "Hashtag sets" control: pick one of the workspace's shared sets and its tags are
 * appended to the base text (tags already in the text are skipped); editors and up can save the
 * hashtags in the text as a new set and delete sets. The server normalises and checks the tags.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';
import { useLoad } from '../api/use-load';
import { errorMessage } from './states';

const editorRoles = new Set(['owner', 'admin', 'editor']);
// Same alphabet the server accepts: letters, digits (every script), combining marks and underscore.
const hashtagPattern = /[#＃][\p{L}\p{N}\p{M}_]+/gu;

/** The hashtags written in `text`, '#'-prefixed, first spelling of each kept (case-insensitive). */
export function hashtagsInText(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const m of text.matchAll(hashtagPattern)) {
    const tag = `#${m[0].slice(1)}`;
    const key = tag.toLocaleLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(tag);
    }
  }
  return out;
}

/** `text` with the `tags` it lacks appended on a new line (a space when it already ends in hashtags). */
export function appendHashtags(text: string, tags: string[]): { text: string; added: string[] } {
  const present = new Set(hashtagsInText(text).map((t) => t.toLocaleLowerCase()));
  const added: string[] = [];
  for (const tag of tags) {
    const key = tag.toLocaleLowerCase();
    if (!present.has(key)) {
      present.add(key);
      added.push(tag);
    }
  }
  if (!added.length) return { text, added };
  const lastLine = text.split('\n').pop() ?? '';
  // A last line made only of hashtags is continued; otherwise the tags start their own line.
  const onlyTags = lastLine.trim() !== '' && lastLine.replace(hashtagPattern, '').trim() === '';
  const separator = text === '' || /\s$/.test(text) ? '' : onlyTags ? ' ' : '\n';
  return { text: `${text}${separator}${added.join(' ')}`, added };
}

type Note = { kind: 'status' | 'error'; text: string } | null;

/** The hashtag set picker; `onText` receives the new base text. */
export function HashtagSets({ workspace, text, onText }: { workspace: Workspace; text: string; onText: (text: string) => void }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const api = client.api.v1.workspaces[':workspaceId']['hashtag-sets'];
  const sets = useLoad(() => unwrap(api.$get({ param: { workspaceId: workspace.id } })), [client, workspace.id]);
  const [chosen, setChosen] = useState('');
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<Note>(null);
  const canManage = editorRoles.has(workspace.role);
  const items = sets.data?.items ?? [];
  const current = items.find((s) => s.id === chosen) ?? null;
  const inText = hashtagsInText(text);

  const insert = () => {
    if (!current) return;
    const r = appendHashtags(text, current.tags);
    if (r.added.length) onText(r.text);
    setNote({ kind: 'status', text: r.added.length ? t('hashtagSets.inserted', { tags: r.added.join(' ') }) : t('hashtagSets.nothingNew') });
  };
  const saveSet = async () => {
    setBusy(true);
    setNote(null);
    try {
      const created = await unwrap(api.$post({ param: { workspaceId: workspace.id }, json: { name, tags: inText } }));
      setNaming(false);
      setName('');
      setChosen(created.id);
      setNote({ kind: 'status', text: t('hashtagSets.saved', { name: created.name }) });
      sets.reload();
    } catch (err) {
      setNote({ kind: 'error', text: errorMessage(err, t) });
    } finally {
      setBusy(false);
    }
  };
  const removeSet = async () => {
    if (!current) return;
    setBusy(true);
    setNote(null);
    try {
      await unwrap(api[':hashtagSetId'].$delete({ param: { workspaceId: workspace.id, hashtagSetId: current.id } }));
      setChosen('');
      setNote({ kind: 'status', text: t('hashtagSets.deleted', { name: current.name }) });
      sets.reload();
    } catch (err) {
      setNote({ kind: 'error', text: errorMessage(err, t) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <fieldset className="composer-hashtag-sets">
      <legend>{t('hashtagSets.title')}</legend>
      {sets.error != null ? (
        <p className="field-error" role="alert">
          {errorMessage(sets.error, t)}{' '}
          <button type="button" className="button" onClick={() => sets.reload()}>
            {t('hashtagSets.retry')}
          </button>
        </p>
      ) : sets.loading && !sets.data ? (
        <p className="muted">{t('hashtagSets.loading')}</p>
      ) : items.length === 0 ? (
        <p className="muted">{canManage ? t('hashtagSets.emptyEditor') : t('hashtagSets.empty')}</p>
      ) : (
        <div className="form-actions">
          <label className="field">
            <span className="field-label">{t('hashtagSets.pick')}</span>
            <select value={chosen} onChange={(e) => setChosen(e.target.value)}>
              <option value="">{t('hashtagSets.choose')}</option>
              {items.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.tags.length})
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="button" disabled={!current} onClick={insert}>
            {t('hashtagSets.insert')}
          </button>
          {canManage && (
            <button type="button" className="button" disabled={!current || busy} onClick={() => void removeSet()}>
              {t('hashtagSets.delete')}
            </button>
          )}
        </div>
      )}
      {current && <p className="muted">{current.tags.join(' ')}</p>}
      {canManage &&
        (naming ? (
          <div className="form-actions">
            <label className="field">
              <span className="field-label">{t('hashtagSets.name')}</span>
              <input
                value={name}
                maxLength={60}
                autoFocus
                onChange={(e) => setName(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter') {
                    e.preventDefault();
                    if (name.trim() && !busy) void saveSet();
                  } else if (e.key === 'Escape') setNaming(false);
                }}
              />
            </label>
            <button type="button" className="button button-primary" disabled={!name.trim() || busy} onClick={() => void saveSet()}>
              {busy ? t('common.saving') : t('hashtagSets.saveSet')}
            </button>
            <button type="button" className="button" onClick={() => setNaming(false)}>
              {t('hashtagSets.cancel')}
            </button>
          </div>
        ) : (
          <p>
            <button type="button" className="button" disabled={inText.length === 0} onClick={() => setNaming(true)}>
              {t('hashtagSets.saveFromText')}
            </button>{' '}
            {inText.length === 0 && <span className="muted">{t('hashtagSets.noneInText')}</span>}
          </p>
        ))}
      <p className={note?.kind === 'error' ? 'field-error' : 'muted'} role={note?.kind === 'error' ? 'alert' : 'status'} aria-live="polite">
        {note?.text}
      </p>
    </fieldset>
  );
}
