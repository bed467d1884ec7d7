/** The roles a Herald process can run (kept apart from serve.ts so the CLI parses them without loading the server). */
export const serverRoles = ['api', 'worker', 'scheduler'] as const;

/** One role: `api` serves HTTP, `worker` takes jobs, `scheduler` sweeps for due, held and stuck posts. */
export type ServerRole = (typeof serverRoles)[number];
