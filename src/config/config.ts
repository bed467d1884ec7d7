/**
 * The one typed configuration module. Every setting Herald reads from the environment is declared
 * here, validated at boot (all errors listed at once) and documented; no other module reads
 * `process.env`. Secrets may be given as `NAME_FILE` pointing at a file holding the value.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** One documented setting; the README's configuration table is generated from this list. */
export interface SettingDoc {
  name: string;
  default: string;
  description: string;
  secret?: boolean;
}

/** The documented settings, in the order the README shows them. */
export const settingDocs: SettingDoc[] = [
  { name: 'HERALD_PORT', default: '3000', description: 'HTTP port the API (and later the web app) listens on.' },
  { name: 'HERALD_HOST', default: '0.0.0.0', description: 'Interface to bind.' },
  { name: 'HERALD_PUBLIC_URL', default: 'http://localhost:3000', description: 'Address users reach Herald at (links, cookies).' },
  { name: 'HERALD_DATA_DIR', default: './data', description: 'Folder for the embedded SQLite database and the generated secret key.' },
  { name: 'HERALD_DATABASE_URL', default: '(SQLite in HERALD_DATA_DIR)', description: '`postgres://…` switches to PostgreSQL and graphile-worker; `sqlite:PATH` picks a SQLite file.' },
  { name: 'HERALD_SECRET_KEY', default: '(generated on first embedded start)', description: '32-byte key (base64 or hex) that encrypts network credentials with AES-256-GCM. Required with PostgreSQL.', secret: true },
  { name: 'HERALD_LOG_LEVEL', default: 'info', description: 'pino level: fatal, error, warn, info, debug, trace, silent.' },
  { name: 'HERALD_WORKER_CONCURRENCY', default: '16', description: 'Jobs one worker process runs at once.' },
  { name: 'HERALD_ANALYSIS_THREADS', default: '1', description: 'Worker threads that score and match incoming inbox messages (language, sentiment, listening queries) while the main thread writes to the database; 0 = on the main thread. See docs/inbox/inbox.md, "Ingest throughput".' },
  { name: 'HERALD_COOKIE_SECURE', default: 'auto', description: '`true`, `false` or `auto` (secure when HERALD_PUBLIC_URL is https).' },
  { name: 'HERALD_TRUST_PROXY', default: '0', description: 'Reverse proxies in front of Herald whose `X-Forwarded-For` is trusted (login rate limits use the client address). 0 = use the socket address.' },
  { name: 'HERALD_BLUESKY_DEFAULT_SERVICE', default: 'https://bsky.social', description: 'PDS used when an account is connected without a service URL.' },
  { name: 'HERALD_STREAMING', default: 'on', description: '`on`: the worker keeps live subscriptions (Bluesky firehose, Mastodon streaming API) next to polling; `off`: polling only. See docs/inbox/inbox.md.' },
  { name: 'HERALD_BLUESKY_RELAY_URL', default: "(none: each account's PDS)", description: 'Relay whose firehose (`com.atproto.sync.subscribeRepos`) serves every Bluesky account over one connection, e.g. `wss://bsky.network`; `ws(s)://` or `http(s)://`.' },
  { name: 'HERALD_BLUESKY_PLC_URL', default: 'https://plc.directory', description: "PLC directory Herald reads authors' handles from (their DID documents) when a relay or Jetstream serves the Bluesky stream." },
  { name: 'HERALD_BLUESKY_CHAT_PROXY', default: '(none: no Bluesky direct messages)', description: '`atproto-proxy` value of the Bluesky chat service, e.g. `did:web:api.bsky.chat#bsky_chat`: when set, Bluesky accounts read and answer chat messages (the app password must allow direct messages).' },
  { name: 'HERALD_BLUESKY_JETSTREAM_URL', default: '(none: the CBOR firehose)', description: 'Jetstream endpoint (JSON events) serving every Bluesky account instead of the firehose, e.g. `wss://jetstream2.us-east.bsky.network/subscribe`.' },
  { name: 'HERALD_PUBLISH_LEASE_SECONDS', default: '60', description: 'How long a publishing attempt may run before the scheduler treats it as crashed and checks the network.' },
  { name: 'HERALD_SCHEDULER_INTERVAL_MS', default: '2000', description: 'How often the scheduler sweeps for held, stuck or overdue posts.' },
  { name: 'HERALD_TELEGRAM_API_URL', default: 'https://api.telegram.org', description: 'Telegram Bot API server (a self-hosted Bot API server works too).' },
  { name: 'HERALD_SMTP_URL', default: '(none: e-mail notifications off)', description: 'SMTP server for inbox rule e-mails and scheduled reports: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.', secret: true },
  { name: 'HERALD_SMTP_FROM', default: 'herald@localhost', description: 'Sender address of inbox rule e-mails and scheduled reports.' },
  { name: 'HERALD_CHROMIUM_PATH', default: '/usr/bin/chromium', description: 'Chromium (or Chrome) executable that prints report PDFs (headless).' },
  { name: 'HERALD_VK_CLIENT_ID', default: '(none: VK ID sign-in off)', description: 'App ID of your VK ID app (id.vk.com), for connecting VK accounts by OAuth.' },
  { name: 'HERALD_VK_CLIENT_SECRET', default: '(none)', description: 'Protected key of the VK ID app.', secret: true },
  { name: 'HERALD_VK_API_URL', default: 'https://api.vk.com/method', description: 'VK API methods endpoint.' },
  { name: 'HERALD_VK_ID_URL', default: 'https://id.vk.com', description: 'VK ID (OAuth 2.1) server.' },
  { name: 'HERALD_VK_SERVICE_TOKEN', default: '(none: VK competitors off)', description: 'Service token ("service key") of your VK app, for reading public communities as competitors.', secret: true },
  { name: 'HERALD_OK_APPLICATION_ID', default: '(none: OK sign-in off)', description: 'Application ID of your Odnoklassniki app (ok.ru/devaccess), for connecting OK accounts by OAuth.' },
  { name: 'HERALD_OK_APPLICATION_KEY', default: '(none)', description: 'Public application key of the OK app.' },
  { name: 'HERALD_OK_APPLICATION_SECRET', default: '(none)', description: 'Secret key of the OK app (signs API requests).', secret: true },
  { name: 'HERALD_OK_API_URL', default: 'https://api.ok.ru/fb.do', description: 'OK REST API endpoint.' },
  { name: 'HERALD_OK_OAUTH_URL', default: 'https://connect.ok.ru/oauth/authorize', description: 'OK OAuth authorization page.' },
  { name: 'HERALD_OK_TOKEN_URL', default: 'https://api.ok.ru/oauth/token.do', description: 'OK OAuth token endpoint.' },
];

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const intFrom = (name: string, def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${name} must be a whole number from ${min} to ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? null : v.trim()));
const httpUrl = (name: string, def: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = v === undefined || v.trim() === '' ? def : v.trim();
      if (!/^https?:\/\/[^\s/]+/i.test(value) || !URL.canParse(value)) {
        ctx.addIssue({ code: 'custom', message: `${name} must be an http(s) URL, got "${value}"` });
        return z.NEVER;
      }
      return value.replace(/\/+$/, '');
    });

/** Settings of the networks beyond Bluesky (endpoints and the operator's app credentials). */
const networkEnvShape = {
  HERALD_BLUESKY_RELAY_URL: optionalText.refine((v) => v === null || (/^(wss?|https?):\/\/[^\s/]+/i.test(v) && URL.canParse(v)), { message: 'HERALD_BLUESKY_RELAY_URL must be a ws(s):// or http(s):// URL' }),
  HERALD_BLUESKY_PLC_URL: httpUrl('HERALD_BLUESKY_PLC_URL', 'https://plc.directory'),
  HERALD_BLUESKY_CHAT_PROXY: optionalText.refine((v) => v === null || /^did:[a-z]+:[A-Za-z0-9._:%-]+#[A-Za-z0-9_-]+$/.test(v), { message: 'HERALD_BLUESKY_CHAT_PROXY must be a DID with a service id, e.g. did:web:api.bsky.chat#bsky_chat' }),
  HERALD_BLUESKY_JETSTREAM_URL: optionalText.refine((v) => v === null || (/^(wss?|https?):\/\/[^\s/]+/i.test(v) && URL.canParse(v)), { message: 'HERALD_BLUESKY_JETSTREAM_URL must be a ws(s):// or http(s):// URL' }),
  HERALD_TELEGRAM_API_URL: httpUrl('HERALD_TELEGRAM_API_URL', 'https://api.telegram.org'),
  HERALD_VK_CLIENT_ID: optionalText,
  HERALD_VK_CLIENT_SECRET: optionalText,
  HERALD_VK_API_URL: httpUrl('HERALD_VK_API_URL', 'https://api.vk.com/method'),
  HERALD_VK_ID_URL: httpUrl('HERALD_VK_ID_URL', 'https://id.vk.com'),
  HERALD_VK_SERVICE_TOKEN: optionalText,
  HERALD_OK_APPLICATION_ID: optionalText,
  HERALD_OK_APPLICATION_KEY: optionalText,
  HERALD_OK_APPLICATION_SECRET: optionalText,
  HERALD_OK_API_URL: httpUrl('HERALD_OK_API_URL', 'https://api.ok.ru/fb.do'),
  HERALD_OK_OAUTH_URL: httpUrl('HERALD_OK_OAUTH_URL', 'https://connect.ok.ru/oauth/authorize'),
  HERALD_OK_TOKEN_URL: httpUrl('HERALD_OK_TOKEN_URL', 'https://api.ok.ru/oauth/token.do'),
};
const networkEnvSchema = z.object(networkEnvShape);

/**
 * Endpoints and app credentials of the networks. App credentials are null when the operator has not
 * configured them (the connector's OAuth then reports itself unavailable and says which setting is missing).
 */
export interface NetworksConfig {
  /** Bluesky's firehose relay (null = each account's own PDS), Jetstream endpoint (null = firehose), PLC directory, chat service proxy (null = no DMs). */
  bluesky: { relayUrl: string | null; jetstreamUrl: string | null; plcUrl: string; chatProxy: string | null };
  telegram: { apiBaseUrl: string };
  vk: { apiBaseUrl: string; idBaseUrl: string; clientId: string | null; clientSecret: string | null; serviceToken: string | null };
  ok: {
    apiBaseUrl: string;
    oauthBaseUrl: string;
    tokenUrl: string;
    applicationId: string | null;
    applicationKey: string | null;
    applicationSecretKey: string | null;
  };
}

function networksFrom(e: z.output<typeof networkEnvSchema>): NetworksConfig {
  return {
    bluesky: {
      relayUrl: e.HERALD_BLUESKY_RELAY_URL ? e.HERALD_BLUESKY_RELAY_URL.replace(/\/+$/, '') : null,
      jetstreamUrl: e.HERALD_BLUESKY_JETSTREAM_URL ? e.HERALD_BLUESKY_JETSTREAM_URL.replace(/\/+$/, '') : null,
      plcUrl: e.HERALD_BLUESKY_PLC_URL,
      chatProxy: e.HERALD_BLUESKY_CHAT_PROXY,
    },
    telegram: { apiBaseUrl: e.HERALD_TELEGRAM_API_URL },
    vk: { apiBaseUrl: e.HERALD_VK_API_URL, idBaseUrl: e.HERALD_VK_ID_URL, clientId: e.HERALD_VK_CLIENT_ID, clientSecret: e.HERALD_VK_CLIENT_SECRET, serviceToken: e.HERALD_VK_SERVICE_TOKEN },
    ok: {
      apiBaseUrl: e.HERALD_OK_API_URL,
      oauthBaseUrl: e.HERALD_OK_OAUTH_URL,
      tokenUrl: e.HERALD_OK_TOKEN_URL,
      applicationId: e.HERALD_OK_APPLICATION_ID,
      applicationKey: e.HERALD_OK_APPLICATION_KEY,
      applicationSecretKey: e.HERALD_OK_APPLICATION_SECRET,
    },
  };
}

/**
 * Only the networks section, for commands that need the connectors but no database or key (e.g.
 * `herald validate`). Throws ConfigError listing every problem.
 */
export function loadNetworksConfig(env: Record<string, string | undefined> = process.env): NetworksConfig {
  const problems: string[] = [];
  const resolved = resolveFileSecrets(env, problems);
  const parsed = networkEnvSchema.safeParse(resolved);
  if (!parsed.success) for (const issue of parsed.error.issues) problems.push(issue.message);
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  return networksFrom(parsed.data);
}

/** The networks section with every default (no app credentials), e.g. for tests. */
export function defaultNetworksConfig(): NetworksConfig {
  return loadNetworksConfig({});
}

const envSchema = z.object({
  HERALD_PORT: intFrom('HERALD_PORT', 3000, 0, 65535),
  HERALD_HOST: z.string().default('0.0.0.0'),
  HERALD_PUBLIC_URL: z.url({ message: 'HERALD_PUBLIC_URL must be an absolute URL' }).optional(),
  HERALD_DATA_DIR: z.string().default('./data'),
  HERALD_DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^(postgres(ql)?:\/\/|sqlite:)/.test(v), {
      message: 'HERALD_DATABASE_URL must start with postgres://, postgresql:// or sqlite:',
    }),
  HERALD_SECRET_KEY: z.string().optional(),
  HERALD_LOG_LEVEL: z.enum(logLevels).default('info'),
  HERALD_WORKER_CONCURRENCY: intFrom('HERALD_WORKER_CONCURRENCY', 16, 1, 1000),
  HERALD_ANALYSIS_THREADS: intFrom('HERALD_ANALYSIS_THREADS', 1, 0, 64),
  HERALD_COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  HERALD_TRUST_PROXY: intFrom('HERALD_TRUST_PROXY', 0, 0, 10),
  HERALD_BLUESKY_DEFAULT_SERVICE: z.url().default('https://bsky.social'),
  HERALD_PUBLISH_LEASE_SECONDS: intFrom('HERALD_PUBLISH_LEASE_SECONDS', 60, 5, 3600),
  HERALD_SCHEDULER_INTERVAL_MS: intFrom('HERALD_SCHEDULER_INTERVAL_MS', 2000, 50, 600000),
  HERALD_SMTP_URL: optionalText.refine((v) => v === null || (/^smtps?:\/\/[^\s/]+/i.test(v) && URL.canParse(v)), { message: 'HERALD_SMTP_URL must be an smtp:// or smtps:// URL' }),
  HERALD_SMTP_FROM: z.string().default('herald@localhost'),
  HERALD_CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
  HERALD_STREAMING: z.enum(['on', 'off'], { message: 'HERALD_STREAMING must be on or off' }).default('on'),
  ...networkEnvShape,
});

/** Which storage and queue backend Herald runs on. */
export type DatabaseConfig =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string };

/** Herald's validated configuration. */
export interface HeraldConfig {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  /** 32 raw bytes for AES-256-GCM. */
  secretKey: Buffer;
  logLevel: (typeof logLevels)[number];
  workerConcurrency: number;
  /** Threads analysing incoming messages off the database thread (HERALD_ANALYSIS_THREADS); absent or 0 = inline. */
  analysisThreads?: number;
  cookieSecure: boolean;
  /** Trusted reverse-proxy hops for the client address. */
  trustProxyHops: number;
  blueskyDefaultService: string;
  publishLeaseMs: number;
  schedulerIntervalMs: number;
  /** Endpoints and app credentials of the networks' connectors. */
  networks: NetworksConfig;
  /** SMTP for inbox rule e-mails; absent = e-mail notifications off. */
  smtp?: { url: string; from: string };
  /** Chromium that prints report PDFs (default /usr/bin/chromium). */
  chromiumPath?: string;
  /** Test switches (HERALD_TEST_*), read here so tests never touch process.env themselves. */
  test: { requireAll: boolean };
  /** Live inbound subscriptions in the worker role (HERALD_STREAMING); absent = off. */
  streaming?: { enabled: boolean };
}

/** Raised when the environment does not describe a runnable Herald; lists every problem at once. */
export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Herald's configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Decodes a 32-byte key given as base64 or hex; returns null when it is neither. */
export function decodeSecretKey(text: string): Buffer | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  const b = Buffer.from(t, 'base64');
  return b.length === 32 ? b : null;
}

/** Resolves `NAME_FILE` indirections into plain values; a missing file is an error. */
function resolveFileSecrets(env: Record<string, string | undefined>, problems: string[]) {
  const out: Record<string, string | undefined> = { ...env };
  for (const [k, v] of Object.entries(env)) {
    if (!k.startsWith('HERALD_') || !k.endsWith('_FILE') || !v) continue;
    const base = k.slice(0, -'_FILE'.length);
    if (env[base]) {
      problems.push(`both ${base} and ${k} are set: keep one`);
      continue;
    }
    try {
      out[base] = readFileSync(v, 'utf8').trim();
    } catch (e) {
      problems.push(`${k}: cannot read "${v}" (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  return out;
}

/**
 * Reads and validates configuration. With SQLite and no key configured, a key is generated on first
 * start into `DATA_DIR/secret.key` with 0600 permissions; PostgreSQL deployments must set one so every
 * process of a scale-out shares it.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): HeraldConfig {
  const problems: string[] = [];
  const resolved = resolveFileSecrets(env, problems);
  const parsed = envSchema.safeParse(resolved);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path.join('.');
      problems.push(issue.message.includes(key) ? issue.message : `${key}: ${issue.message}`);
    }
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const dataDir = resolve(e.HERALD_DATA_DIR);
  let database: DatabaseConfig;
  const url = e.HERALD_DATABASE_URL;
  if (url && /^postgres/.test(url)) database = { dialect: 'postgres', url };
  else if (url && url.startsWith('sqlite:')) database = { dialect: 'sqlite', path: resolve(url.slice('sqlite:'.length)) };
  else database = { dialect: 'sqlite', path: resolve(dataDir, 'herald.sqlite') };

  let secretKey: Buffer | null = null;
  if (e.HERALD_SECRET_KEY) {
    secretKey = decodeSecretKey(e.HERALD_SECRET_KEY);
    if (!secretKey) problems.push('HERALD_SECRET_KEY must be 32 bytes, written as 64 hex characters or base64');
  } else if (database.dialect === 'postgres') {
    problems.push('HERALD_SECRET_KEY (or HERALD_SECRET_KEY_FILE) is required with PostgreSQL so every process shares one key');
  }
  if (problems.length) throw new ConfigError(problems);
  if (!secretKey) secretKey = loadOrCreateKeyFile(resolve(dataDir, 'secret.key'));

  const publicUrl = e.HERALD_PUBLIC_URL ?? `http://localhost:${e.HERALD_PORT}`;
  return {
    port: e.HERALD_PORT,
    host: e.HERALD_HOST,
    publicUrl,
    dataDir,
    database,
    secretKey,
    logLevel: e.HERALD_LOG_LEVEL,
    workerConcurrency: e.HERALD_WORKER_CONCURRENCY,
    analysisThreads: e.HERALD_ANALYSIS_THREADS,
    cookieSecure: e.HERALD_COOKIE_SECURE === 'auto' ? publicUrl.startsWith('https:') : e.HERALD_COOKIE_SECURE === 'true',
    trustProxyHops: e.HERALD_TRUST_PROXY,
    blueskyDefaultService: e.HERALD_BLUESKY_DEFAULT_SERVICE,
    publishLeaseMs: e.HERALD_PUBLISH_LEASE_SECONDS * 1000,
    schedulerIntervalMs: e.HERALD_SCHEDULER_INTERVAL_MS,
    networks: networksFrom(e),
    ...(e.HERALD_SMTP_URL ? { smtp: { url: e.HERALD_SMTP_URL, from: e.HERALD_SMTP_FROM } } : {}),
    chromiumPath: e.HERALD_CHROMIUM_PATH,
    streaming: { enabled: e.HERALD_STREAMING === 'on' },
    test: { requireAll: env.HERALD_TEST_REQUIRE_ALL === '1' },
  };
}

function loadOrCreateKeyFile(path: string): Buffer {
  if (existsSync(path)) {
    const key = decodeSecretKey(readFileSync(path, 'utf8'));
    if (!key) throw new ConfigError([`${path} does not hold a 32-byte key (hex or base64)`]);
    return key;
  }
  mkdirSync(dirname(path), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}

/** Environment values tests and benches need (kept here so the rule "no process.env elsewhere" holds). */
export function testEnv(env: Record<string, string | undefined> = process.env) {
  return {
    requireAll: env.HERALD_TEST_REQUIRE_ALL === '1',
    postgresUrl: env.HERALD_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisHost: env.HERALD_TEST_REDIS_HOST ?? '127.0.0.1',
  };
}
