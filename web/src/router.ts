/**
 * A very small History-API router: the app has a handful of screens, and a router library would cost
 * more bytes than these few lines. The server answers index.html for every non-API path.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener('popstate', listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('popstate', listener);
  };
}

/** Goes to `path` (adds a history entry, or replaces the current one). */
export function navigate(path: string, opts: { replace?: boolean } = {}): void {
  if (path === window.location.pathname) return;
  if (opts.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  for (const l of listeners) l();
}

/** The current path; re-renders on navigation. */
export function usePath(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname, () => '/');
}

/** A matched workspace route: `/w/<workspaceId>/<screen>`. */
export interface WorkspaceRoute {
  workspaceId: string;
  screen: string;
}

/** Parses `/w/<id>/<screen>`; null for anything else. */
export function matchWorkspaceRoute(path: string): WorkspaceRoute | null {
  const m = /^\/w\/([^/]+)(?:\/([^/]*))?\/?$/.exec(path);
  if (!m?.[1]) return null;
  return { workspaceId: decodeURIComponent(m[1]), screen: m[2] || '' };
}

/** Path of a workspace screen. */
export function workspacePath(workspaceId: string, screen: string): string {
  return `/w/${encodeURIComponent(workspaceId)}/${screen}`;
}
