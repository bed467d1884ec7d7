/**
 * The one SMTP sender (nodemailer) shared by inbox rule e-mails and scheduled reports, configured by
 * HERALD_SMTP_URL / HERALD_SMTP_FROM (config.smtp). A 5xx answer is a refusal (bad address, policy)
 * and is thrown as `SmtpRefusedError` so callers can record it instead of retrying; anything else
 * (network, 4xx) is a plain Error, worth retrying.
 */
import nodemailer from 'nodemailer';

/** SMTP settings as the config holds them. */
export interface SmtpSettings {
  url: string;
  from: string;
}

/** One attachment of a mail. */
export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

/** One mail to send. */
export interface MailMessage {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
  /** A stable Message-ID (`<…@…>`), so a re-sent copy is recognisable as the same mail. */
  messageId?: string;
}

/** The server refused the mail for good (5xx): sending it again will not help. */
export class SmtpRefusedError extends Error {}

/** How long connecting, greeting and each socket wait may take by default. */
export const defaultSmtpTimeoutMs = 15_000;

/** Sends one mail through `smtp`; throws `SmtpRefusedError` on 5xx, Error on anything else. */
export async function sendMail(smtp: SmtpSettings, message: MailMessage, timeoutMs = defaultSmtpTimeoutMs): Promise<{ messageId: string }> {
  const transport = nodemailer.createTransport(smtp.url, { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
  try {
    const info = await transport.sendMail({ from: smtp.from, to: message.to, subject: message.subject, text: message.text, html: message.html, attachments: message.attachments, ...(message.messageId ? { messageId: message.messageId } : {}) });
    return { messageId: String(info.messageId ?? '') };
  } catch (e) {
    const code = (e as { responseCode?: number }).responseCode;
    if (typeof code === 'number' && code >= 500) throw new SmtpRefusedError(`SMTP server refused: ${code}`);
    throw new Error(`SMTP delivery failed: ${(e as Error).message}`);
  } finally {
    transport.close();
  }
}
