/**
 * OK's `publicData` capability: public groups, read with the operator's OK application and no user
 * session (a session-less call is signed with the application secret key itself,
 * https://apiok.ru/en/dev/methods "Calculating request signature").
 *
 * What is honestly possible with OK's documented public methods:
 *  - `url.getInfo` (https://apiok.ru/en/dev/methods/rest/url/url.getInfo; "session is optional", except
 *    for External applications) turns a group address such as https://ok.ru/heraldtest into its id;
 *  - `group.getInfo` (https://apiok.ru/dev/methods/rest/group/group.getInfo; "session not required")
 *    with `fields=uid,name,shortname,members_count` gives the name and the member count.
 *
 * No documented OK method lists a group's topics to an application without a session of one of the
 * group's administrators (the OK connector found the same for its own groups), so Herald collects
 * followers over time for OK competitors and no posts: posting frequency, ER, top posts, content mix,
 * hashtags and posting hours stay empty for them, and the docs say so.
 */
import { ConnectorError, type PublicAccount, type PublicDataCapability, type PublicDataContext } from '../connector';
import { OkApiError, okPost, toConnectorError } from './ok-api';
import { okSign } from './ok-signature';

/** Options of the public reader (the operator's OK application). */
export interface OkPublicOptions {
  apiBaseUrl: string;
  applicationKey: string;
  applicationSecretKey: string;
  requestTimeoutMs?: number;
}

interface OkGroup {
  uid?: unknown;
  name?: unknown;
  shortname?: unknown;
  members_count?: unknown;
}

/** A group a person pasted: `{ id }` for `https://ok.ru/group/123…` or digits, `{ address }` for `ok.ru/<shortname>`; null otherwise. */
export function okGroupFrom(query: string): { id: string } | { address: string } | null {
  const v = query.trim().replace(/^@/, '');
  const link = /^(?:https?:\/\/)?(?:www\.|m\.)?ok\.ru\/(?:group\/?(\d{5,20})|([A-Za-z0-9_.]{2,64}))\/?(?:[?#].*)?$/i.exec(v);
  if (link?.[1]) return { id: link[1] };
  if (link?.[2]) {
    // A person's page (ok.ru/profile/…) is not a group; the bare path is resolved by url.getInfo.
    if (/^(?:profile|group|dk|feed|video|music|game|games|app)$/i.test(link[2])) return null;
    return { address: `https://ok.ru/${link[2]}` };
  }
  if (/^\d{5,20}$/.test(v)) return { id: v };
  return /^[A-Za-z0-9_.]{2,64}$/.test(v) ? { address: `https://ok.ru/${v}` } : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** Builds the capability. */
export function createOkPublicData(options: OkPublicOptions): PublicDataCapability {
  const timeoutMs = options.requestTimeoutMs ?? 15_000;

  /** A signed call without a session: sig = md5(sorted params + application secret key), no access_token. */
  async function call<T>(ctx: PublicDataContext, method: string, params: Record<string, string>, what: string): Promise<T> {
    const signed: Record<string, string> = { ...params, application_key: options.applicationKey, format: 'json', method };
    const form = new URLSearchParams(signed);
    form.set('sig', okSign(signed, options.applicationSecretKey));
    return okPost<T>(ctx, options.apiBaseUrl, method, form, { write: false, timeoutMs, what });
  }

  const refused = (e: unknown, what: string): ConnectorError => {
    // The operator's application keys, not a person's sign-in: reconnecting an account would not help.
    if (e instanceof OkApiError && [101, 103, 104, 105].includes(e.code)) {
      return new ConnectorError('retryable', `OK did not accept Herald's application keys (HERALD_OK_APPLICATION_KEY / HERALD_OK_APPLICATION_SECRET) while trying to ${what} (error ${e.code}${e.okMessage ? `: ${e.okMessage}` : ''}); the operator must check them`, { networkCode: String(e.code) });
    }
    return toConnectorError(e, what, false);
  };

  return {
    async lookup(input, ctx): Promise<PublicAccount> {
      const target = okGroupFrom(input.query);
      if (!target) throw new ConnectorError('invalid_content', `"${input.query}" is not an OK group: use its address such as https://ok.ru/group/54104453840996 or https://ok.ru/<short name>`);
      let id: string;
      if ('id' in target) {
        id = target.id;
      } else {
        let info: { objectId?: unknown; objectIdStr?: unknown; type?: unknown };
        try {
          info = await call(ctx, 'url.getInfo', { url: target.address }, 'resolve the group address');
        } catch (e) {
          if (e instanceof OkApiError && (e.code === 100 || e.code === 300)) throw new ConnectorError('invalid_content', `OK knows no group at ${target.address}`, { networkCode: String(e.code) });
          throw refused(e, 'resolve the group address');
        }
        const found = str(info.objectIdStr) ?? str(info.objectId);
        if (!found || String(info.type ?? '').toUpperCase() !== 'GROUP') throw new ConnectorError('invalid_content', `${target.address} is not an OK group${typeof info.type === 'string' && info.type ? ` (OK says it is a ${info.type.toLowerCase()})` : ''}`);
        id = found;
      }
      let groups: OkGroup[];
      try {
        const r = await call<{ groups?: OkGroup[] } | OkGroup[]>(ctx, 'group.getInfo', { uids: id, fields: 'uid,name,shortname,members_count' }, 'read the group');
        groups = Array.isArray(r) ? r : (r.groups ?? []);
      } catch (e) {
        if (e instanceof OkApiError && (e.code === 100 || e.code === 300)) throw new ConnectorError('invalid_content', `No OK group ${id} was found`, { networkCode: String(e.code) });
        throw refused(e, 'read the group');
      }
      const g = groups.find((x) => str(x.uid) === id);
      if (!g) throw new ConnectorError('invalid_content', `No OK group ${id} was found`);
      const shortname = str(g.shortname);
      return {
        externalId: id,
        handle: shortname ?? id,
        displayName: typeof g.name === 'string' && g.name.trim() ? g.name.trim() : null,
        followers: typeof g.members_count === 'number' && Number.isFinite(g.members_count) && g.members_count >= 0 ? Math.trunc(g.members_count) : null,
        serviceUrl: null,
        url: shortname ? `https://ok.ru/${shortname}` : `https://ok.ru/group/${id}`,
      };
    },

    async posts(): Promise<[]> {
      // See the header: no documented session-less method lists a group's topics.
      return [];
    },
  };
}
