/**
 * Per-workspace sentiment corrections. When a member relabels a message, Herald remembers two things:
 * the message itself (the same text gets the member's label from then on) and term weights learned from
 * it, so similar messages in that workspace move the same way. Both live in a plain JSON-able
 * {@link WorkspaceCorrections} value that a repository can store as it likes; this module is pure.
 *
 * Learning rule, deliberately conservative so one relabel cannot swing unrelated messages:
 * - a word the lexicon already scores with the wrong sign (or too weakly) is moved to the relabelled
 *   side right away;
 * - a word the lexicon does not know gets a weight only once ≥ 2 relabels agree on its side;
 * - relabelling to neutral halves the weight of the message's sentiment words.
 */
import { isNegator, LANGUAGE_RULES, type SentimentLanguage } from './language-rules';
import { createSentimentAnalyzer, type SentimentLabel } from './sentiment-engine';
import { buildLexiconOverlay, messageKey, stemFor, type Lexicon, type SentimentModel } from './sentiment-model';
import { createTokenizer } from './tokenize';

/** One relabelled message. */
export interface SentimentRelabel {
  text: string;
  label: SentimentLabel;
}

/** What a workspace has learned from its relabels (JSON-serialisable). */
export interface WorkspaceCorrections {
  /** Per language: lower-case word → valence (−5…5) that replaces the lexicon's. */
  terms: Partial<Record<SentimentLanguage, Record<string, number>>>;
  /** {@link messageKey} of a relabelled message → its label. */
  messages: Record<string, SentimentLabel>;
}

/** No corrections. */
export const NO_CORRECTIONS: WorkspaceCorrections = Object.freeze({ terms: {}, messages: {} }) as WorkspaceCorrections;

const LANGS: readonly SentimentLanguage[] = ['en', 'ru', 'sv'];
const MAX_VALENCE = 4;
/** Weight given to a word on its relabelled side (AFINN scale): a clear but not extreme word. */
const LEARNED_VALENCE = 2;
const MIN_SUPPORT_NEW_WORD = 2;

/**
 * Returns a new model whose lexicons, for the workspace, use the corrected term weights and whose
 * exact-message labels are the relabels. `base` is not changed.
 */
export function applyCorrections(base: SentimentModel, corrections: WorkspaceCorrections): SentimentModel {
  const lexicons = { ...base.lexicons } as Record<SentimentLanguage, Lexicon>;
  const correctedTerms: NonNullable<SentimentModel['correctedTerms']> = { ...base.correctedTerms };
  for (const lang of LANGS) {
    const terms = corrections.terms[lang];
    if (terms && Object.keys(terms).length > 0) {
      lexicons[lang] = buildLexiconOverlay(lang, base.lexicons[lang], terms);
      // Remembered so the engine lets these words' corrected valences decide (see SentimentModel).
      const words = new Set([...(base.correctedTerms?.[lang]?.words ?? []), ...Object.keys(terms)]);
      correctedTerms[lang] = { words, stems: new Set([...words].map((w) => stemFor(lang, w))) };
    }
  }
  const overrides = new Map(base.overrides);
  for (const [key, label] of Object.entries(corrections.messages)) overrides.set(key, label);
  return { ...base, lexicons, overrides, correctedTerms };
}

/**
 * Learns corrections from a workspace's relabels (all of them, oldest first: a later relabel of the
 * same message wins). Pass the result to {@link applyCorrections}.
 */
export function learnCorrections(base: SentimentModel, relabels: readonly SentimentRelabel[]): WorkspaceCorrections {
  const analyzer = createSentimentAnalyzer(base);
  const tokenize = createTokenizer(base.emoticons.keys());
  const messages: Record<string, SentimentLabel> = {};
  // lang → word → votes (+1 positive, −1 negative) and neutral votes.
  const votes = new Map<SentimentLanguage, Map<string, { pos: number; neg: number; neu: number }>>();

  for (const r of relabels) {
    messages[messageKey(r.text)] = r.label;
    const { lang } = analyzer.analyze(r.text);
    const langs = lang === 'und' ? LANGS : [lang];
    const words = tokenize(r.text).filter((t) => t.kind === 'word').map((t) => t.norm);
    for (const l of langs) {
      const rules = LANGUAGE_RULES[l];
      const byWord = votes.get(l) ?? new Map<string, { pos: number; neg: number; neu: number }>();
      votes.set(l, byWord);
      words.forEach((w, i) => {
        if (w.length < 2 || rules.stopwords.has(w) || rules.negators.has(w) || rules.boosters.has(w) || rules.contrast.has(w)) return;
        // A negated word speaks for the opposite side ("not good" relabelled negative says nothing bad about "good").
        const negated = [words[i - 1], words[i - 2]].some((p) => p !== undefined && isNegator(l, p));
        const v = byWord.get(w) ?? { pos: 0, neg: 0, neu: 0 };
        if (r.label === 'neutral') v.neu++;
        else if ((r.label === 'positive') !== negated) v.pos++;
        else v.neg++;
        byWord.set(w, v);
      });
    }
  }

  const terms: WorkspaceCorrections['terms'] = {};
  for (const [lang, byWord] of votes) {
    const lex = base.lexicons[lang];
    const out: Record<string, number> = {};
    for (const [word, v] of byWord) {
      // What the engine would use for this word today: the surface form, else its stem.
      const current = lex.words.get(word) ?? lex.stems.get(stemFor(lang, word)) ?? 0;
      const net = v.pos - v.neg;
      let next = current;
      if (net !== 0) {
        const side = Math.sign(net);
        const known = current !== 0;
        if (!known && Math.abs(net) < MIN_SUPPORT_NEW_WORD) continue;
        // Wrong sign or too weak: move to the relabelled side, stronger with more agreeing relabels.
        if (Math.sign(current) !== side || Math.abs(current) < LEARNED_VALENCE) next = side * Math.min(MAX_VALENCE, LEARNED_VALENCE + Math.abs(net) - 1);
      } else if (v.neu > 0 && current !== 0) {
        next = current / 2 ** v.neu;
      }
      if (next !== current) out[word] = Math.round(next * 100) / 100;
    }
    if (Object.keys(out).length > 0) terms[lang] = out;
  }
  return { terms, messages };
}

/**
 * The model for one workspace: the shipped model with everything learned from the workspace's relabels
 * (e.g. rows of listSentimentCorrections, oldest first). With no relabels it is `base` itself.
 */
export function modelForWorkspace(base: SentimentModel, relabels: readonly SentimentRelabel[]): SentimentModel {
  return relabels.length === 0 ? base : applyCorrections(base, learnCorrections(base, relabels));
}

/**
 * Identifies a workspace's stored relabels as a whole ('' when there are none); each relabel added,
 * changed or undone changes it, so analysers built from the relabels can be cached under it.
 */
export function relabelsVersion(relabels: ReadonlyArray<{ id: string; updated_at: string }>): string {
  const last = relabels[relabels.length - 1];
  return last ? `${relabels.length}:${last.updated_at}:${last.id}` : '';
}
