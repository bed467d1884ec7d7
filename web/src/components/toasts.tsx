/**
 * Toasts for results that happen in the background: a post published or failed, an account that
 * needs reconnecting. The shell polls the API (only while the page is visible); the first poll only
 * learns what is already there, so opening the app does not replay old news. The region is a polite
 * live region, so screen readers hear each new toast once; failures stay until dismissed.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { unwrap } from '../api/client';
import { useApi } from '../api/context';
import type { Workspace } from '../api/types';

/** One toast. */
export interface Toast {
  id: string;
  kind: 'ok' | 'error' | 'warn';
  text: string;
}

/** Milliseconds a success stays on screen. */
const OK_TOAST_MS = 8000;
/** How far back a post's scheduled time may lie for its result to be news. */
const RECENT_MS = 6 * 3600_000;

const short = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The polite live region with the toasts and their dismiss buttons. */
export function ToastRegion({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: string) => void }) {
  const { t } = useTranslation();
  return (
    <div className="toasts" role="region" aria-label={t('toasts.region')}>
      <ul className="toast-list" aria-live="polite" aria-relevant="additions text">
        {toasts.map((toast) => (
          <li key={toast.id} className={`toast toast-${toast.kind}`}>
            <span className="toast-text">{toast.text}</span>
            <button type="button" className="toast-dismiss" aria-label={t('toasts.dismiss')} onClick={() => onDismiss(toast.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Polls every `intervalMs` for newly published or failed targets and newly troubled accounts of the
 * workspace, and renders them as toasts.
 */
export function BackgroundToasts({ workspace, intervalMs = 20_000 }: { workspace: Workspace; intervalMs?: number }) {
  const { t } = useTranslation();
  const { client } = useApi();
  const [toasts, setToasts] = useState<Toast[]>([]);
  const seen = useRef<Set<string> | null>(null);
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: string) => {
    setToasts((all) => all.filter((x) => x.id !== id));
    const timer = timers.current.get(id);
    if (timer) clearTimeout(timer);
    timers.current.delete(id);
  }, []);

  useEffect(() => {
    let stopped = false;
    seen.current = null;
    const ws = client.api.v1.workspaces[':workspaceId'];
    const param = { workspaceId: workspace.id };

    const poll = async () => {
      if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
      try {
        // Lists run oldest first: look only at posts due within the last hours, which is where
        // fresh results are (a retry that succeeds later than that goes unannounced).
        const from = new Date(Date.now() - RECENT_MS).toISOString();
        const [published, failed, accounts] = await Promise.all([
          unwrap(ws.posts.$get({ param, query: { state: 'published', from, limit: '200' } })),
          unwrap(ws.posts.$get({ param, query: { state: 'failed', from, limit: '200' } })),
          unwrap(ws.accounts.$get({ param })),
        ]);
        if (stopped) return;
        const handle = (id: string) => accounts.items.find((a) => a.id === id)?.handle ?? '?';
        const found: Array<{ key: string; toast: Omit<Toast, 'id'> }> = [];
        for (const post of [...published.items, ...failed.items]) {
          for (const target of post.targets) {
            if (target.state === 'published') found.push({ key: `${target.id}:published`, toast: { kind: 'ok', text: t('toasts.published', { handle: handle(target.accountId), text: short(target.text) }) } });
            if (target.state === 'failed') found.push({ key: `${target.id}:failed`, toast: { kind: 'error', text: t('toasts.failed', { handle: handle(target.accountId), error: target.error?.message ?? '' }) } });
          }
        }
        for (const a of accounts.items) {
          if (a.status !== 'ok') found.push({ key: `${a.id}:${a.status}:${a.updatedAt}`, toast: { kind: 'warn', text: t('toasts.needsReconnect', { handle: a.handle }) } });
        }
        const first = seen.current === null;
        const known = seen.current ?? new Set<string>();
        const fresh = found.filter((f) => !known.has(f.key));
        for (const f of found) known.add(f.key);
        seen.current = known;
        if (first || fresh.length === 0) return;
        const added = fresh.map((f) => ({ ...f.toast, id: f.key }));
        setToasts((all) => [...all, ...added].slice(-5));
        for (const toast of added) {
          if (toast.kind === 'ok') timers.current.set(toast.id, setTimeout(() => dismiss(toast.id), OK_TOAST_MS));
        }
      } catch {
        // A missed poll is harmless: the next one catches up.
      }
    };

    void poll();
    const timer = setInterval(() => void poll(), intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && void poll();
    document.addEventListener('visibilitychange', onVisible);
    const pending = timers.current;
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      for (const x of pending.values()) clearTimeout(x);
      pending.clear();
    };
  }, [client, workspace.id, intervalMs, t, dismiss]);

  return <ToastRegion toasts={toasts} onDismiss={dismiss} />;
}
