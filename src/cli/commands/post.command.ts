/**
 * `herald post create|schedule|list|show|cancel|delete`: the same use cases as the API's
 * /workspaces/{id}/posts routes, with accounts named by handle and times typed as wall-clock time in a
 * zone ("2026-03-29 09:30" --timezone Europe/Berlin).
 */
import { extname } from 'node:path';
import type { Command } from 'commander';
import type { OptionField, PollSpec } from '../../connectors/connector';
import type { OptionValue } from '../../repositories/post-targets.repository';
import type { PostView, ScheduleInputBody } from '../../use-cases/posts.use-case';
import { targetStates, type TargetState } from '../../db/schema';
import { formatJson, formatTable, readFileArg, SilentExit, UsageError, withServices, type CliDeps } from '../cli-support';
import { matchAccount } from './account.command';

const imageTypes: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The poll, thread and network-option flags `post create` and `validate` share. */
export interface ExtrasOpts {
  pollOption?: string[];
  pollQuestion?: string;
  pollMultiple?: boolean;
  pollDuration?: string;
  pollCorrect?: string;
  thread?: string[];
  option?: string[];
}

/** Adds the poll, thread and option flags to a command. */
export function extrasOptions(cmd: Command): Command {
  return cmd
    .option('--poll-option <text>', 'add a poll with this answer (repeat for each answer, at least 2)', collect)
    .option('--poll-question <text>', 'poll question (networks without a separate question use the post text)')
    .option('--poll-multiple', 'allow choosing several answers')
    .option('--poll-duration <time>', 'how long the poll stays open: seconds, or a number with s, m, h or d (e.g. 3d)')
    .option('--poll-correct <n>', 'quiz: the number of the right answer, counting from 1 (networks with quizzes)')
    .option('--thread <text>', 'a follow-up part published as a reply under the post (repeat for more, in order)', collect)
    .option('--option <name=value>', "a network option by its declared name, e.g. --option silent=true (repeatable; see GET /api/v1/networks)", collect);
}

/** "3600", "90m", "2h", "3d" → seconds. */
export function parseDurationSeconds(value: string): number {
  const m = /^(\d+)\s*([smhd]?)$/i.exec(value.trim());
  const n = m ? Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86_400 } as Record<string, number>)[m[2]!.toLowerCase()]! : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--poll-duration takes seconds or a number with s, m, h or d (e.g. 3d), got "${value}"`);
  return n;
}

/** The poll the flags describe, or undefined without --poll-option. */
export function pollFromOptions(opts: ExtrasOpts): PollSpec | undefined {
  const options = opts.pollOption ?? [];
  if (options.length === 0) {
    if (opts.pollQuestion !== undefined || opts.pollMultiple || opts.pollDuration !== undefined || opts.pollCorrect !== undefined) {
      throw new UsageError('--poll-question, --poll-multiple, --poll-duration and --poll-correct need the answers as --poll-option (at least 2)');
    }
    return undefined;
  }
  if (options.length < 2) throw new UsageError('a poll needs at least 2 answers: repeat --poll-option');
  const poll: PollSpec = { options };
  if (opts.pollQuestion !== undefined) poll.question = opts.pollQuestion;
  if (opts.pollMultiple) poll.multiple = true;
  if (opts.pollDuration !== undefined) poll.durationSeconds = parseDurationSeconds(opts.pollDuration);
  if (opts.pollCorrect !== undefined) {
    const n = Number(opts.pollCorrect);
    if (!Number.isInteger(n) || n < 1 || n > options.length) throw new UsageError(`--poll-correct is the number of one of the ${options.length} answers (1-${options.length})`);
    poll.correctOptionIndex = n - 1;
  }
  return poll;
}

const truthy = new Set(['true', 'yes', 'on', '1']);
const falsy = new Set(['false', 'no', 'off', '0']);

/**
 * `--option name=value` flags as option values: a name some connector declares as boolean takes
 * true/false (yes/no, on/off, 1/0); anything else stays text. Names no connector declares are kept,
 * so the validation names them with the network's list of options.
 */
export function optionsFromFlags(flags: string[] | undefined, fields: OptionField[]): Record<string, OptionValue> | undefined {
  if (!flags?.length) return undefined;
  const out: Record<string, OptionValue> = {};
  for (const kv of flags) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw new UsageError(`--option takes name=value, got "${kv}"`);
    const name = kv.slice(0, eq).trim();
    const raw = kv.slice(eq + 1);
    const declared = fields.filter((f) => f.name === name);
    if (declared.length && declared.every((f) => f.type === 'boolean')) {
      const v = raw.trim().toLowerCase();
      if (!truthy.has(v) && !falsy.has(v)) throw new UsageError(`--option ${name} is true or false, got "${raw}"`);
      out[name] = truthy.has(v);
    } else out[name] = raw;
  }
  return out;
}

interface WhenOpts {
  at?: string;
  timezone?: string;
  fold?: 'earlier' | 'later';
  now?: boolean;
}

/**
 * Turns `--at` into the use case's schedule: "YYYY-MM-DD HH:mm" (or with a T) is a wall time in
 * `--timezone` (default: the workspace's zone); an ISO instant with Z or an offset is taken as is.
 */
export function scheduleFromOptions(opts: WhenOpts, defaultTimezone: string, now: Date): ScheduleInputBody | undefined {
  if (opts.now) {
    if (opts.at !== undefined) throw new UsageError('give either --at or --now');
    return { at: now.toISOString() };
  }
  if (opts.at === undefined) {
    if (opts.timezone !== undefined || opts.fold !== undefined) throw new UsageError('--timezone and --fold only apply with --at');
    return undefined;
  }
  const wall = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})$/.exec(opts.at.trim());
  if (wall) return { date: wall[1]!, time: wall[2]!, timezone: opts.timezone ?? defaultTimezone, ...(opts.fold ? { fold: opts.fold } : {}) };
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(opts.at.trim())) return { at: opts.at.trim(), ...(opts.timezone ? { timezone: opts.timezone } : {}) };
  throw new UsageError(`--at takes "YYYY-MM-DD HH:mm" (with --timezone) or an ISO time with an offset, got "${opts.at}"`);
}

function parseFold(v: string): 'earlier' | 'later' {
  if (v !== 'earlier' && v !== 'later') throw new UsageError('--fold is "earlier" or "later"');
  return v;
}

function parseState(v: string): TargetState {
  if (!(targetStates as readonly string[]).includes(v)) throw new UsageError(`unknown state "${v}" (states: ${targetStates.join(', ')})`);
  return v as TargetState;
}

function parseLimit(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 200) throw new UsageError('--limit is a number from 1 to 200');
  return n;
}

/** A one-line summary of a post's targets, e.g. "published 1, scheduled 1". */
function statesSummary(p: PostView): string {
  return Object.entries(p.states)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ');
}

function printPost(deps: CliDeps, p: PostView, handles: Map<string, string>) {
  deps.out(`post ${p.id}`);
  deps.out(`  scheduled: ${p.scheduledAt ? `${p.scheduledLocal?.replace('T', ' ') ?? p.scheduledAt} ${p.timezone} (${p.scheduledAt})` : '-'}`);
  deps.out(`  states:    ${statesSummary(p)}`);
  for (const t of p.targets) {
    deps.out(`  - ${t.network} ${handles.get(t.accountId) ?? t.accountId}: ${t.state}`);
    if (t.poll) deps.out(`      poll: ${t.poll.question ? `${t.poll.question} ` : ''}[${t.poll.options.join(' | ')}]`);
    if (t.thread.length) deps.out(`      thread: ${t.thread.length} follow-up part(s)`);
    const options = Object.entries(t.options);
    if (options.length) deps.out(`      options: ${options.map(([k, v]) => `${k}=${String(v)}`).join(', ')}`);
    if (t.externalId) deps.out(`      id:   ${t.externalId}`);
    if (t.externalUrl) deps.out(`      url:  ${t.externalUrl}`);
    if (t.publishedAt) deps.out(`      at:   ${t.publishedAt}`);
    if (t.error) deps.out(`      error (${t.error.kind ?? 'unknown'}): ${t.error.message}`);
  }
}

interface CtxOpts {
  workspace?: string;
  as?: string;
  json?: boolean;
}

function ctxOptions(cmd: Command): Command {
  return cmd
    .option('--workspace <name|id>', 'workspace (default: the only one)')
    .option('--as <email>', 'act as this user (default: the only owner)')
    .option('--json', 'print JSON');
}

/** Loads what post commands need and runs `fn` with a workspace context and account handles. */
async function withPostContext<T>(
  deps: CliDeps,
  opts: CtxOpts,
  fn: (
    ctx: Awaited<ReturnType<typeof import('../cli-actor').workspaceContext>>,
    posts: typeof import('../../use-cases/posts.use-case'),
    accounts: Awaited<ReturnType<typeof import('../../use-cases/accounts.use-case').listAccounts>>,
  ) => Promise<T>,
): Promise<{ result: T; handles: Map<string, string> }> {
  const [{ workspaceContext }, posts, { listAccounts }] = await Promise.all([
    import('../cli-actor'),
    import('../../use-cases/posts.use-case'),
    import('../../use-cases/accounts.use-case'),
  ]);
  return withServices(deps, async (services) => {
    const ctx = await workspaceContext(services, opts.as, opts.workspace);
    const accounts = await listAccounts(ctx);
    const result = await fn(ctx, posts, accounts);
    return { result, handles: new Map(accounts.map((a) => [a.id, a.handle])) };
  });
}

/** Registers `post ...`. */
export function registerPostCommands(program: Command, deps: CliDeps): void {
  const post = program.command('post').description('compose, schedule and inspect posts');

  extrasOptions(ctxOptions(post.command('create').description('create a post for one or more accounts: scheduled (--at/--now), for review (--submit) or a draft')))
    .requiredOption('--account <account...>', 'account handle or id (repeat or list several)')
    .option('--text <text>', 'post text')
    .option('--text-file <path>', 'read the post text from a file')
    .option('--image <path>', 'attach an image (repeatable; png, jpeg, gif, webp)', collect)
    .option('--alt <text>', 'alt text for the image at the same position (repeatable)', collect)
    .option('--link <url>', 'link to attach')
    .option('--lang <tag>', 'language tag such as en or pt-BR (repeatable)', collect)
    .option('--at <time>', 'publish at "YYYY-MM-DD HH:mm" in --timezone (or an ISO time with offset)')
    .option('--timezone <zone>', 'IANA zone for --at (default: the workspace time zone)')
    .option('--fold <earlier|later>', 'which of two repeated wall times to use when a DST change makes --at ambiguous', parseFold)
    .option('--now', 'publish as soon as possible')
    .option('--draft', 'save as a draft (the default without --at/--now/--submit)')
    .option('--submit', 'submit for review')
    .addHelpText(
      'after',
      `
Examples:
  herald post create --account alice.bsky.social --text "Hello" --at "2026-03-29 09:30" --timezone Europe/Berlin
  herald post create --account alice.bsky.social --text-file note.txt --image cat.jpg --alt "A cat" --now
  herald post create --account @news@example.social --text "Lunch?" --poll-option Soup --poll-option Salad --poll-duration 1d --now
  herald post create --account mychannel --text "1/3" --thread "2/3" --thread "3/3" --option silent=true --draft

Poll, thread and --option apply to every chosen account; a network without polls or threads refuses
them, and each --option goes to the accounts whose network declares it.`,
    )
    .action(
      async (
        opts: CtxOpts &
          WhenOpts &
          ExtrasOpts & { account: string[]; text?: string; textFile?: string; image?: string[]; alt?: string[]; link?: string; lang?: string[]; draft?: boolean; submit?: boolean },
      ) => {
        const poll = pollFromOptions(opts);
        if ((opts.text === undefined) === (opts.textFile === undefined)) throw new UsageError('give the text with either --text or --text-file');
        const chosen = [opts.at !== undefined || opts.now, opts.draft, opts.submit].filter(Boolean).length;
        if (chosen > 1) throw new UsageError('choose one of --at/--now, --draft and --submit');
        if ((opts.alt?.length ?? 0) > (opts.image?.length ?? 0)) throw new UsageError('there are more --alt texts than --image files');
        const text = opts.text ?? readFileArg(opts.textFile!, 'text file').toString('utf8');
        const media = (opts.image ?? []).map((path, i) => {
          const mimeType = imageTypes[extname(path).toLowerCase()];
          if (!mimeType) throw new UsageError(`unsupported image type "${path}" (use ${Object.keys(imageTypes).join(', ')})`);
          return { data: readFileArg(path, 'image').toString('base64'), mimeType, alt: opts.alt?.[i] ?? '' };
        });
        const { result, handles } = await withPostContext(deps, opts, async (ctx, posts, accounts) => {
          const schedule = scheduleFromOptions(opts, ctx.workspace.timezone, ctx.services.now());
          const chosen = [...new Set(opts.account.flatMap((a) => a.split(',')).map((a) => a.trim()).filter(Boolean))].map((ref) => matchAccount(accounts, ref));
          const targets = chosen.map((a) => ({ accountId: a.id }));
          const fields = [...new Set(chosen.map((a) => a.network))].flatMap((n) => (ctx.services.connectors.has(n) ? (ctx.services.connectors.get(n).optionFields ?? []) : []));
          return posts.createPost(ctx, {
            text,
            link: opts.link,
            langs: opts.lang,
            media: media.length ? media : undefined,
            poll,
            thread: opts.thread,
            options: optionsFromFlags(opts.option, fields),
            targets,
            schedule,
            action: opts.submit ? 'submit' : schedule ? 'schedule' : 'draft',
          });
        });
        if (opts.json) return deps.out(formatJson(result));
        printPost(deps, result, handles);
      },
    );

  ctxOptions(post.command('schedule').description('schedule a draft, approved, failed or held post').argument('<post>', 'post id'))
    .option('--at <time>', 'publish at "YYYY-MM-DD HH:mm" in --timezone (or an ISO time with offset); default: its stored time, or now')
    .option('--timezone <zone>', 'IANA zone for --at (default: the workspace time zone)')
    .option('--fold <earlier|later>', 'which of two repeated wall times to use when --at is ambiguous', parseFold)
    .option('--now', 'publish as soon as possible')
    .action(async (id: string, opts: CtxOpts & WhenOpts) => {
      const { result, handles } = await withPostContext(deps, opts, async (ctx, posts) =>
        posts.schedulePost(ctx, id, scheduleFromOptions(opts, ctx.workspace.timezone, ctx.services.now())),
      );
      if (opts.json) return deps.out(formatJson(result));
      printPost(deps, result, handles);
    });

  ctxOptions(post.command('list').description('list posts (oldest first)'))
    .option('--state <state>', `only posts with a target in this state (${targetStates.join(', ')})`, parseState)
    .option('--account <account>', 'only posts for this account (handle or id)')
    .option('--limit <n>', 'page size (1-200)', parseLimit, 50)
    .option('--cursor <id>', 'continue after this post id')
    .action(async (opts: CtxOpts & { state?: TargetState; account?: string; limit: number; cursor?: string }) => {
      const { result, handles } = await withPostContext(deps, opts, async (ctx, posts, accounts) =>
        posts.listPosts(ctx, { state: opts.state, accountId: opts.account ? matchAccount(accounts, opts.account).id : undefined, limit: opts.limit, cursor: opts.cursor }),
      );
      if (opts.json) return deps.out(formatJson(result));
      deps.out(
        formatTable(
          result.items.map((p) => ({
            id: p.id,
            scheduled: p.scheduledLocal ? `${p.scheduledLocal.replace('T', ' ')} ${p.timezone}` : null,
            states: statesSummary(p),
            accounts: p.targets.map((t) => handles.get(t.accountId) ?? t.accountId).join(', '),
            text: (p.targets[0]?.text ?? '').replace(/\s+/g, ' ').slice(0, 40),
          })),
          ['id', 'scheduled', 'states', 'accounts', 'text'],
        ),
      );
      if (result.nextCursor) deps.out(`more: --cursor ${result.nextCursor}`);
    });

  ctxOptions(post.command('show').description("show a post with every target's state, link and error").argument('<post>', 'post id')).action(async (id: string, opts: CtxOpts) => {
    const { result, handles } = await withPostContext(deps, opts, async (ctx, posts) => posts.getPost(ctx, id));
    if (opts.json) return deps.out(formatJson(result));
    printPost(deps, result, handles);
  });

  ctxOptions(post.command('cancel').description('cancel every target that has not been sent').argument('<post>', 'post id')).action(async (id: string, opts: CtxOpts) => {
    const { result, handles } = await withPostContext(deps, opts, async (ctx, posts) => posts.cancelPost(ctx, id));
    if (opts.json) return deps.out(formatJson(result));
    printPost(deps, result, handles);
  });

  ctxOptions(post.command('delete').description('delete a post: cancels unsent targets and deletes published copies on their networks').argument('<post>', 'post id'))
    .option('--keep-on-network', 'do not delete published copies on the networks')
    .action(async (id: string, opts: CtxOpts & { keepOnNetwork?: boolean }) => {
      const { result } = await withPostContext(deps, opts, async (ctx, posts) => posts.deletePost(ctx, id, { onNetwork: !opts.keepOnNetwork }));
      if (opts.json) return deps.out(formatJson(result));
      deps.out(`deleted post ${id}: ${result.deletedOnNetwork} deleted on the network, ${result.cancelled} unsent target(s) cancelled`);
      for (const n of result.notDeleted) deps.out(`  not deleted on ${n.network} (${n.targetId}): ${n.reason}`);
      if (result.notDeleted.length) throw new SilentExit(1);
    });
}
