/**
 * OK's publicData capability (public groups, the operator's application, no session) at the HTTP
 * level: a local fake of fb.do checks every call like OK documents for session-less calls (application
 * key, no access_token, sig = md5(sorted params + application secret key)) and answers with the
 * doc-shaped fixtures in test/fixtures/ok-public and test/fixtures/ok. Any other request fails the test.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { PublicDataContext } from '../../../src/connectors/connector';
import { createOkPublicData, okGroupFrom } from '../../../src/connectors/ok/ok-public';
import { createOkConnector } from '../../../src/connectors/ok/ok.connector';
import { loopbackOnlyFetch } from '../../support/test-app';
import { okErrorBody, okFixture } from './ok-fake-api';
import { useLoopbackServer } from '../../support/loopback-server';

const pub = <T>(name: string): T => JSON.parse(readFileSync(new URL(`../../fixtures/ok-public/${name}`, import.meta.url), 'utf8')) as T;
const APP_KEY = 'CBAFJIICABABABABA';
const APP_SECRET = 'app-secret-0123456789abcdef';
const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

type Handler = (params: Record<string, string>) => unknown;
let base = '';
let handlers: Record<string, Handler> = {};
const seen: Array<Record<string, string>> = [];
const unexpected: string[] = [];

useLoopbackServer(
  (req, res, body) => {
    const params = Object.fromEntries(new URLSearchParams(body));
    seen.push(params);
    const json = (body: unknown, headers: Record<string, string> = {}) => res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    const { sig, ...rest } = params;
    const base = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('');
    const h = req.method === 'POST' && req.url === '/fb.do' ? handlers[params.method ?? ''] : undefined;
    if (!h || 'access_token' in params || 'session_key' in params || params.application_key !== APP_KEY || params.format !== 'json') {
      unexpected.push(`${req.method} ${req.url} ${JSON.stringify(params)}`);
      res.writeHead(500).end('{}');
      return;
    }
    if (sig !== md5(base + APP_SECRET)) {
      json(okErrorBody(104), { 'invocation-error': '104' });
      return;
    }
    const answer = h(params);
    if (answer && typeof answer === 'object' && 'error_code' in answer) json(answer, { 'invocation-error': String((answer as { error_code: number }).error_code) });
    else json(answer);
  },
  (url) => (base = `${url}/fb.do`),
);
afterEach(() => {
  expect(unexpected).toEqual([]);
  seen.length = 0;
  unexpected.length = 0;
});

const ctx: PublicDataContext = { fetch: loopbackOnlyFetch };
const ok = (secret = APP_SECRET) => createOkPublicData({ apiBaseUrl: base, applicationKey: APP_KEY, applicationSecretKey: secret, requestTimeoutMs: 2_000 });
const groupInfo = () => okFixture('group-getInfo');

describe('okGroupFrom', () => {
  it.each([
    ['https://ok.ru/group/54104453840996', { id: '54104453840996' }],
    ['ok.ru/group54104453840996', { id: '54104453840996' }],
    ['54104453840996', { id: '54104453840996' }],
    ['https://ok.ru/heraldtest', { address: 'https://ok.ru/heraldtest' }],
    ['@heraldtest', { address: 'https://ok.ru/heraldtest' }],
  ])('%s', (q, v) => expect(okGroupFrom(q)).toEqual(v));
  it.each(['https://ok.ru/profile/571298706583', 'https://example.com/heraldtest', 'not a group!'])('rejects %j', (q) => expect(okGroupFrom(q)).toBeNull());
});

describe('lookup', () => {
  it('a group link reads group.getInfo session-less: name, short name and members_count', async () => {
    handlers = { 'group.getInfo': groupInfo };
    const a = await ok().lookup({ query: 'https://ok.ru/group/54104453840996' }, ctx);
    expect(a).toEqual({ externalId: '54104453840996', handle: 'heraldtest', displayName: 'Herald test group', followers: 1284, serviceUrl: null, url: 'https://ok.ru/heraldtest' });
    expect(seen).toHaveLength(1);
    const { sig, ...params } = seen[0]!;
    expect(params).toEqual({ uids: '54104453840996', fields: 'uid,name,shortname,members_count', application_key: APP_KEY, format: 'json', method: 'group.getInfo' });
    expect(sig).toMatch(/^[0-9a-f]{32}$/);
  });

  it('a short-name address is resolved with url.getInfo first', async () => {
    handlers = { 'url.getInfo': () => pub('url-getInfo-group.json'), 'group.getInfo': groupInfo };
    const a = await ok().lookup({ query: 'https://ok.ru/heraldtest' }, ctx);
    expect(a.externalId).toBe('54104453840996');
    expect(seen.map((s) => [s.method, s.url ?? s.uids])).toEqual([
      ['url.getInfo', 'https://ok.ru/heraldtest'],
      ['group.getInfo', '54104453840996'],
    ]);
  });

  it('a person\'s address is invalid_content in words', async () => {
    handlers = { 'url.getInfo': () => pub('url-getInfo-user.json') };
    await expect(ok().lookup({ query: 'https://ok.ru/someperson' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message: 'https://ok.ru/someperson is not an OK group (OK says it is a user)' });
  });

  it('an unknown group (no row, or error 300) is invalid_content', async () => {
    handlers = { 'group.getInfo': () => ({ groups: [] }) };
    await expect(ok().lookup({ query: '70000000000001' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message: 'No OK group 70000000000001 was found' });
    handlers = { 'url.getInfo': () => okErrorBody(300) };
    await expect(ok().lookup({ query: 'https://ok.ru/nosuchgroup' }, ctx)).rejects.toMatchObject({ kind: 'invalid_content', message: 'OK knows no group at https://ok.ru/nosuchgroup' });
  });

  it('wrong application keys (OK refuses the signature) say the operator must check them, not a person', async () => {
    handlers = { 'group.getInfo': groupInfo };
    const e = await ok('a-different-secret').lookup({ query: '54104453840996' }, ctx).catch((x: unknown) => x);
    expect(e).toMatchObject({ kind: 'retryable', opts: { networkCode: '104' } });
    expect((e as Error).message).toContain('HERALD_OK_APPLICATION_SECRET');
  });

  it('rate limits follow the OK error table', async () => {
    handlers = { 'group.getInfo': () => okErrorBody(8) };
    await expect(ok().lookup({ query: '54104453840996' }, ctx)).rejects.toMatchObject({ kind: 'rate_limited' });
  });
});

describe('posts', () => {
  it('no documented session-less method lists a group\'s topics: no request, no posts', async () => {
    handlers = {};
    expect(await ok().posts({ account: { externalId: '54104453840996', handle: 'heraldtest', serviceUrl: null }, limit: 100 }, ctx)).toEqual([]);
    expect(seen).toEqual([]);
  });
});

describe('the connector', () => {
  it('has publicData only when the operator configured the application key and secret', () => {
    expect(createOkConnector({ apiBaseUrl: base }).publicData).toBeUndefined();
    expect(createOkConnector({ apiBaseUrl: base, applicationKey: APP_KEY }).publicData).toBeUndefined();
    expect(createOkConnector({ apiBaseUrl: base, applicationKey: APP_KEY, applicationSecretKey: APP_SECRET }).publicData).toBeDefined();
  });
});
