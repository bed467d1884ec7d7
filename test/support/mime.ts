/**
 * Reading raw MIME mails that the local SMTP test servers received: the PDF attachment and header
 * values (folded lines joined, RFC 2047 encoded words decoded).
 */

/** The PDF attachment of a raw MIME mail (base64 part with Content-Type application/pdf). */
export function pdfAttachment(raw: string): { filename: string; bytes: Buffer } | null {
  const m = /Content-Type: application\/pdf;?\s*(?:name=("?)([^\r\n"]+)\1)?[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/i.exec(raw);
  if (!m) return null;
  const filename = /filename="?([^"\r\n]+)"?/.exec(raw.slice(m.index))?.[1] ?? '';
  return { filename, bytes: Buffer.from(m[3]!.replace(/\s+/g, ''), 'base64') };
}

/** A MIME header's value with folded lines joined and RFC 2047 words decoded (UTF-8, B or Q). */
export function mimeHeader(raw: string, name: string): string {
  const head = raw.split(/\r\n\r\n/)[0]!.replace(/\r\n[ \t]+/g, ' ');
  const line = new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? '';
  return line
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_h, x: string) => String.fromCharCode(parseInt(x, 16))), 'latin1').toString('utf8'),
    );
}
