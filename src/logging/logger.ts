/**
 * Structured JSON logging (pino). Credential-shaped fields are redacted by path so a careless
 * `log.info({ account })` can never print a password, token or session.
 */
import { pino, type Logger } from 'pino';

const redactPaths = [
  'password', '*.password', 'appPassword', '*.appPassword', 'credentials', '*.credentials',
  'session', '*.session', 'accessJwt', '*.accessJwt', 'refreshJwt', '*.refreshJwt', 'token', '*.token',
  'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization', 'headers.cookie',
  'req.headers.authorization', 'req.headers.cookie', 'secretKey', '*.secretKey',
];

export type { Logger };

/** Creates the process logger; `destination` lets tests capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    { level, base: { app: 'herald' }, redact: { paths: redactPaths, censor: '[redacted]' } },
    destination ?? process.stdout,
  );
}
