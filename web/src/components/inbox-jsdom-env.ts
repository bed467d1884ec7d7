/**
 * jsdom for the inbox and listening screen tests, installed by the test itself in vitest's `node`
 * environment. Why not `@vitest-environment jsdom`: there Vite transforms every module for the
 * browser, which rewrites server code's `new URL('./resources/…', import.meta.url)` (the sentiment
 * model's lexicons) into a web path, so ingestion, listening matches and testimonials could not score
 * sentiment in process. Here the server modules load as they do in Herald, and the DOM is vitest's
 * own jsdom set-up. Import testing-library only after `installJsdom()` (its `screen` needs a document).
 */
import { builtinEnvironments } from 'vitest/environments';

/**
 * Puts a jsdom window's globals on globalThis for the rest of the test file. It is not taken down:
 * React may still finish scheduled work after the last test, and each test file runs in its own worker.
 */
export async function installJsdom(): Promise<void> {
  await builtinEnvironments.jsdom.setup(globalThis, { jsdom: { url: 'http://127.0.0.1/' } });
}
