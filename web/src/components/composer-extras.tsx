/**
 * Composer parts that appear only when a selected network declares them in GET /api/v1/networks: a
 * poll (`supports.polls`), follow-up posts of a thread (`supports.threads`), per-account network
 * options (`optionFields`: text, yes/no or a choice) and the media limits (`supports.maxMedia`,
 * `supports.mediaTypes`). Nothing here names a network.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { PollSpec } from '../../../src/connectors/connector';
import type { Network } from '../api/types';

/** The poll as the composer holds it. */
export interface PollDraft {
  question: string;
  options: string[];
  multiple: boolean;
  durationHours: number;
}

/** A new poll with two empty options, open for a day. */
export const emptyPoll = (): PollDraft => ({ question: '', options: ['', ''], multiple: false, durationHours: 24 });

/** The poll as the API and the validators take it (blank trailing options dropped). */
export function pollSpec(p: PollDraft): PollSpec {
  const options = p.options.map((o) => o.trim());
  while (options.length > 2 && options[options.length - 1] === '') options.pop();
  return { ...(p.question.trim() ? { question: p.question.trim() } : {}), options, multiple: p.multiple, durationSeconds: p.durationHours * 3600 };
}

/** One network option's value. */
export type OptionValue = string | boolean;
type OptionField = Network['optionFields'][number];

const durations = [1, 6, 12, 24, 72, 168];

/** The poll editor; `only` lists the networks that will get it when not all selected ones do. */
export function PollEditor({ poll, only, onChange }: { poll: PollDraft | null; only: string[] | null; onChange: (p: PollDraft | null) => void }) {
  const { t } = useTranslation();
  const id = useId();
  if (!poll) {
    return (
      <div className="composer-extra-add">
        <button type="button" className="button" onClick={() => onChange(emptyPoll())}>
          {t('composerExtras.poll.add')}
        </button>
      </div>
    );
  }
  const set = (patch: Partial<PollDraft>) => onChange({ ...poll, ...patch });
  return (
    <fieldset className="composer-extra">
      <legend>{t('composerExtras.poll.title')}</legend>
      {only && <p className="muted">{t('composerExtras.poll.onlySome', { networks: only.join(', ') })}</p>}
      <label className="field">
        <span className="field-label">{t('composerExtras.poll.question')}</span>
        <input type="text" value={poll.question} onChange={(e) => set({ question: e.target.value })} />
      </label>
      {poll.options.map((o, i) => (
        <div key={i} className="extra-row">
          <label className="field">
            <span className="field-label">{t('composerExtras.poll.option', { n: i + 1 })}</span>
            <input type="text" value={o} onChange={(e) => set({ options: poll.options.map((x, j) => (j === i ? e.target.value : x)) })} />
          </label>
          {poll.options.length > 2 && (
            <button type="button" className="button button-quiet" aria-label={t('composerExtras.poll.removeOption', { n: i + 1 })} onClick={() => set({ options: poll.options.filter((_, j) => j !== i) })}>
              ×
            </button>
          )}
        </div>
      ))}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => set({ options: [...poll.options, ''] })}>
          {t('composerExtras.poll.addOption')}
        </button>
      </div>
      <label className="check">
        <input type="checkbox" checked={poll.multiple} onChange={(e) => set({ multiple: e.target.checked })} />
        <span>{t('composerExtras.poll.multiple')}</span>
      </label>
      <label className="field" htmlFor={`${id}-duration`}>
        <span className="field-label">{t('composerExtras.poll.duration')}</span>
        <select id={`${id}-duration`} value={poll.durationHours} onChange={(e) => set({ durationHours: Number(e.target.value) })}>
          {durations.map((h) => (
            <option key={h} value={h}>
              {t('composerExtras.poll.hours', { count: h })}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={() => onChange(null)}>
          {t('composerExtras.poll.remove')}
        </button>
      </div>
    </fieldset>
  );
}

/** Follow-up posts of a thread. */
export function ThreadEditor({ parts, only, onChange }: { parts: string[]; only: string[] | null; onChange: (parts: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <fieldset className="composer-extra">
      <legend>{t('composerExtras.thread.title')}</legend>
      <p className="muted">{t('composerExtras.thread.intro')}</p>
      {only && <p className="muted">{t('composerExtras.thread.onlySome', { networks: only.join(', ') })}</p>}
      {parts.map((p, i) => (
        <div key={i} className="extra-row">
          <label className="field">
            <span className="field-label">{t('composerExtras.thread.part', { n: i + 2 })}</span>
            <textarea rows={3} value={p} onChange={(e) => onChange(parts.map((x, j) => (j === i ? e.target.value : x)))} />
          </label>
          <button type="button" className="button button-quiet" aria-label={t('composerExtras.thread.remove', { n: i + 2 })} onClick={() => onChange(parts.filter((_, j) => j !== i))}>
            ×
          </button>
        </div>
      ))}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => onChange([...parts, ''])}>
          {t('composerExtras.thread.add')}
        </button>
      </div>
    </fieldset>
  );
}

/** The value an option shows: what the user set, else the connector's default. */
export function optionValue(field: OptionField, values: Record<string, OptionValue>): OptionValue {
  const v = values[field.name];
  if (v !== undefined) return v;
  if (field.default !== undefined) return field.default;
  return field.type === 'boolean' ? false : field.type === 'select' ? (field.choices?.[0]?.value ?? '') : '';
}

/** A network's declared options for one account. */
export function OptionFields({ network, handle, values, onChange }: { network: Network; handle: string; values: Record<string, OptionValue>; onChange: (v: Record<string, OptionValue>) => void }) {
  const { t } = useTranslation();
  const id = useId();
  if (!network.optionFields.length) return null;
  const label = (f: OptionField) => t(`connectorOptions.${network.id}.${f.name}.label`, { defaultValue: f.label });
  return (
    <fieldset className="composer-extra">
      <legend>{t('composerExtras.options.title', { handle })}</legend>
      {network.optionFields.map((f) => {
        const value = optionValue(f, values);
        const fid = `${id}-${f.name}`;
        const help = f.help ? <span className="field-help" id={`${fid}-help`}>{t(`connectorOptions.${network.id}.${f.name}.help`, { defaultValue: f.help })}</span> : null;
        const describedBy = f.help ? `${fid}-help` : undefined;
        if (f.type === 'boolean') {
          return (
            <div key={f.name} className="field">
              <label className="check" htmlFor={fid}>
                <input id={fid} type="checkbox" checked={value === true} aria-describedby={describedBy} onChange={(e) => onChange({ ...values, [f.name]: e.target.checked })} />
                <span>{label(f)}</span>
              </label>
              {help}
            </div>
          );
        }
        return (
          <div key={f.name} className="field">
            <label htmlFor={fid} className="field-label">
              {label(f)}
            </label>
            {f.type === 'select' ? (
              <select id={fid} value={String(value)} aria-describedby={describedBy} onChange={(e) => onChange({ ...values, [f.name]: e.target.value })}>
                {(f.choices ?? []).map((c) => (
                  <option key={c.value} value={c.value}>
                    {t(`connectorOptions.${network.id}.${f.name}.choices.${c.value}`, { defaultValue: c.label })}
                  </option>
                ))}
              </select>
            ) : (
              <input id={fid} type="text" value={String(value)} aria-describedby={describedBy} onChange={(e) => onChange({ ...values, [f.name]: e.target.value })} />
            )}
            {help}
          </div>
        );
      })}
    </fieldset>
  );
}

/** What each selected network accepts as files. */
export function MediaLimits({ networks }: { networks: Network[] }) {
  const { t } = useTranslation();
  if (!networks.length) return null;
  return (
    <ul className="media-limits">
      {networks.map((n) => (
        <li key={n.id}>
          {n.supports.maxMedia === 0
            ? t('composerExtras.media.textOnly', { network: n.displayName })
            : t('composerExtras.media.limit', { network: n.displayName, max: n.supports.maxMedia, types: n.supports.mediaTypes.join(', ') })}
        </li>
      ))}
    </ul>
  );
}

/** The file types the picker offers: what any selected network takes (images when none is selected). */
export function acceptedTypes(networks: Network[]): string {
  const types = new Set(networks.flatMap((n) => n.supports.mediaTypes));
  return types.size ? [...types].join(',') : 'image/*';
}
