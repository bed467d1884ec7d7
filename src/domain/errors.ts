/**
 * Domain errors. Use cases throw these; the HTTP layer turns them into RFC 9457 problem documents and
 * the CLI into plain messages, so both speak the same words.
 */

/** Base class: `status` is the HTTP status the error maps to; `detail` is written for a person. */
export class DomainError extends Error {
  constructor(
    public readonly status: number,
    public readonly title: string,
    message: string,
    public readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that does not make sense (400/422). `errors` lists field problems. */
export class ValidationError extends DomainError {
  constructor(message: string, errors: Array<{ path?: string; code?: string; message: string }> = []) {
    super(422, 'Invalid input', message, { errors });
  }
}

/** Something does not exist, or exists in a workspace the actor cannot see (both look the same). */
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super(404, 'Not found', `${what} was not found`);
  }
}

/** The actor is known but may not do this. */
export class ForbiddenError extends DomainError {
  constructor(message = 'You do not have permission to do this') {
    super(403, 'Forbidden', message);
  }
}

/** No or bad credentials. */
export class UnauthorizedError extends DomainError {
  constructor(message = 'Sign in or send a valid API token') {
    super(401, 'Unauthorized', message);
  }
}

/** The request conflicts with the current state (e.g. editing a published post). */
export class ConflictError extends DomainError {
  constructor(message: string, extra: Record<string, unknown> = {}) {
    super(409, 'Conflict', message, extra);
  }
}

/** Too many attempts; `retryAfterSeconds` is sent as Retry-After. */
export class TooManyRequestsError extends DomainError {
  constructor(message: string, public readonly retryAfterSeconds: number) {
    super(429, 'Too many requests', message, { retryAfterSeconds });
  }
}
