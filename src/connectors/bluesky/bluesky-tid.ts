/**
 * Timestamp identifiers (TIDs, https://atproto.com/specs/tid): 64 bits — top bit 0, 53 bits of
 * microseconds since the Unix epoch, 10 bits of "clock id" — written as 13 characters of
 * base32-sortable. Herald derives a post's record key from the publishing target's idempotency key so
 * that a re-send after a crash or timeout addresses the same record and can never make a second post.
 */
import { createHash } from 'node:crypto';

const ALPHABET = '234567abcdefghijklmnopqrstuvwxyz';

/** Encodes a non-negative 63-bit integer as a 13-character TID. */
export function encodeTid(value: bigint): string {
  if (value < 0n || value >= 1n << 63n) throw new RangeError('TID value must fit in 63 bits');
  let out = '';
  let v = value;
  for (let i = 0; i < 13; i++) {
    out = ALPHABET[Number(v & 31n)] + out;
    v >>= 5n;
  }
  return out;
}

/** Decodes a TID into its timestamp (microseconds since the epoch) and clock id. */
export function decodeTid(tid: string): { timestampUs: bigint; clockId: number } {
  let v = 0n;
  for (const ch of tid) {
    const d = ALPHABET.indexOf(ch);
    if (d < 0) throw new RangeError(`not a TID character: ${ch}`);
    v = (v << 5n) | BigInt(d);
  }
  return { timestampUs: v >> 10n, clockId: Number(v & 1023n) };
}

/**
 * The deterministic record key for one publishing target: the timestamp is `createdAt` truncated to
 * the whole second plus a sub-second offset (0–999,999 µs) taken from SHA-256(idempotencyKey), and the
 * clock id is 10 more bits of that hash. Two targets of one account created in the same second collide
 * only with odds of about 1 in 10⁹, while keys stay time-sortable like any TID.
 */
export function tidFromIdempotencyKey(idempotencyKey: string, createdAt: string): string {
  const ms = Date.parse(createdAt);
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`createdAt is not a usable time: "${createdAt}"`);
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest();
  const subSecondUs = BigInt(hash.readUInt32BE(0) % 1_000_000);
  const clockId = BigInt(hash.readUInt16BE(4) & 1023);
  const timestampUs = BigInt(Math.floor(ms / 1000)) * 1_000_000n + subSecondUs;
  return encodeTid((timestampUs << 10n) | clockId);
}
