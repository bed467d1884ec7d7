/**
 * `herald sentiment [--json] [--lang ru|en|sv]`: scores messages read from stdin with Herald's
 * sentiment engine, streaming (a line is answered as soon as it is read; input is pulled only as fast
 * as stdout drains).
 *
 * Stable contract for scripts (--json): every input line is a JSON object {"id": string|number,
 * "text": string}; every good line produces one output line {"id","label","score","lang"} in input
 * order, label ∈ negative|neutral|positive, score ∈ [-1, 1], lang ∈ ru|en|sv|und. Blank lines are
 * skipped. A bad line produces no output line but one message on stderr naming its line number; the
 * remaining lines are still processed and the exit code is 1 at the end (0 when every line was good).
 */
import type { Command } from 'commander';
import type { Readable, Writable } from 'node:stream';
import { UsageError, SilentExit, type CliDeps } from '../cli-support';
import { createSentimentAnalyzer, type SentimentAnalyzer } from '../../sentiment/sentiment-engine';
import type { SentimentLanguage } from '../../sentiment/language-rules';

/** Options of one streaming run. */
export interface SentimentStreamOptions {
  /** JSON lines in and out (the stable contract); otherwise each line is a plain text. */
  json: boolean;
  /** Score every message as this language instead of detecting it. */
  lang?: SentimentLanguage;
  analyzer?: SentimentAnalyzer;
  /** Receives one message per bad line. */
  onError(message: string): void;
}

function describeBadLine(line: string): { id: string | number; text: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return `not valid JSON (${(e as Error).message})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object {"id", "text"}';
  const { id, text } = value as { id?: unknown; text?: unknown };
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) return '"id" must be a string or a number';
  if (typeof text !== 'string') return '"text" must be a string';
  return { id, text };
}

/**
 * Reads lines from `input`, writes results to `output` and returns how many lines were bad. Waits for
 * 'drain' whenever `output` asks it to, so memory stays flat however fast the input comes.
 */
export async function runSentimentStream(input: Readable | AsyncIterable<Buffer | string>, output: Writable, options: SentimentStreamOptions): Promise<{ lines: number; bad: number }> {
  // The reader went away (`| head -3`): stop quietly, as Unix filters do, instead of failing on EPIPE.
  const state: { closed: boolean; failure: Error | null } = { closed: false, failure: null };
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') state.closed = true;
    else state.failure = err;
  };
  output.on('error', onOutputError);
  let result: { lines: number; bad: number };
  try {
    result = await pump(input, output, options, () => state.closed || state.failure !== null);
  } finally {
    output.off('error', onOutputError);
  }
  if (state.failure) throw state.failure;
  return result;
}

async function pump(input: Readable | AsyncIterable<Buffer | string>, output: Writable, options: SentimentStreamOptions, stopped: () => boolean): Promise<{ lines: number; bad: number }> {
  const analyzer = options.analyzer ?? createSentimentAnalyzer();
  const analyzeOptions = options.lang ? { lang: options.lang } : {};
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  let lineNo = 0;
  let bad = 0;

  const handle = (raw: string): string => {
    lineNo++;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return '';
    if (!options.json) {
      const r = analyzer.analyze(line, analyzeOptions);
      return `${r.label}\t${r.score}\t${r.lang}\t${line}\n`;
    }
    const parsed = describeBadLine(line);
    if (typeof parsed === 'string') {
      bad++;
      options.onError(`line ${lineNo}: ${parsed}`);
      return '';
    }
    const r = analyzer.analyze(parsed.text, analyzeOptions);
    return `${JSON.stringify({ id: parsed.id, label: r.label, score: r.score, lang: r.lang })}\n`;
  };

  const write = async (text: string): Promise<void> => {
    if (text === '' || stopped() || output.write(text)) return;
    await new Promise<void>((resolve) => {
      // Errors are recorded by the caller's listener; either way this write is over.
      const done = () => {
        output.off('drain', done);
        output.off('error', done);
        output.off('close', done);
        resolve();
      };
      output.once('drain', done);
      output.once('error', done);
      output.once('close', done);
    });
  };

  for await (const chunk of input) {
    if (stopped()) break;
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    // One write per chunk: per-line writes would make the pipe, not the engine, the bottleneck.
    let out = '';
    for (const l of lines) out += handle(l);
    await write(out);
  }
  pending += decoder.decode();
  if (pending !== '' && !stopped()) await write(handle(pending));
  return { lines: lineNo, bad };
}

const LANGS: readonly SentimentLanguage[] = ['en', 'ru', 'sv'];

/** Registers `sentiment`. */
export function registerSentimentCommand(program: Command, deps: CliDeps): void {
  program
    .command('sentiment')
    .description('score messages (one per stdin line) as negative, neutral or positive')
    .option('--json', 'JSON lines in ({"id","text"}) and out ({"id","label","score","lang"})')
    .option('--lang <code>', 'score every message as ru, en or sv instead of detecting the language')
    .addHelpText(
      'after',
      `
Input is read from stdin line by line and answered as it streams; no database or configuration needed.

With --json (stable contract for scripts):
  in:  one JSON object per line: {"id": "<string or number>", "text": "<message>"}
  out: one JSON object per good line, in input order:
       {"id": <as given>, "label": "negative"|"neutral"|"positive", "score": <-1…1>, "lang": "ru"|"en"|"sv"|"und"}
  Blank lines are skipped. A bad line (not JSON, no string "text", no string/number "id") gets no
  output line; stderr names it ("line 7: ...") and the other lines are still processed.
Without --json every line is a text and the answer is "label<TAB>score<TAB>lang<TAB>text".
Exit code: 0 when every line was good, 1 when any line was bad, 2 on a usage error.

Examples:
  echo '{"id":1,"text":"Спасибо, всё отлично!"}' | herald sentiment --json
  herald sentiment --json < messages.jsonl > scored.jsonl`,
    )
    .action(async (opts: { json?: boolean; lang?: string }) => {
      if (opts.lang !== undefined && !LANGS.includes(opts.lang as SentimentLanguage)) {
        throw new UsageError(`--lang must be one of ${LANGS.join(', ')} (got "${opts.lang}")`);
      }
      if (process.stdin.isTTY) deps.err('(reading from the terminal: one message per line, finish with Ctrl-D)');
      const { bad } = await runSentimentStream(process.stdin, process.stdout, {
        json: opts.json === true,
        lang: opts.lang as SentimentLanguage | undefined,
        onError: (m) => deps.err(m),
      });
      if (bad > 0) {
        deps.err(`${bad} bad line${bad === 1 ? '' : 's'} (see above)`);
        throw new SilentExit(1);
      }
    });
}
