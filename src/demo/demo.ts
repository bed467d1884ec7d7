/**
 * `npm run demo`: a throw-away Herald next to a local AT Protocol network (PLC + PDS from test-peers/),
 * showing the core loop end to end on this machine only: owner, workspace, two connected Bluesky
 * accounts, a post scheduled 10 s ahead that mentions the other account, published exactly once and
 * read back from the PDS. Everything lives in a temp folder that is removed on Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/config';
import { createLogger } from '../logging/logger';
import { serve, type RunningHerald } from '../server/serve';
import type { UseCaseContext } from '../server/services';
import { createUser } from '../use-cases/users.use-case';
import { connectAccount } from '../use-cases/accounts.use-case';
import { createPost, getPost, type TargetView } from '../use-cases/posts.use-case';

/** How the demo talks to the person running it. */
export interface DemoOptions {
  port: number;
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the demo should stop; default: SIGINT or SIGTERM. */
  until?: Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Thrown when the local network cannot run here; the message says what to install. */
export class DemoUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DemoUnavailableError';
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolveSignal();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** Runs the demo until Ctrl-C (or `until`), then removes everything it created. */
export async function runDemo(opts: DemoOptions): Promise<void> {
  if (!existsSync(join(repoRoot, 'test-peers', 'node_modules', '@atproto', 'dev-env'))) {
    throw new DemoUnavailableError('the demo needs the local Bluesky network from test-peers/: run `npm --prefix test-peers ci` first (about 2 minutes, once)');
  }
  // Registered at once so a Ctrl-C during start-up still cleans up.
  const stopRequested = opts.until ?? untilSignal();
  let stopNow = false;
  void stopRequested.then(() => (stopNow = true));

  // Test support code, loaded only here: production installs never import it.
  const networkModule = (await import('../../test/support/bluesky-network')) as typeof import('../../test/support/bluesky-network');
  const tmp = mkdtempSync(join(tmpdir(), 'herald-demo-'));
  let network: Awaited<ReturnType<typeof networkModule.startBlueskyNetwork>> | null = null;
  let running: RunningHerald | null = null;
  const cleanup = async () => {
    await running?.stop().catch((e: unknown) => opts.err(`stopping Herald failed: ${String(e)}`));
    await network?.stop().catch((e: unknown) => opts.err(`stopping the Bluesky network failed: ${String(e)}`));
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    opts.out('Starting a local Bluesky network (PLC + PDS)…');
    network = await networkModule.startBlueskyNetwork();
    opts.out(`  PDS: ${network.pdsUrl}`);
    if (stopNow) return;

    const config = loadConfig({
      HERALD_DATA_DIR: join(tmp, 'data'),
      HERALD_PORT: String(opts.port),
      HERALD_HOST: '127.0.0.1',
      HERALD_BLUESKY_DEFAULT_SERVICE: network.pdsUrl,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_SCHEDULER_INTERVAL_MS: '1000',
    });
    running = await serve(config, { roles: ['api', 'worker', 'scheduler'], migrate: true, log: createLogger('warn') });
    const services = running.services;
    opts.out(`Herald is running at ${running.url} (data in ${tmp})`);
    if (stopNow) return;

    const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    const email = 'owner@herald-demo.test';
    const password = randomBytes(12).toString('base64url');
    const created = await createUser({ db: services.database.db, services }, { email, name: 'Demo Owner', password, owner: true, workspaceName: 'Demo', timezone });
    const workspace = created.workspace!;
    opts.out(`Owner:     ${email}  password: ${password}`);
    opts.out(`Workspace: ${workspace.name} (${workspace.id}), time zone ${workspace.timezone}`);

    const ctx: UseCaseContext = { actor: { kind: 'user', userId: created.user.id, via: 'session' }, workspaceId: workspace.id, db: services.database.db, services };
    const [alice, bob] = [await network.createAccount('alice'), await network.createAccount('bob')];
    const accounts = [];
    for (const who of [alice, bob]) {
      const account = await connectAccount(ctx, { network: 'bluesky', credentials: { identifier: who.handle, appPassword: who.appPassword, serviceUrl: network.pdsUrl } });
      accounts.push(account);
      opts.out(`Connected: ${account.handle} (${account.externalId})`);
    }

    const at = new Date(services.now().getTime() + 10_000);
    const post = await createPost(ctx, {
      text: `Hello @${bob.handle}! This is my first post, scheduled with Herald.`,
      langs: ['en'],
      targets: [{ accountId: accounts[0]!.id }],
      schedule: { at: at.toISOString(), timezone },
      action: 'schedule',
    });
    opts.out(`Scheduled post ${post.id} from ${alice.handle} for ${post.scheduledLocal?.replace('T', ' ')} ${post.timezone} (in 10 s)…`);

    let target: TargetView | undefined;
    const deadline = Date.now() + 90_000;
    while (!stopNow && Date.now() < deadline) {
      target = (await getPost(ctx, post.id)).targets[0];
      if (target && ['published', 'failed', 'held', 'cancelled'].includes(target.state)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!stopNow) {
      if (target?.state !== 'published' || !target.externalId) {
        opts.err(`The post did not publish: state ${target?.state ?? 'unknown'}${target?.error ? ` (${target.error.message})` : ''}`);
      } else {
        opts.out(`Published: ${target.externalId}`);
        const rkey = target.externalId.split('/').pop()!;
        const record = await networkModule.getPostRecord(network.pdsUrl, alice.did, rkey);
        opts.out('Record read back from the PDS:');
        opts.out(JSON.stringify(record, null, 2));
      }
      opts.out('');
      opts.out(`Herald keeps running at ${running.url} — API docs: ${running.url}/api/docs, health: ${running.url}/api/health`);
      opts.out('Press Ctrl-C to stop and remove everything.');
    }
    await stopRequested;
  } finally {
    opts.out('Stopping…');
    await cleanup();
    opts.out('Stopped; the demo data was removed.');
  }
}
