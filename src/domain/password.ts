/**
 * Password hashing with scrypt from node:crypto. Hashes are self-describing
 * (`scrypt$N$r$p$salt$hash`, base64url) so the cost can be raised later without breaking old hashes.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;

/** Shortest password Herald accepts. */
export const MIN_PASSWORD_LENGTH = 10;
/** Longest password Herald hashes (scrypt cost is independent of length, but bodies are not). */
export const MAX_PASSWORD_LENGTH = 1024;

function scrypt(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// scrypt needs 128 * N * r bytes; the default maxmem (32 MiB) is exactly at the edge for N=2^15.
const maxmem = (n: number, r: number) => 256 * n * r;

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LEN, { N, r: R, p: P, maxmem: maxmem(N, R) });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a password against a stored hash in constant time; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltText, keyText] = parts;
  const cost = Number(n);
  const blockSize = Number(r);
  const parallel = Number(p);
  if (![cost, blockSize, parallel].every((v) => Number.isInteger(v) && v > 0) || cost > 2 ** 20) return false;
  const expected = Buffer.from(keyText ?? '', 'base64url');
  if (expected.length < 16) return false;
  const actual = await scrypt(password, Buffer.from(saltText ?? '', 'base64url'), expected.length, {
    N: cost,
    r: blockSize,
    p: parallel,
    maxmem: maxmem(cost, blockSize),
  });
  return timingSafeEqual(actual, expected);
}

let dummyHash: Promise<string> | null = null;

/**
 * Spends the same time as a real verification; used when the e-mail is unknown so that response
 * times do not reveal which addresses have accounts.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(password, await dummyHash);
  return false;
}
