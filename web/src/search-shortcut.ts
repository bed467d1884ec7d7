/**
 * The `/` shortcut: focuses the posts search box, going to the Posts screen first when it is not
 * shown. The box asks {@link takeSearchFocus} on mount whether it was summoned.
 */
import { useEffect } from 'react';
import { navigate, workspacePath } from './router';

/** The id of the posts search box. */
export const SEARCH_INPUT_ID = 'post-search';

let pending = false;

/** True once after `/` navigated to the Posts screen: the box should take focus. */
export function takeSearchFocus(): boolean {
  const was = pending;
  pending = false;
  return was;
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** `/` anywhere outside a field focuses the posts search of the workspace. */
export function useSearchShortcut(workspaceId: string | null): void {
  useEffect(() => {
    if (!workspaceId) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey || e.repeat || isTyping(e.target)) return;
      e.preventDefault();
      const box = document.getElementById(SEARCH_INPUT_ID);
      if (box) {
        box.focus();
        return;
      }
      pending = true;
      navigate(workspacePath(workspaceId, 'posts'));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [workspaceId]);
}
