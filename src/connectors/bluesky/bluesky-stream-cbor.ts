/**
 * A minimal reader for what the AT Protocol firehose sends: DAG-CBOR values (RFC 8949 restricted to
 * definite lengths, string map keys and tag 42 for CIDs) and CAR v1 files (the blocks of a commit).
 * Only decoding is needed, and only this subset; a few dozen lines here avoid three ESM-only packages
 * (@ipld/dag-cbor, @ipld/car, multiformats) for a task this small. Anything outside the subset throws
 * `CborError`, so one malformed frame is skipped rather than misread.
 */

/** A content identifier as raw bytes (CIDv1 or v0); equal CIDs have equal `key`s. */
export class Cid {
  constructor(readonly bytes: Uint8Array) {}
  /** The bytes in hex, for maps keyed by CID. */
  get key(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('hex');
  }
}

/** A value decoded from DAG-CBOR. */
export type CborValue = null | undefined | boolean | number | string | Uint8Array | Cid | CborValue[] | { [key: string]: CborValue };

/** Input that is not the DAG-CBOR/CAR subset the firehose uses. */
export class CborError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CborError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Nesting deeper than this is refused (a hostile frame must not exhaust the stack). */
const maxDepth = 64;

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new CborError('unexpected end of CBOR data');
    return this.buf[this.pos++]!;
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) throw new CborError('unexpected end of CBOR data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The argument of a head byte (additional information 0–27). */
  argument(info: number): number {
    if (info < 24) return info;
    const view = (n: number) => {
      const b = this.take(n);
      return new DataView(b.buffer, b.byteOffset, n);
    };
    if (info === 24) return this.byte();
    if (info === 25) return view(2).getUint16(0);
    if (info === 26) return view(4).getUint32(0);
    if (info === 27) {
      const big = view(8).getBigUint64(0);
      if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError('integer too large');
      return Number(big);
    }
    throw new CborError(`indefinite lengths and reserved values are not DAG-CBOR (info ${info})`);
  }

  value(depth: number): CborValue {
    if (depth > maxDepth) throw new CborError('CBOR nested too deeply');
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    switch (major) {
      case 0:
        return this.argument(info);
      case 1:
        return -1 - this.argument(info);
      case 2:
        return this.take(this.argument(info));
      case 3:
        return utf8.decode(this.take(this.argument(info)));
      case 4: {
        const n = this.argument(info);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.value(depth + 1));
        return out;
      }
      case 5: {
        const n = this.argument(info);
        const out: { [key: string]: CborValue } = {};
        for (let i = 0; i < n; i++) {
          const k = this.value(depth + 1);
          if (typeof k !== 'string') throw new CborError('DAG-CBOR map keys must be strings');
          // Own property even for "__proto__": the record comes from anyone on the network.
          Object.defineProperty(out, k, { value: this.value(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      case 6: {
        const tag = this.argument(info);
        const inner = this.value(depth + 1);
        if (tag !== 42 || !(inner instanceof Uint8Array) || inner[0] !== 0) throw new CborError(`unsupported CBOR tag ${tag}`);
        // Tag 42 holds the CID behind a 0x00 multibase prefix ("identity").
        return new Cid(inner.subarray(1));
      }
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        if (info === 23) return undefined;
        if (info === 25 || info === 26 || info === 27) {
          const n = info === 25 ? 2 : info === 26 ? 4 : 8;
          const b = this.take(n);
          const v = new DataView(b.buffer, b.byteOffset, n);
          return n === 2 ? halfFloat(v.getUint16(0)) : n === 4 ? v.getFloat32(0) : v.getFloat64(0);
        }
        throw new CborError(`unsupported CBOR simple value ${info}`);
      }
    }
  }

  varint(): number {
    let out = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      out += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return out;
      shift += 7;
      if (shift > 49) throw new CborError('varint too long');
    }
  }
}

function halfFloat(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** Decodes the first DAG-CBOR value in `buf`; returns it and how many bytes it took. */
export function decodeFirst(buf: Uint8Array): { value: CborValue; length: number } {
  const r = new Reader(buf);
  const value = r.value(0);
  return { value, length: r.pos };
}

/** Decodes one DAG-CBOR value that must fill `buf` exactly. */
export function decodeCbor(buf: Uint8Array): CborValue {
  const { value, length } = decodeFirst(buf);
  if (length !== buf.length) throw new CborError('trailing bytes after the CBOR value');
  return value;
}

/** Reads a binary CID (v1: version, codec, multihash; v0: a bare sha2-256 multihash). */
function readCid(r: Reader): Cid {
  const start = r.pos;
  if (r.buf[r.pos] === 0x12 && r.buf[r.pos + 1] === 0x20) {
    r.take(34);
  } else {
    const version = r.varint();
    if (version !== 1) throw new CborError(`unsupported CID version ${version}`);
    r.varint(); // codec
    r.varint(); // multihash code
    r.take(r.varint()); // digest
  }
  return new Cid(r.buf.subarray(start, r.pos));
}

/**
 * The blocks of a CAR v1 file, keyed by CID (`Cid.key`). The roots are not needed to read the records a
 * commit's operations name, so they are not returned.
 */
export function readCarBlocks(car: Uint8Array): Map<string, Uint8Array> {
  const r = new Reader(car);
  const headerLength = r.varint();
  const header = decodeCbor(r.take(headerLength));
  if (!header || typeof header !== 'object' || Array.isArray(header) || (header as { version?: unknown }).version !== 1) throw new CborError('not a CAR v1 file');
  const blocks = new Map<string, Uint8Array>();
  while (r.pos < car.length) {
    const sectionLength = r.varint();
    const end = r.pos + sectionLength;
    if (end > car.length) throw new CborError('CAR section runs past the end');
    const cid = readCid(r);
    if (r.pos > end) throw new CborError('CAR section shorter than its CID');
    blocks.set(cid.key, r.take(end - r.pos));
  }
  return blocks;
}
