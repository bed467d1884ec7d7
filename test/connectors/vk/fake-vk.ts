/**
 * A fake VK on 127.0.0.1: the API methods the connector uses (POST /method/<name>), the photo upload
 * server (POST /upload/wall) and VK ID's token endpoint (POST /id/oauth2/auth). Every answer is built
 * from the fixture files in test/fixtures/vk (each names the dev.vk.com / id.vk.com page it follows),
 * with ids and texts filled in from the fake's state.
 *
 * It is strict: a method it does not implement, a GET, a request without `v=5.199`, an access token in
 * the URL, or an unknown path is recorded in `unexpected` (tests assert it stays empty) and refused.
 * State: walls with posts and comments (one id counter per wall, as on VK), communities with their
 * admins, tokens (user or community, with expiry), uploads, photos, polls; `guid` de-duplicates
 * wall.post and wall.createComment as VK documents.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vk');

/** A fixture file's `body` (or another top-level key), deep-copied. */
export function fixture<T = Record<string, unknown>>(name: string, key = 'body'): T {
  const f = JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as Record<string, unknown>;
  if (typeof f.doc !== 'string' || !/^https:\/\/(dev\.vk\.com|id\.vk\.com)\//.test(f.doc)) throw new Error(`fixture ${name} does not name its doc page`);
  return structuredClone(f[key]) as T;
}

const errorMessages = fixture<Record<string, string>>('errors', 'errors');

/** One request the fake received. */
export interface RecordedRequest {
  path: string;
  httpMethod: string;
  /** API method name for /method/ calls. */
  method: string | null;
  query: Record<string, string>;
  form: Record<string, string>;
  files: Array<{ field: string; filename: string; type: string; size: number }>;
  headers: Record<string, string | string[] | undefined>;
}

interface Token {
  userId: number | null;
  groupId: number | null;
  expiresAt: number | null;
}
interface Post {
  ownerId: number;
  id: number;
  text: string;
  attachments: string[];
  guid: string | null;
  params: Record<string, string>;
  date: number;
  deleted: boolean;
  likes: number;
  reposts: number;
  views: number;
}
interface Comment {
  ownerId: number;
  postId: number;
  id: number;
  fromId: number;
  text: string;
  date: number;
  replyTo: number | null;
  parents: number[];
  guid: string | null;
}
interface Group {
  id: number;
  name: string;
  screenName: string;
  admins: Set<number>;
  members: number;
}
interface User {
  id: number;
  firstName: string;
  lastName: string;
  screenName: string;
  followers: number;
}

export interface FakeVk {
  url: string;
  apiBaseUrl: string;
  idBaseUrl: string;
  clientId: string;
  requests: RecordedRequest[];
  unexpected: string[];
  posts: Post[];
  comments: Comment[];
  polls: Array<{ id: number; ownerId: number; question: string; answers: string[]; multiple: boolean; endDate: number }>;
  uploads: Array<{ size: number; type: string; filename: string }>;
  /** API calls of one method, in order. */
  calls(method: string): RecordedRequest[];
  addUser(u: { id: number; firstName: string; lastName: string; screenName: string; followers?: number }): void;
  addGroup(g: { id: number; name: string; screenName: string; admins?: number[]; members?: number }): void;
  addUserToken(token: string, userId: number, expiresInSec?: number): void;
  addGroupToken(token: string, groupId: number): void;
  /** Makes a stored token invalid (VK then answers error 5). */
  revokeToken(token: string): void;
  /** The next `count` calls of `method` answer VK error `code`. */
  failNext(method: string, code: number, count?: number): void;
  /** The next call of `method` is carried out, then the connection hangs (the answer never comes). */
  hangNext(method: string): void;
  addComment(c: { ownerId: number; postId: number; fromId: number; text: string; replyTo?: number }): number;
  /** Registers what VK ID would issue a code for after the user agreed. */
  issueCode(p: { codeChallenge: string; redirectUri: string; deviceId: string; userId: number }): string;
  /** The refresh tokens VK ID currently accepts. */
  liveRefreshTokens(): string[];
  accessTokenLifetimeSec: number;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const b64url = (b: Buffer) => b.toString('base64url');

/** Starts the fake with the fixture user (743784474) and community (1, "apiclub") known. */
export async function startFakeVk(): Promise<FakeVk> {
  const requests: RecordedRequest[] = [];
  const unexpected: string[] = [];
  const tokens = new Map<string, Token>();
  const users = new Map<number, User>();
  const groups = new Map<number, Group>();
  const posts: Post[] = [];
  const comments: Comment[] = [];
  const polls: FakeVk['polls'] = [];
  const uploads: FakeVk['uploads'] = [];
  const uploadRefs = new Map<string, { hash: string; server: number; used: boolean }>();
  const photos = new Map<string, { ownerId: number; id: number }>();
  const counters = new Map<number, number>();
  const faults = new Map<string, number[]>();
  const hangs = new Set<string>();
  const codes = new Map<string, { codeChallenge: string; redirectUri: string; deviceId: string; userId: number; used: boolean }>();
  const refreshTokens = new Map<string, { userId: number; deviceId: string }>();
  const clientId = '51234567';
  let issued = 0;
  let pollIds = 850427341;
  let photoIds = 457239017;
  const hanging = new Set<ServerResponse>();
  let base = '';

  const nextId = (ownerId: number) => {
    const n = (counters.get(ownerId) ?? 1000) + 1;
    counters.set(ownerId, n);
    return n;
  };
  const now = () => Math.floor(Date.now() / 1000);

  const fake: FakeVk = {
    url: '',
    apiBaseUrl: '',
    idBaseUrl: '',
    clientId,
    requests,
    unexpected,
    posts,
    comments,
    polls,
    uploads,
    accessTokenLifetimeSec: 3600,
    calls: (m) => requests.filter((r) => r.method === m),
    addUser: (u) => users.set(u.id, { ...u, followers: u.followers ?? 0 }),
    addGroup: (g) => groups.set(g.id, { id: g.id, name: g.name, screenName: g.screenName, admins: new Set(g.admins ?? []), members: g.members ?? 0 }),
    addUserToken: (t, userId, expiresInSec) => tokens.set(t, { userId, groupId: null, expiresAt: expiresInSec ? Date.now() + expiresInSec * 1000 : null }),
    addGroupToken: (t, groupId) => tokens.set(t, { userId: null, groupId, expiresAt: null }),
    revokeToken: (t) => tokens.delete(t),
    failNext: (m, code, count = 1) => faults.set(m, [...(faults.get(m) ?? []), ...Array.from({ length: count }, () => code)]),
    hangNext: (m) => hangs.add(m),
    addComment: (c) => {
      const id = nextId(c.ownerId);
      const parent = c.replyTo ? comments.find((x) => x.id === c.replyTo && x.ownerId === c.ownerId) : undefined;
      comments.push({ ownerId: c.ownerId, postId: c.postId, id, fromId: c.fromId, text: c.text, date: now(), replyTo: c.replyTo ?? null, parents: parent ? [...parent.parents, parent.id] : [], guid: null });
      return id;
    },
    issueCode: (p) => {
      const code = `code-${randomBytes(8).toString('hex')}`;
      codes.set(code, { ...p, used: false });
      return code;
    },
    liveRefreshTokens: () => [...refreshTokens.keys()],
    close: async () => {
      for (const r of hanging) r.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  // The fixture's user and community.
  const fu = fixture<{ response: Array<{ id: number; first_name: string; last_name: string; screen_name: string; followers_count: number }> }>('users.get').response[0]!;
  fake.addUser({ id: fu.id, firstName: fu.first_name, lastName: fu.last_name, screenName: fu.screen_name, followers: fu.followers_count });
  fake.addUser({ id: 2, firstName: 'Alexandra', lastName: 'Vladimirova', screenName: 'alexa' });
  const fg = fixture<{ response: { groups: Array<{ id: number; name: string; screen_name: string; members_count: number }> } }>('groups.getById').response.groups[0]!;
  fake.addGroup({ id: fg.id, name: fg.name, screenName: fg.screen_name, admins: [fu.id], members: fg.members_count });

  const userObject = (u: User) => {
    const tpl = fixture<{ response: Array<Record<string, unknown>> }>('users.get').response[0]!;
    return { ...tpl, id: u.id, first_name: u.firstName, last_name: u.lastName, screen_name: u.screenName, followers_count: u.followers };
  };
  const groupObject = (g: Group, token: Token) => {
    const tpl = fixture<{ response: { groups: Array<Record<string, unknown>> } }>('groups.getById').response.groups[0]!;
    const o: Record<string, unknown> = { ...tpl, id: g.id, name: g.name, screen_name: g.screenName, members_count: g.members };
    if (token.userId !== null) {
      const admin = g.admins.has(token.userId);
      o.is_admin = admin ? 1 : 0;
      if (admin) o.admin_level = 3;
      else delete o.admin_level;
    } else {
      delete o.is_admin;
      delete o.admin_level;
    }
    return o;
  };
  const postObject = (p: Post) => {
    const tpl = fixture<{ response: { items: Array<Record<string, unknown>> } }>('wall.getById').response.items[0]!;
    return {
      ...tpl,
      id: p.id,
      owner_id: p.ownerId,
      from_id: p.ownerId,
      date: p.date,
      text: p.text,
      comments: { ...(tpl.comments as object), count: comments.filter((c) => c.ownerId === p.ownerId && c.postId === p.id).length },
      likes: { ...(tpl.likes as object), count: p.likes },
      reposts: { ...(tpl.reposts as object), count: p.reposts },
      views: { count: p.views },
    };
  };

  class VkErr {
    constructor(
      readonly code: number,
      readonly msg?: string,
    ) {}
  }
  const need = (form: Record<string, string>, k: string): string => {
    const v = form[k];
    if (v === undefined || v === '') throw new VkErr(100, `One of the parameters specified was missing or invalid: ${k} is undefined`);
    return v;
  };
  const canWriteWall = (token: Token, ownerId: number): boolean => {
    if (token.groupId !== null) return false;
    if (ownerId > 0) return token.userId === ownerId;
    return groups.get(-ownerId)?.admins.has(token.userId!) ?? false;
  };

  const methods: Record<string, (form: Record<string, string>, token: Token) => unknown> = {
    'users.get': (form, token) => {
      const ids = form.user_ids ? form.user_ids.split(',').map(Number) : token.userId !== null ? [token.userId] : [];
      return { response: ids.map((id) => users.get(id)).filter((u): u is User => !!u).map(userObject) };
    },
    'groups.getById': (form, token) => {
      const key = form.group_id ?? form.group_ids ?? (token.groupId !== null ? String(token.groupId) : '');
      const g = /^\d+$/.test(key) ? groups.get(Number(key)) : [...groups.values()].find((x) => x.screenName === key);
      if (!g) throw new VkErr(100, 'One of the parameters specified was missing or invalid: group_ids is undefined');
      const tpl = fixture<{ response: Record<string, unknown> }>('groups.getById');
      return { ...tpl, response: { ...tpl.response, groups: [groupObject(g, token)] } };
    },
    'photos.getWallUploadServer': (form, token) => {
      if (token.groupId !== null) throw new VkErr(27);
      const tpl = fixture<{ response: Record<string, unknown> }>('photos.getWallUploadServer');
      const gid = form.group_id ? Number(form.group_id) : 0;
      if (gid && !groups.get(gid)?.admins.has(token.userId!)) throw new VkErr(203);
      return { response: { ...tpl.response, upload_url: `${base}/upload/wall?mid=${token.userId}&gid=${gid}&rhash=${randomBytes(4).toString('hex')}`, user_id: token.userId } };
    },
    'photos.saveWallPhoto': (form, token) => {
      const photo = need(form, 'photo');
      const ref = uploadRefs.get(photo);
      if (!ref || ref.hash !== form.hash || String(ref.server) !== form.server) throw new VkErr(100, 'One of the parameters specified was missing or invalid: photo, server or hash is wrong');
      if (ref.used) throw new VkErr(100, 'One of the parameters specified was missing or invalid: this upload was already saved');
      ref.used = true;
      const ownerId = form.group_id ? -Number(form.group_id) : token.userId!;
      const id = ++photoIds;
      photos.set(`photo${ownerId}_${id}`, { ownerId, id });
      const tpl = fixture<{ response: Array<Record<string, unknown>> }>('photos.saveWallPhoto');
      return { response: [{ ...tpl.response[0], id, owner_id: ownerId, text: form.caption ?? '', user_id: ownerId < 0 ? 100 : undefined }] };
    },
    'polls.create': (form, token) => {
      if (token.groupId !== null) throw new VkErr(27);
      const answers = JSON.parse(form.add_answers ?? '[]') as unknown;
      if (!Array.isArray(answers) || answers.length < 1 || answers.length > 10) throw new VkErr(100, 'One of the parameters specified was missing or invalid: add_answers');
      const ownerId = form.owner_id ? Number(form.owner_id) : token.userId!;
      const id = ++pollIds;
      const multiple = form.is_multiple === '1';
      const endDate = form.end_date ? Number(form.end_date) : 0;
      polls.push({ id, ownerId, question: form.question ?? '', answers: answers as string[], multiple, endDate });
      const tpl = fixture<{ response: Record<string, unknown> }>('polls.create');
      return {
        response: {
          ...tpl.response,
          id,
          owner_id: ownerId,
          question: form.question ?? '',
          multiple,
          end_date: endDate,
          answers: (answers as string[]).map((text, i) => ({ id: 2853164451 + i, rate: 0, text, votes: 0 })),
          created: now(),
        },
      };
    },
    'wall.post': (form, token) => {
      if (token.groupId !== null) throw new VkErr(27);
      const ownerId = Number(form.owner_id ?? token.userId);
      if (!canWriteWall(token, ownerId)) throw new VkErr(214);
      const attachments = form.attachments ? form.attachments.split(',') : [];
      if (!form.message && attachments.length === 0) throw new VkErr(100, 'One of the parameters specified was missing or invalid: message is empty');
      for (const a of attachments) {
        if (a.startsWith('photo') && !photos.has(a)) throw new VkErr(100, `One of the parameters specified was missing or invalid: attachments (${a})`);
        if (a.startsWith('poll') && !polls.some((p) => `poll${p.ownerId}_${p.id}` === a)) throw new VkErr(100, `One of the parameters specified was missing or invalid: attachments (${a})`);
      }
      if (attachments.filter((a) => /^https?:/.test(a)).length > 1) throw new VkErr(100, 'One of the parameters specified was missing or invalid: more than one link');
      const guid = form.guid ?? null;
      const existing = guid ? posts.find((p) => p.ownerId === ownerId && p.guid === guid) : undefined;
      if (existing) return { response: { post_id: existing.id } };
      const p: Post = { ownerId, id: nextId(ownerId), text: form.message ?? '', attachments, guid, params: form, date: now(), deleted: false, likes: 0, reposts: 0, views: 0 };
      posts.push(p);
      return { ...fixture<Record<string, unknown>>('wall.post'), response: { post_id: p.id } };
    },
    'wall.delete': (form, token) => {
      const ownerId = Number(need(form, 'owner_id'));
      const p = posts.find((x) => x.ownerId === ownerId && x.id === Number(form.post_id) && !x.deleted);
      if (!p) throw new VkErr(104);
      if (!canWriteWall(token, ownerId)) throw new VkErr(15);
      p.deleted = true;
      return fixture('wall.delete');
    },
    'wall.getById': (form) => {
      const ids = need(form, 'posts').split(',');
      const items = ids.map((k) => posts.find((p) => `${p.ownerId}_${p.id}` === k && !p.deleted)).filter((p): p is Post => !!p).map(postObject);
      return { response: { items } };
    },
    'wall.get': (form, token) => {
      const ownerId = Number(form.owner_id ?? token.userId);
      const count = Math.min(Number(form.count ?? 20), 100);
      const all = posts.filter((p) => p.ownerId === ownerId && !p.deleted).sort((a, b) => b.id - a.id);
      return { response: { ...fixture<{ response: object }>('wall.get').response, count: all.length, items: all.slice(Number(form.offset ?? 0), Number(form.offset ?? 0) + count).map(postObject) } };
    },
    'wall.getComments': (form) => {
      const ownerId = Number(need(form, 'owner_id'));
      const postId = Number(need(form, 'post_id'));
      if (!posts.some((p) => p.ownerId === ownerId && p.id === postId && !p.deleted)) throw new VkErr(100, 'One of the parameters specified was missing or invalid: post_id');
      const tpl = fixture<{ response: { items: Array<Record<string, unknown>>; profiles: unknown[] } }>('wall.getComments').response;
      const top = comments.filter((c) => c.ownerId === ownerId && c.postId === postId && c.replyTo === null).sort((a, b) => (form.sort === 'desc' ? b.id - a.id : a.id - b.id));
      const offset = Number(form.offset ?? 0);
      const page = top.slice(offset, offset + Math.min(Number(form.count ?? 10), 100));
      const threadN = Number(form.thread_items_count ?? 0);
      const itemTpl = tpl.items[0]!;
      const shape = (c: Comment) => ({ id: c.id, from_id: c.fromId, post_id: c.postId, owner_id: c.ownerId, parents_stack: c.parents, date: c.date, text: c.text, ...(c.replyTo ? { reply_to_comment: c.replyTo, reply_to_user: comments.find((x) => x.id === c.replyTo)?.fromId } : {}) });
      const items = page.map((c) => {
        const replies = comments.filter((x) => x.ownerId === ownerId && x.postId === postId && x.parents[0] === c.id).sort((a, b) => a.id - b.id);
        return { ...shape(c), likes: itemTpl.likes, thread: { ...(itemTpl.thread as object), count: replies.length, items: replies.slice(0, threadN).map(shape) } };
      });
      const authorIds = new Set<number>();
      for (const it of items) {
        authorIds.add(it.from_id);
        for (const t of it.thread.items) authorIds.add(t.from_id);
      }
      const profiles = form.extended === '1' ? [...authorIds].filter((i) => i > 0).map((i) => users.get(i)).filter((u): u is User => !!u).map(userObject) : undefined;
      const groupsOut = form.extended === '1' ? [...authorIds].filter((i) => i < 0).map((i) => groups.get(-i)).filter((g): g is Group => !!g).map((g) => ({ id: g.id, name: g.name, screen_name: g.screenName })) : undefined;
      return { response: { ...tpl, count: top.length, current_level_count: top.length, items, profiles, groups: groupsOut } };
    },
    'wall.createComment': (form, token) => {
      const ownerId = Number(need(form, 'owner_id'));
      const postId = Number(need(form, 'post_id'));
      if (!posts.some((p) => p.ownerId === ownerId && p.id === postId && !p.deleted)) throw new VkErr(100, 'One of the parameters specified was missing or invalid: post_id');
      const guid = form.guid ?? null;
      const dup = guid ? comments.find((c) => c.ownerId === ownerId && c.guid === guid) : undefined;
      if (dup) return { response: { comment_id: dup.id, parents_stack: dup.parents } };
      const replyTo = form.reply_to_comment ? Number(form.reply_to_comment) : undefined;
      const fromId = form.from_group ? -Number(form.from_group) : (token.userId ?? -(token.groupId ?? 0));
      const id = fake.addComment({ ownerId, postId, fromId, text: form.message ?? '', replyTo });
      const c = comments.find((x) => x.id === id && x.ownerId === ownerId)!;
      c.guid = guid;
      return { ...fixture<Record<string, unknown>>('wall.createComment'), response: { comment_id: id, parents_stack: c.parents } };
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const vkError = (code: number, msg: string | undefined, method: string, form: Record<string, string>) => {
    const error: Record<string, unknown> = {
      error_code: code,
      error_msg: msg ?? errorMessages[String(code)] ?? 'Unknown error occurred',
      request_params: [
        { key: 'method', value: method },
        { key: 'oauth', value: '1' },
        ...Object.entries(form)
          .filter(([k]) => k !== 'access_token')
          .map(([key, value]) => ({ key, value })),
      ],
    };
    if (code === 14) Object.assign(error, { captcha_sid: '123456789012', captcha_img: 'https://api.vk.com/captcha.php?sid=123456789012&s=1' });
    return { error };
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', base);
    const raw = await readBody(req);
    const ct = String(req.headers['content-type'] ?? '');
    const form: Record<string, string> = {};
    const files: RecordedRequest['files'] = [];
    const fileData: Buffer[] = [];
    if (raw.length && (ct.startsWith('application/x-www-form-urlencoded') || ct.startsWith('multipart/form-data'))) {
      const fd = await new Response(new Uint8Array(raw), { headers: { 'content-type': ct } }).formData();
      for (const [k, v] of fd.entries()) {
        if (typeof v === 'string') form[k] = v;
        else {
          files.push({ field: k, filename: v.name, type: v.type, size: v.size });
          fileData.push(Buffer.from(await v.arrayBuffer()));
        }
      }
    }
    const apiMethod = url.pathname.startsWith('/method/') ? url.pathname.slice('/method/'.length) : null;
    const rec: RecordedRequest = { path: url.pathname, httpMethod: req.method ?? '', method: apiMethod, query: Object.fromEntries(url.searchParams), form, files, headers: req.headers };
    requests.push(rec);
    const refuse = (why: string, status = 400) => {
      unexpected.push(`${req.method} ${url.pathname}: ${why}`);
      send(res, status, { error: { error_code: 8, error_msg: `Invalid request: ${why}` } });
    };

    if (apiMethod !== null) {
      if (req.method !== 'POST') return refuse('API calls must be POST (parameters and token in the body)');
      if (url.search) return refuse(`query string on an API call (${[...url.searchParams.keys()].join(',')})`);
      if (!ct.startsWith('application/x-www-form-urlencoded')) return refuse(`content-type ${ct}`);
      if (form.v !== '5.199') return refuse(`API version ${form.v ?? '(none)'}, expected 5.199`);
      const impl = methods[apiMethod];
      if (!impl) {
        unexpected.push(`POST /method/${apiMethod}: method the fake does not expect`);
        return send(res, 200, vkError(3, 'Unknown method passed', apiMethod, form));
      }
      const token = form.access_token ? tokens.get(form.access_token) : undefined;
      if (!token || (token.expiresAt !== null && token.expiresAt < Date.now())) return send(res, 200, vkError(5, undefined, apiMethod, form));
      const queued = faults.get(apiMethod);
      if (queued?.length) return send(res, 200, vkError(queued.shift()!, undefined, apiMethod, form));
      let answer: unknown;
      try {
        answer = impl(form, token);
      } catch (e) {
        if (e instanceof VkErr) return send(res, 200, vkError(e.code, e.msg, apiMethod, form));
        throw e;
      }
      if (hangs.delete(apiMethod)) {
        hanging.add(res);
        return;
      }
      return send(res, 200, answer);
    }

    if (url.pathname === '/upload/wall') {
      if (req.method !== 'POST' || !ct.startsWith('multipart/form-data')) return refuse('uploads must be POST multipart/form-data');
      const tpl = fixture<{ server: number; photo: string; hash: string }>('upload.wall-photo');
      const file = files.find((f) => f.field === 'photo');
      if (!file || !/^image\/(jpeg|png|gif)$/.test(file.type) || file.size === 0) return send(res, 200, { ...tpl, photo: '[]' });
      uploads.push({ size: file.size, type: file.type, filename: file.filename });
      const photo = tpl.photo.replace('6a3e1c1f5b', createHash('sha1').update(fileData[files.indexOf(file)]!).digest('hex').slice(0, 10) + randomBytes(3).toString('hex'));
      const hash = randomBytes(16).toString('hex');
      uploadRefs.set(photo, { hash, server: tpl.server, used: false });
      return send(res, 200, { server: tpl.server, photo, hash });
    }

    if (url.pathname === '/id/oauth2/auth') {
      if (req.method !== 'POST' || !ct.startsWith('application/x-www-form-urlencoded')) return refuse('token requests must be POST form-urlencoded');
      if (url.search) return refuse('query string on the token endpoint');
      const fx = (k: string) => fixture<Record<string, unknown>>('vkid.oauth2-auth', k);
      const fail = () => send(res, 400, { ...fx('error'), state: form.state ?? '' });
      if (form.client_id !== clientId || !form.state || !form.device_id) return fail();
      const issue = (userId: number, deviceId: string, kind: 'authorization_code' | 'refresh_token') => {
        issued++;
        const access = `vk2.a.ACCESS-${issued}-${randomBytes(6).toString('hex')}`;
        const refresh = `vk2.a.REFRESH-${issued}-${randomBytes(6).toString('hex')}`;
        tokens.set(access, { userId, groupId: null, expiresAt: Date.now() + fake.accessTokenLifetimeSec * 1000 });
        refreshTokens.set(refresh, { userId, deviceId });
        return { ...fx(kind), access_token: access, refresh_token: refresh, expires_in: fake.accessTokenLifetimeSec, user_id: userId, state: form.state };
      };
      if (form.grant_type === 'authorization_code') {
        const c = codes.get(form.code ?? '');
        if (!c || c.used || c.redirectUri !== form.redirect_uri || c.deviceId !== form.device_id || !form.code_verifier) return fail();
        if (b64url(createHash('sha256').update(form.code_verifier).digest()) !== c.codeChallenge) return fail();
        c.used = true;
        return send(res, 200, issue(c.userId, c.deviceId, 'authorization_code'));
      }
      if (form.grant_type === 'refresh_token') {
        const r = refreshTokens.get(form.refresh_token ?? '');
        if (!r || r.deviceId !== form.device_id) return fail();
        // Refresh tokens are single-use: the old one stops working.
        refreshTokens.delete(form.refresh_token!);
        return send(res, 200, issue(r.userId, r.deviceId, 'refresh_token'));
      }
      return refuse(`grant_type ${form.grant_type}`);
    }

    return refuse('unknown path', 404);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      unexpected.push(`${req.method} ${req.url}: fake crashed: ${e instanceof Error ? e.stack : String(e)}`);
      if (!res.headersSent) send(res, 500, { error: 'fake crashed' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = base;
  fake.apiBaseUrl = `${base}/method`;
  fake.idBaseUrl = `${base}/id`;
  return fake;
}
