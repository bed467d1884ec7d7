/**
 * Images by drag-and-drop or file input, each with alt text. Files are read as base64 (what the API
 * takes); whether a network accepts their type and size is the shared validators' call, shown by the
 * counters.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../i18n/format';

/** An attached image as the composer keeps it. */
export interface PickedMedia {
  name: string;
  mimeType: string;
  sizeBytes: number;
  alt: string;
  /** Base64 bytes. */
  data: string;
}

/** Reads a file as base64 (without the data-URL prefix). */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.onload = () => {
      const url = String(reader.result ?? '');
      resolve(url.slice(url.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

/** The picker and the list of attached images; `accept` lists the file types offered (default images). */
export function MediaPicker({ media, onChange, accept = 'image/*' }: { media: PickedMedia[]; onChange: (m: PickedMedia[]) => void; accept?: string }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [dragging, setDragging] = useState(false);

  const add = async (files: FileList | null) => {
    if (!files?.length) return;
    const added: PickedMedia[] = [];
    for (const f of Array.from(files)) {
      added.push({ name: f.name, mimeType: f.type || 'application/octet-stream', sizeBytes: f.size, alt: '', data: await readAsBase64(f) });
    }
    onChange([...media, ...added]);
  };

  return (
    <fieldset className="media-picker">
      <legend>{t('composer.media.title')}</legend>
      <div
        className={`dropzone${dragging ? ' dropzone-active' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          void add(e.dataTransfer.files);
        }}
      >
        <p className="muted">{t('composer.media.drop')}</p>
        <label className="button" htmlFor={`${id}-file`}>
          {t('composer.media.choose')}
        </label>
        <input
          id={`${id}-file`}
          className="visually-hidden"
          type="file"
          accept={accept}
          multiple
          onChange={(e) => {
            void add(e.target.files);
            e.target.value = '';
          }}
        />
      </div>
      {media.length > 0 && (
        <ul className="media-list">
          {media.map((m, i) => (
            <li key={i} className="media-item">
              {/^image\//.test(m.mimeType) && <img src={`data:${m.mimeType};base64,${m.data}`} alt="" className="media-thumb" />}
              <div className="media-meta">
                <span>
                  {m.name} <span className="muted">({m.mimeType}, {t('composer.media.bytes', { size: formatNumber(m.sizeBytes, i18n.language) })})</span>
                </span>
                <label className="field">
                  <span className="field-label">{t('composer.media.alt', { name: m.name })}</span>
                  <input type="text" value={m.alt} onChange={(e) => onChange(media.map((x, j) => (j === i ? { ...x, alt: e.target.value } : x)))} />
                </label>
              </div>
              <button type="button" className="button button-danger" aria-label={t('composer.media.removeNamed', { name: m.name })} onClick={() => onChange(media.filter((_, j) => j !== i))}>
                {t('common.remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
