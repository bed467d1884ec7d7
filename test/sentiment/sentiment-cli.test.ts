/**
 * The `herald sentiment --json` contract, through the real executable (bin/herald.mjs under tsx) in a
 * child process: JSON lines in, JSON lines out in order, bad lines named on stderr with their line
 * number while the rest is still processed, exit code 1 at the end.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runSentimentStream } from '../../src/cli/commands/sentiment.command';
import { heraldBin, runCli, tempHome } from '../cli/cli-harness';

const home = tempHome();
afterAll(() => home.cleanup());

const parseLines = (out: string) =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string | number; label: string; score: number; lang: string });

describe('herald sentiment --json', () => {
  it('answers every good line in order with id, label, score and lang', async () => {
    const input = [
      { id: 'a1', text: 'I love this product, it is excellent!' },
      { id: 2, text: 'Ужасное обслуживание, никогда больше не приду 😡' },
      { id: 'c', text: 'Tack för hjälpen, helt fantastiskt bra 😍' },
      { id: 'd', text: 'The meeting is at 10 in room 4' },
      { id: 'e', text: '' },
    ]
      .map((x) => JSON.stringify(x))
      .join('\n');
    const r = await runCli(['sentiment', '--json'], { env: home.env, input: `${input}\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = parseLines(r.stdout);
    expect(out.map((o) => o.id)).toEqual(['a1', 2, 'c', 'd', 'e']);
    expect(out.map((o) => [o.label, o.lang])).toEqual([
      ['positive', 'en'],
      ['negative', 'ru'],
      ['positive', 'sv'],
      ['neutral', 'en'],
      ['neutral', 'und'],
    ]);
    for (const o of out) {
      expect(Object.keys(o).sort()).toEqual(['id', 'label', 'lang', 'score']);
      expect(o.score).toBeGreaterThanOrEqual(-1);
      expect(o.score).toBeLessThanOrEqual(1);
    }
  });

  it('names each bad line on stderr, still processes the others, and exits 1', async () => {
    const lines = [
      '{"id":1,"text":"great"}',
      'this is not json',
      '{"id":3,"text":"awful"}',
      '[1,2]',
      '',
      '{"id":6}',
      '{"id":{"x":1},"text":"hi"}',
      '{"id":8,"text":"fine"}\r',
    ];
    const r = await runCli(['sentiment', '--json'], { env: home.env, input: lines.join('\n') });
    expect(r.code).toBe(1);
    expect(parseLines(r.stdout).map((o) => o.id)).toEqual([1, 3, 8]);
    expect(r.stderr).toMatch(/^line 2: not valid JSON/m);
    expect(r.stderr).toMatch(/^line 4: expected a JSON object/m);
    expect(r.stderr).toMatch(/^line 6: "text" must be a string/m);
    expect(r.stderr).toMatch(/^line 7: "id" must be a string or a number/m);
    expect(r.stderr).not.toMatch(/line 5:/);
    expect(r.stderr).toMatch(/4 bad lines/);
  });

  it('refuses an unknown --lang with a usage error and documents the contract in --help', async () => {
    const bad = await runCli(['sentiment', '--json', '--lang', 'de'], { env: home.env, input: '' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lang must be one of en, ru, sv/);
    const help = await runCli(['sentiment', '--help'], { env: home.env });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/\{"id","label","score","lang"\}/);
    expect(help.stdout).toMatch(/line 7/);
    expect(help.stdout).toMatch(/Exit code: 0 when every line was good, 1 when any line was bad/);
  });

  it('streams: answers a line before stdin is closed', async () => {
    const child = spawn(process.execPath, [heraldBin, 'sentiment', '--json'], { env: home.env, cwd: tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    const first = new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out);
      });
      child.on('error', reject);
      setTimeout(() => reject(new Error('no answer while stdin was still open')), 30_000);
    });
    child.stdin.write('{"id":"live","text":"so happy today"}\n');
    const line = await first;
    expect(JSON.parse(line.trim())).toMatchObject({ id: 'live', label: 'positive', lang: 'en' });
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
  });

  it('does 100k lines in seconds', async () => {
    const texts = ['Love it, thanks!', 'Не работает, верните деньги', 'Helt okej faktiskt', 'meh 🙄', 'Встреча в пять'];
    const input = Array.from({ length: 100_000 }, (_, i) => JSON.stringify({ id: i, text: texts[i % texts.length] })).join('\n');
    const started = Date.now();
    const r = await runCli(['sentiment', '--json'], { env: home.env, input, timeoutMs: 60_000 });
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).toBe(0);
    const out = r.stdout.split('\n').filter(Boolean);
    expect(out).toHaveLength(100_000);
    expect(JSON.parse(out[99_999] as string)).toMatchObject({ id: 99_999 });
    // Generous for a shared CI machine; measured ≈ 2–4 s here including start-up.
    expect(seconds).toBeLessThan(30);
  }, 90_000);
});

describe('runSentimentStream', () => {
  it('waits for drain when the output pushes back, and loses nothing', async () => {
    const input = new PassThrough();
    let drains = 0;
    const received: string[] = [];
    // A slow sink with a tiny buffer: write() returns false almost every time.
    const output = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, cb) {
        received.push(chunk.toString());
        setTimeout(cb, 1);
      },
    });
    output.on('drain', () => drains++);
    const run = runSentimentStream(input, output, { json: true, onError: () => {} });
    for (let i = 0; i < 200; i++) input.write(`{"id":${i},"text":"good ${i}"}\n`);
    input.end();
    const result = await run;
    expect(result).toEqual({ lines: 200, bad: 0 });
    await new Promise<void>((resolve) => output.end(resolve));
    const lines = received.join('').split('\n').filter(Boolean);
    expect(lines).toHaveLength(200);
    expect(drains).toBeGreaterThan(0);
  });

  it('stops quietly when the reader goes away (EPIPE), without reading the rest', async () => {
    let reads = 0;
    async function* endless() {
      for (;;) {
        reads++;
        yield Buffer.from('{"id":1,"text":"good"}\n');
      }
    }
    let writes = 0;
    const output = new Writable({
      write(_c: Buffer, _e, cb) {
        writes++;
        if (writes === 3) {
          cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
          return;
        }
        cb();
      },
    });
    const result = await runSentimentStream(endless(), output, { json: true, onError: () => {} });
    expect(result.bad).toBe(0);
    expect(reads).toBeLessThan(10);
  });

  it('still fails on other output errors', async () => {
    const output = new Writable({ write(_c: Buffer, _e, cb) { cb(Object.assign(new Error('disk full'), { code: 'ENOSPC' })); } });
    const input = (async function* () { for (let i = 0; i < 5; i++) yield Buffer.from('{"id":1,"text":"x"}\n'); })();
    await expect(runSentimentStream(input, output, { json: true, onError: () => {} })).rejects.toThrow('disk full');
  });

  it('handles a multi-byte character split across chunks and a last line without newline', async () => {
    const bytes = Buffer.from('{"id":1,"text":"Отлично 😍"}\n{"id":2,"text":"плохо"}');
    const cut = bytes.indexOf(Buffer.from('😍')) + 2;
    const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
    let out = '';
    const output = new Writable({ write(c: Buffer, _e, cb) { out += c.toString(); cb(); } });
    const result = await runSentimentStream((async function* () { yield* chunks; })(), output, { json: true, onError: () => {} });
    expect(result.bad).toBe(0);
    expect(out.trim().split('\n').map((l) => JSON.parse(l).label)).toEqual(['positive', 'negative']);
  });
});
