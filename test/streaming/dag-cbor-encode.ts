/**
 * A tiny DAG-CBOR encoder and CAR writer for building firehose input in tests and the firehose bench
 * (Herald itself only decodes: src/connectors/bluesky/bluesky-stream-cbor.ts).
 */
import { Cid } from '../../src/connectors/bluesky/bluesky-stream-cbor';

/** A tiny DAG-CBOR encoder for building test input (the code under test only decodes). */
export function enc(v: unknown): Buffer {
  const head = (major: number, n: number): Buffer => {
    if (n < 24) return Buffer.from([(major << 5) | n]);
    if (n < 256) return Buffer.from([(major << 5) | 24, n]);
    if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
    const b = Buffer.alloc(5);
    b[0] = (major << 5) | 26;
    b.writeUInt32BE(n, 1);
    return b;
  };
  if (v === null) return Buffer.from([0xf6]);
  if (v === true) return Buffer.from([0xf5]);
  if (v === false) return Buffer.from([0xf4]);
  if (typeof v === 'number') return v >= 0 ? head(0, v) : head(1, -1 - v);
  if (typeof v === 'string') {
    const s = Buffer.from(v, 'utf8');
    return Buffer.concat([head(3, s.length), s]);
  }
  if (v instanceof Cid) {
    const inner = Buffer.concat([Buffer.from([0]), Buffer.from(v.bytes)]);
    return Buffer.concat([Buffer.from([0xd8, 42]), head(2, inner.length), inner]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([head(2, v.length), Buffer.from(v)]);
  if (Array.isArray(v)) return Buffer.concat([head(4, v.length), ...v.map(enc)]);
  const entries = Object.entries(v as Record<string, unknown>);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, x]) => [enc(k), enc(x)])]);
}

export const varint = (n: number) => {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
};
/** A CIDv1 (dag-cbor, sha2-256) with a made-up digest. */
export const cidOf = (seed: number) => new Cid(Buffer.concat([Buffer.from([0x01, 0x71, 0x12, 0x20]), Buffer.alloc(32, seed)]));

/** A CAR v1 file holding `blocks` (the first one is the root). */
export function car(blocks: Array<[Cid, Buffer]>): Buffer {
  const header = enc({ version: 1, roots: blocks.slice(0, 1).map(([c]) => c) });
  const sections = blocks.map(([cid, data]) => Buffer.concat([varint(cid.bytes.length + data.length), Buffer.from(cid.bytes), data]));
  return Buffer.concat([varint(header.length), header, ...sections]);
}
