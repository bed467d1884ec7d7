/**
 * A preview shaped like a post on the network: name and handle, the text as plain text (never markup),
 * the images with their alt text, and the link.
 */
import { useTranslation } from 'react-i18next';

/** An image to preview (base64 data as the API takes it). */
export interface PreviewImage {
  data: string;
  mimeType: string;
  alt: string;
}

/** One target's preview. */
export function PostPreview({
  networkName,
  handle,
  displayName,
  text,
  link,
  images,
  poll = null,
  thread = [],
}: {
  networkName: string;
  handle: string;
  displayName: string | null;
  text: string;
  link: string;
  images: PreviewImage[];
  /** Poll options, when this network gets the poll. */
  poll?: string[] | null;
  /** Follow-up posts, when this network gets the thread. */
  thread?: string[];
}) {
  const { t } = useTranslation();
  return (
    <article className="post-preview" aria-label={t('composer.preview.label', { handle, network: networkName })}>
      <header className="post-preview-head">
        <span className="post-preview-avatar" aria-hidden="true">
          {(displayName || handle).slice(0, 1).toUpperCase()}
        </span>
        <span className="post-preview-names">
          {displayName && <strong>{displayName}</strong>}
          <span className="muted">@{handle.replace(/^@/, '')}</span>
        </span>
        <span className="muted post-preview-network">{networkName}</span>
      </header>
      <p className="post-preview-text">{text || <span className="muted">{t('composer.preview.empty')}</span>}</p>
      {images.length > 0 && (
        <div className={`post-preview-images post-preview-images-${Math.min(images.length, 4)}`}>
          {images.map((img, i) =>
            /^image\//.test(img.mimeType) ? (
              <img key={i} src={`data:${img.mimeType};base64,${img.data}`} alt={img.alt} />
            ) : (
              <span key={i} className="post-preview-file">
                {img.mimeType}
              </span>
            ),
          )}
        </div>
      )}
      {link && <p className="post-preview-link">{link}</p>}
      {poll && poll.length > 0 && (
        <ul className="post-preview-poll" aria-label={t('composerExtras.poll.title')}>
          {poll.map((o, i) => (
            <li key={i}>{o}</li>
          ))}
        </ul>
      )}
      {thread.map((part, i) => (
        <p key={i} className="post-preview-text post-preview-thread">
          {part}
        </p>
      ))}
    </article>
  );
}
