/**
 * bench/firehose-stream: how many firehose frames per second the Bluesky `stream` capability reads,
 * end to end over a real WebSocket on loopback: a local server (ws) sends `--frames` #commit frames
 * shaped like com.atproto.sync.subscribeRepos (DAG-CBOR header + body, the post record in a CAR file),
 * one post each, of which one in `--hit-every` replies to one of `--accounts` connected accounts; the
 * capability decodes the frames, filters them for the accounts and yields batches. Figures: frames
 * per wall-clock second and per CPU-second of this process (server included, so the second is
 * conservative; on a shared, loaded machine the wall-clock figure mostly measures the neighbours), and
 * the messages found, which must equal the replies sent. Target: ≥ 5,000 frames per CPU-second (the
 * whole Bluesky network's firehose carries roughly 1,000–2,000 commits/s at peaks). Exit code 1 when
 * missed.
 *
 *   npm run bench -- firehose [--frames 50000] [--accounts 100] [--hit-every 1000]
 */
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { createBlueskyStream } from '../src/connectors/bluesky/bluesky-stream';
import type { AccountAuth } from '../src/connectors/connector';
import type { BlueskyCredentials, BlueskySession } from '../src/connectors/bluesky/bluesky-client';
import { car, cidOf, enc } from '../test/streaming/dag-cbor-encode';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : def;
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${name} must be a positive whole number`);
  return v;
}

const frames = arg('frames', 50_000);
const accountCount = arg('accounts', 100);
const hitEvery = arg('hit-every', 1000);
const target = 5_000;

const accounts: Array<AccountAuth<BlueskyCredentials, BlueskySession>> = Array.from({ length: accountCount }, (_, i) => ({
  accountId: `acc-${i}`,
  externalId: `did:plc:ours${String(i).padStart(20, '0')}`,
  handle: `ours${i}.test`,
  serviceUrl: null,
  credentials: { identifier: `ours${i}.test`, appPassword: 'x' },
  session: null,
}));

/** One #commit frame: `repo` creates one post; every `hitEvery`-th replies to an account's post. */
function frame(seq: number): Buffer {
  const repo = `did:plc:author${String(seq % 5000).padStart(18, '0')}`;
  const rkey = `3l${String(seq).padStart(11, '0')}`;
  const hit = seq % hitEvery === 0;
  const ours = accounts[seq % accountCount]!.externalId;
  const parent = hit ? `at://${ours}/app.bsky.feed.post/3lparentparen` : `at://did:plc:someone${seq % 977}/app.bsky.feed.post/3lparentparen`;
  const record = enc({
    $type: 'app.bsky.feed.post',
    text: `Post number ${seq} with some ordinary words in it, like most posts on the network have.`,
    createdAt: new Date(1_750_000_000_000 + seq * 1000).toISOString(),
    langs: ['en'],
    reply: { root: { uri: parent, cid: 'bafyreib' }, parent: { uri: parent, cid: 'bafyreib' } },
  });
  const recordCid = cidOf(seq % 250);
  const commitCid = cidOf((seq + 7) % 250);
  const blocks = car([
    [commitCid, enc({ did: repo, rev: '3l', version: 3, data: recordCid })],
    [recordCid, record],
  ]);
  const header = enc({ op: 1, t: '#commit' });
  const body = enc({
    seq,
    rebase: false,
    tooBig: false,
    repo,
    commit: commitCid,
    rev: '3l',
    since: null,
    blocks,
    ops: [{ action: 'create', path: `app.bsky.feed.post/${rkey}`, cid: recordCid }],
    blobs: [],
    time: new Date().toISOString(),
  });
  return Buffer.concat([header, body]);
}

async function main(): Promise<void> {
  const prepared = Array.from({ length: frames }, (_, i) => frame(i + 1));
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  wss.on('connection', (socket) => {
    // Sent in slices so the socket's buffer stays bounded and the reader's pause/resume is exercised.
    let i = 0;
    const pump = () => {
      while (i < prepared.length && socket.bufferedAmount < 4 * 1024 * 1024) socket.send(prepared[i++]!);
      if (i < prepared.length) setImmediate(pump);
    };
    pump();
  });

  const stream = createBlueskyStream();
  const abort = new AbortController();
  const cpu0 = process.cpuUsage();
  let t0 = 0;
  let seen = 0;
  let found = 0;
  for await (const batch of stream.open(
    { upstream: `ws://127.0.0.1:${port}`, cursor: null, accounts: () => accounts },
    { fetch: async () => new Response('{}', { status: 404 }), signal: abort.signal, defaultServiceUrl: 'http://127.0.0.1:9', opened: () => (t0 = performance.now()) },
  )) {
    seen += 1;
    found += batch.items.length;
    if (seen === frames) break;
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  abort.abort();
  wss.close();
  const rate = Math.round((frames / ms) * 1000);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const perCpu = Math.round((frames / cpuMs) * 1000);
  const expected = Math.floor(frames / hitEvery);
  console.log(`frames: ${frames}, accounts: ${accountCount}, replies to them: ${expected}`);
  console.log(`read ${seen} frames in ${Math.round(ms)} ms: ${rate} frames/s; messages found ${found}`);
  console.log(`CPU (this process, server included): ${Math.round(cpuMs)} ms = ${perCpu} frames per CPU-second (${Math.round((cpuMs * 1000) / frames)} µs per frame)`);
  const ok = perCpu >= target && found === expected;
  console.log(`${ok ? 'ok' : 'MISS'}: target ≥ ${target} frames per CPU-second and every reply found`);
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
