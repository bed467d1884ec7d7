/**
 * Inbox rules: conditions on a new message (every condition given must hold) and what to do then.
 * Keywords match whole words (case-insensitive, Unicode letters and digits); a keyword of several
 * words matches them side by side. Evaluation is pure: ingestion applies the outcome.
 */
import { z } from 'zod';
import { inboxPriorities } from './inbox-tables';

const kinds = ['comment', 'reply', 'mention', 'quote', 'dm'] as const;

/** When a rule fires. */
export const ruleConditionsSchema = z
  .object({
    keywords: z.array(z.string().trim().min(1).max(200)).min(1).max(100).optional().describe('Any of these words or phrases (whole words, case-insensitive)'),
    sentiment: z.array(z.enum(['negative', 'neutral', 'positive'])).min(1).optional(),
    networks: z.array(z.string().min(1).max(64)).min(1).optional(),
    minFollowers: z.number().int().min(0).optional().describe('Author has at least this many followers (unknown counts never match)'),
    languages: z.array(z.string().min(2).max(16)).min(1).optional(),
    kinds: z.array(z.enum(kinds)).min(1).optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), { message: 'Give at least one condition' });
export type RuleConditions = z.output<typeof ruleConditionsSchema>;

/** One notification. E-mail needs HERALD_SMTP_URL; Telegram needs the workspace's bot token. */
export const notifySchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), to: z.array(z.email('Give e-mail addresses like name@example.com')).min(1).max(20) }).strict(),
  z.object({ channel: z.literal('telegram'), chatId: z.string().regex(/^-?\d{1,20}$|^@\w{5,64}$/, 'A Telegram chat id (digits) or @channelusername') }).strict(),
  z.object({ channel: z.literal('webhook') }).strict(),
]);
export type RuleNotify = z.output<typeof notifySchema>;

/** What a rule does. */
export const ruleActionsSchema = z
  .object({
    assignTo: z.string().optional().describe('User id of a workspace member'),
    tags: z.array(z.string()).min(1).max(20).optional(),
    priority: z.enum(inboxPriorities).optional(),
    notify: z.array(notifySchema).min(1).max(10).optional(),
  })
  .strict()
  .refine((a) => Object.values(a).some((v) => v !== undefined), { message: 'Give at least one action' });
export type RuleActions = z.output<typeof ruleActionsSchema>;

/** What a rule is tested against. */
export interface RuleSubject {
  text: string;
  network: string;
  kind: string;
  lang: string | null;
  sentiment: string | null;
  authorFollowers: number | null;
}

/** Lower-cased words of a text (letters, digits, marks; apostrophes inside words kept). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*/gu) ?? [];
}

function containsPhrase(haystack: string[], phrase: string[]): boolean {
  if (phrase.length === 0) return false;
  outer: for (let i = 0; i + phrase.length <= haystack.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (haystack[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}

const primary = (lang: string) => lang.toLowerCase().split(/[-_]/)[0]!;

/**
 * True when every condition holds for the message. `messageWords` may be passed to reuse a split, and
 * `keywordWords` (the words of each of `c.keywords`, in order) to reuse the keywords' split.
 */
export function ruleMatches(c: RuleConditions, m: RuleSubject, messageWords: string[] = words(m.text), keywordWords?: string[][]): boolean {
  if (c.networks && !c.networks.includes(m.network)) return false;
  if (c.kinds && !(c.kinds as readonly string[]).includes(m.kind)) return false;
  if (c.sentiment && (m.sentiment === null || !(c.sentiment as readonly string[]).includes(m.sentiment))) return false;
  if (c.languages && (m.lang === null || !c.languages.some((l) => primary(l) === primary(m.lang!)))) return false;
  if (c.minFollowers !== undefined && (m.authorFollowers === null || m.authorFollowers < c.minFollowers)) return false;
  if (c.keywords && !c.keywords.some((k, i) => containsPhrase(messageWords, keywordWords?.[i] ?? words(k)))) return false;
  return true;
}

/** Tags as stored: trimmed, lower-cased, 1–50 characters, no commas. */
export function normaliseTag(tag: string): string | null {
  const t = tag.trim().toLowerCase();
  return t.length >= 1 && t.length <= 50 && !/[,\u0000-\u001f]/.test(t) ? t : null;
}

