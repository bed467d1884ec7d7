/**
 * Content that comes from the networks (author names, message text, links) rendered inert: always as
 * React text nodes, never as HTML, and a link only when it is http(s) — anything else (`javascript:`,
 * `data:`, a relative path) stays visible as plain text. Links open in a new tab without giving the
 * page a handle on Herald (`rel="noopener noreferrer"`).
 */
import type { ReactNode } from 'react';

/** The URL as an absolute http(s) href, or null when it is anything else. */
export function safeHttpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    // No base: a relative or scheme-less string is not a link we can vouch for.
    url = new URL(raw.trim());
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

/** A link from a network: an <a> for http(s), plain text (or nothing) otherwise. */
export function NetworkLink({ href, children, className }: { href: string | null | undefined; children: ReactNode; className?: string }) {
  const safe = safeHttpUrl(href);
  if (!safe) return <span className={className}>{children}</span>;
  return (
    <a className={className} href={safe} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

// Candidates only: each is checked again by safeHttpUrl; trailing punctuation belongs to the sentence.
const urlCandidate = /\bhttps?:\/\/[^\s<>"']+/gi;
const trailingPunctuation = /[.,;:!?)\]}]+$/;

/** Splits text into plain runs and http(s) links. */
export function splitLinks(text: string): Array<{ text: string; href: string | null }> {
  const out: Array<{ text: string; href: string | null }> = [];
  let last = 0;
  for (const m of text.matchAll(urlCandidate)) {
    const start = m.index ?? 0;
    const raw = m[0].replace(trailingPunctuation, '');
    const href = safeHttpUrl(raw);
    if (!href) continue;
    if (start > last) out.push({ text: text.slice(last, start), href: null });
    out.push({ text: raw, href });
    last = start + raw.length;
  }
  if (last < text.length) out.push({ text: text.slice(last), href: null });
  return out;
}

/** Message text as text, with its http(s) URLs as safe links; line breaks kept by CSS. */
export function NetworkText({ text, className }: { text: string; className?: string }) {
  return (
    <p className={className ?? 'inbox-text'}>
      {splitLinks(text).map((part, i) =>
        part.href ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </p>
  );
}

/** "Display Name @handle" (or just the handle), as text. */
export function NetworkAuthor({ author }: { author: { handle: string; displayName: string | null } }) {
  return (
    <span className="inbox-author">
      {author.displayName ? <span className="inbox-author-name">{author.displayName}</span> : null}
      <span className="inbox-author-handle">@{author.handle}</span>
    </span>
  );
}
