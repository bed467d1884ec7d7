/**
 * What the vitest global setups provide to test files (`inject(...)`). Declared once here and imported
 * by every module that provides or injects these values, so each TypeScript project that compiles a
 * test (the server's and the web app's) sees the same keys.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the run's PostgreSQL, or null when it was unreachable (suites then skip). */
    postgresAdminUrl: string | null;
    /** Prefix of every database this run creates (dropped at the end). */
    postgresRunPrefix: string;
    /** The local PDS started for this run, or null when no selected file needs it. */
    blueskyPdsUrl: string | null;
  }
}

export {};
