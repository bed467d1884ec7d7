/**
 * Input checks shared by both queue implementations, so a bad enqueue fails the same way on SQLite
 * and PostgreSQL (and before anything is written).
 */
import { ValidationError } from '../domain/errors';
import type { EnqueueOptions } from './job-queue';

/** Attempts when the caller gives none (graphile-worker's default too). */
export const defaultMaxAttempts = 25;

/** graphile-worker stores max_attempts as smallint. */
const maxMaxAttempts = 32767;

/** An enqueue request after validation. */
export interface CheckedEnqueue {
  task: string;
  /** JSON text of the payload. */
  payloadJson: string;
  runAt: Date | null;
  key: string | null;
  maxAttempts: number;
}

/** Validates an enqueue; throws {@link ValidationError} listing every problem. */
export function checkEnqueue(task: string, payload: Record<string, unknown>, opts: EnqueueOptions = {}): CheckedEnqueue {
  const errors: Array<{ path: string; message: string }> = [];
  if (typeof task !== 'string' || task.trim() === '' || task.length > 200) {
    errors.push({ path: 'task', message: 'task must be a non-empty name of at most 200 characters' });
  }
  let payloadJson = '{}';
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    errors.push({ path: 'payload', message: 'payload must be a plain object' });
  } else {
    try {
      payloadJson = JSON.stringify(payload);
    } catch (e) {
      errors.push({ path: 'payload', message: `payload must be JSON-serialisable (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  if (opts.runAt !== undefined && !(opts.runAt instanceof Date && Number.isFinite(opts.runAt.getTime()))) {
    errors.push({ path: 'runAt', message: 'runAt must be a valid Date' });
  }
  if (opts.key !== undefined && (typeof opts.key !== 'string' || opts.key === '' || opts.key.length > 512)) {
    errors.push({ path: 'key', message: 'key must be a non-empty string of at most 512 characters' });
  }
  const maxAttempts = opts.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > maxMaxAttempts) {
    errors.push({ path: 'maxAttempts', message: `maxAttempts must be a whole number from 1 to ${maxMaxAttempts}` });
  }
  if (errors.length) throw new ValidationError(`invalid job for task "${String(task)}"`, errors);
  return { task, payloadJson, runAt: opts.runAt ?? null, key: opts.key ?? null, maxAttempts };
}

/** Validates `startWorker` options shared by both implementations. */
export function checkWorkerOptions(handlers: Record<string, unknown>, opts: { concurrency: number; workerId: string; pollIntervalMs?: number }): void {
  const errors: Array<{ path: string; message: string }> = [];
  if (Object.keys(handlers).length === 0) errors.push({ path: 'handlers', message: 'at least one task handler is needed' });
  for (const [name, h] of Object.entries(handlers)) {
    if (typeof h !== 'function') errors.push({ path: `handlers.${name}`, message: 'handler must be a function' });
  }
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 1000) {
    errors.push({ path: 'concurrency', message: 'concurrency must be a whole number from 1 to 1000' });
  }
  if (typeof opts.workerId !== 'string' || opts.workerId === '') errors.push({ path: 'workerId', message: 'workerId must be a non-empty string' });
  if (opts.pollIntervalMs !== undefined && (!Number.isFinite(opts.pollIntervalMs) || opts.pollIntervalMs < 10)) {
    errors.push({ path: 'pollIntervalMs', message: 'pollIntervalMs must be at least 10' });
  }
  if (errors.length) throw new ValidationError('invalid worker options', errors);
}

/** A message for `last_error` from whatever a handler threw. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
