/**
 * The `herald import metrics` file format (documented in docs/analytics/import-format.md): accounts,
 * posts, follower snapshots and metric observations, as JSON. Validation names the path of every
 * problem the way a person reads it (`posts[3].publishedAt`).
 */
import { z } from 'zod';
import { ValidationError } from '../domain/errors';
import { contentTypes, postMetricNames } from './analytics-metrics';

const instantPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

const instant = z
  .string({ error: 'expected an ISO 8601 instant with an offset, e.g. 2026-03-29T09:30:00Z' })
  .refine((v) => instantPattern.test(v) && !Number.isNaN(Date.parse(v)), { message: 'expected an ISO 8601 instant with an offset, e.g. 2026-03-29T09:30:00Z or 2026-03-29T11:30:00+02:00' });

/** A count: a whole number ≥ 0, or null/absent when the source had none (never write 0 for "unknown"). */
const count = z
  .number({ error: 'expected a whole number ≥ 0 or null' })
  .int('expected a whole number')
  .nonnegative('a count cannot be negative')
  // The raw tables keep 32-bit integers on PostgreSQL.
  .max(2_147_483_647, 'a count above 2147483647 cannot be stored')
  .nullable()
  .optional();

const ref = z.string().min(1, 'must not be empty').max(300);

const AccountSchema = z
  .object({
    ref: ref.optional(),
    network: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a network id in lower case, e.g. instagram, vk, telegram, bluesky'),
    handle: z.string().min(1, 'must not be empty').max(300),
    externalId: ref,
    displayName: z.string().max(300).nullable().optional(),
  })
  .strict();

const PostSchema = z
  .object({
    account: ref,
    externalId: ref,
    publishedAt: instant,
    contentType: z.enum(contentTypes, { error: `expected one of ${contentTypes.join(', ')}` }),
    text: z.string().max(100_000).optional(),
    hashtags: z.array(z.string().min(1).max(300)).max(500).optional(),
    url: z.string().url().max(2000).nullable().optional(),
  })
  .strict();

const SnapshotSchema = z
  .object({ account: ref, observedAt: instant, followers: count, following: count, posts: count })
  .strict();

const observationShape: Record<string, typeof count> = Object.fromEntries(postMetricNames.map((m) => [m, count]));
const ObservationSchema = z
  .object({ account: ref, post: ref, observedAt: instant, ...observationShape })
  .strict();

/** The whole file. */
export const metricsImportSchema = z
  .object({
    version: z.literal(1, { error: 'expected "version": 1' }),
    accounts: z.array(AccountSchema).default([]),
    posts: z.array(PostSchema).default([]),
    followerSnapshots: z.array(SnapshotSchema).default([]),
    observations: z.array(ObservationSchema).default([]),
  })
  .strict();

export type MetricsImport = z.output<typeof metricsImportSchema>;
export type ImportAccount = MetricsImport['accounts'][number];
export type ImportPost = MetricsImport['posts'][number];
export type ImportObservation = MetricsImport['observations'][number];

/** A field problem, path written like `posts[3].publishedAt`. */
export interface ImportProblem {
  path: string;
  code: string;
  message: string;
}

/** `['posts', 3, 'publishedAt']` → `posts[3].publishedAt`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(file)';
}

/** The reference posts and snapshots use for an account: its `ref`, or `network:externalId`. */
export function accountRef(a: ImportAccount): string {
  return a.ref ?? `${a.network}:${a.externalId}`;
}

function fail(problems: ImportProblem[]): never {
  const shown = problems.slice(0, 50);
  const more = problems.length > shown.length ? ` (showing the first ${shown.length})` : '';
  throw new ValidationError(`The metrics file has ${problems.length} problem${problems.length === 1 ? '' : 's'}${more}: ${shown.slice(0, 3).map((p) => `${p.path}: ${p.message}`).join('; ')}`, shown);
}

/**
 * Parses and checks a metrics file: JSON syntax, shape, and the references between its parts
 * (posts name a listed account, no duplicates, at least one count per snapshot and observation).
 * Throws ValidationError listing every problem with its path.
 */
export function parseMetricsImport(text: string): MetricsImport {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    fail([{ path: '(file)', code: 'invalid_json', message: `not valid JSON: ${e instanceof Error ? e.message : String(e)}` }]);
  }
  const parsed = metricsImportSchema.safeParse(raw);
  if (!parsed.success) fail(parsed.error.issues.map((i) => ({ path: formatPath(i.path), code: i.code, message: i.message })));
  const file = parsed.data;
  const problems: ImportProblem[] = [];

  const refs = new Map<string, number>();
  const networkIds = new Set<string>();
  file.accounts.forEach((a, i) => {
    const r = accountRef(a);
    if (refs.has(r)) problems.push({ path: `accounts[${i}].ref`, code: 'duplicate', message: `"${r}" is already used by accounts[${refs.get(r)}]` });
    else refs.set(r, i);
    const key = `${a.network}\u0000${a.externalId}`;
    if (networkIds.has(key)) problems.push({ path: `accounts[${i}].externalId`, code: 'duplicate', message: `${a.network} account ${a.externalId} is listed twice` });
    networkIds.add(key);
  });
  const known = (r: string) => refs.has(r);
  const refMessage = (r: string) => `no account "${r}" in accounts (use its ref, or network:externalId)`;

  const posts = new Map<string, number>();
  file.posts.forEach((p, i) => {
    if (!known(p.account)) problems.push({ path: `posts[${i}].account`, code: 'unknown_account', message: refMessage(p.account) });
    const key = `${p.account}\u0000${p.externalId}`;
    if (posts.has(key)) problems.push({ path: `posts[${i}].externalId`, code: 'duplicate', message: `post "${p.externalId}" of "${p.account}" is already posts[${posts.get(key)}]` });
    else posts.set(key, i);
  });
  file.followerSnapshots.forEach((s, i) => {
    if (!known(s.account)) problems.push({ path: `followerSnapshots[${i}].account`, code: 'unknown_account', message: refMessage(s.account) });
    if (s.followers == null && s.following == null && s.posts == null) problems.push({ path: `followerSnapshots[${i}]`, code: 'no_counts', message: 'a snapshot needs at least one of followers, following, posts' });
  });
  file.observations.forEach((o, i) => {
    if (!known(o.account)) problems.push({ path: `observations[${i}].account`, code: 'unknown_account', message: refMessage(o.account) });
    const rec = o as Record<string, unknown>;
    if (postMetricNames.every((m) => rec[m] == null)) problems.push({ path: `observations[${i}]`, code: 'no_counts', message: `an observation needs at least one count (${postMetricNames.join(', ')})` });
    const pi = posts.get(`${o.account}\u0000${o.post}`);
    const post = pi === undefined ? undefined : file.posts[pi];
    if (post && Date.parse(o.observedAt) < Date.parse(post.publishedAt)) {
      problems.push({ path: `observations[${i}].observedAt`, code: 'before_publish', message: `${o.observedAt} is before the post was published (${post.publishedAt}): check the time zone offsets` });
    }
  });
  if (problems.length) fail(problems);
  return file;
}

/** Hashtags written in a text (`#word`), without `#`, in order, each once. */
export function hashtagsIn(text: string): string[] {
  return [...new Set([...text.matchAll(/(?:^|[^\p{L}\p{N}_&/])#([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!))];
}
