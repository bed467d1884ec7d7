/**
 * The typed API client: `hc<HeraldApp>` from hono/client over the same route types the server is built
 * from, so a changed API breaks the web build instead of the browser. Cookie session + CSRF header:
 * the token comes from login/setup or GET /api/v1/me and is sent on every request.
 */
import { hc } from 'hono/client';
import type { HeraldApp } from '../../../src/http/app';

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: Array<{ path: string; code?: string; message: string }>;
}

/** A failed API call: the HTTP status and the problem document (status 0: the server was unreachable). */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }

  /** Messages per request-body field (`credentials.identifier` → "…"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) if (e.path && !(e.path in out)) out[e.path] = e.message;
    return out;
  }
}

/** Options of {@link createApi}. */
export interface ApiOptions {
  /** Origin of the API; default the page's own. */
  baseUrl?: string;
  /** Replaces the global fetch (tests). */
  fetch?: typeof fetch;
}

/** The client plus the CSRF token it sends. */
export interface Api {
  client: ReturnType<typeof hc<HeraldApp>>;
  setCsrfToken(token: string | null): void;
}

/** Creates a client for one page (one session). */
export function createApi(opts: ApiOptions = {}): Api {
  let csrf: string | null = null;
  const baseUrl = opts.baseUrl ?? window.location.origin;
  const client = hc<HeraldApp>(baseUrl, {
    fetch: opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)),
    headers: (): Record<string, string> => (csrf ? { 'x-csrf-token': csrf } : {}),
    init: { credentials: 'same-origin' },
  });
  return {
    client,
    setCsrfToken(token) {
      csrf = token;
    },
  };
}

interface AnyResponse {
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}

type OkBody<R> = R extends { ok: true; json(): Promise<infer B> } ? B : never;

/**
 * Awaits a client call and returns the success body, or throws ApiError with the problem document
 * (also for an unreachable server, as status 0).
 */
export async function unwrap<R extends AnyResponse>(call: Promise<R>): Promise<OkBody<R>> {
  let res: R;
  try {
    res = await call;
  } catch (e) {
    throw new ApiError(0, { status: 0, detail: e instanceof Error ? e.message : String(e) });
  }
  if (res.ok) {
    if (res.status === 204) return undefined as OkBody<R>;
    return (await res.json()) as OkBody<R>;
  }
  let problem: Problem = { status: res.status };
  try {
    const body = (await res.json()) as Partial<Problem>;
    problem = { ...body, status: res.status };
  } catch {
    // Not JSON (a proxy's error page): the status is all we know.
  }
  throw new ApiError(res.status, problem);
}
