/**
 * Per-language word lists the sentiment engine's rules use: function words (for language detection and
 * to keep them out of lexicons), negators, intensifiers/diminishers, contrast words ("but") and small
 * hand-written seed lexicons. The seeds were written for Herald (not taken from any data set): common
 * social-media words the shipped lexicons miss — for Russian, where no permissive general lexicon
 * exists, and colloquial Swedish/English that AFINN lacks.
 */

/** Languages with their own rules and lexicons. */
export type SentimentLanguage = 'en' | 'ru' | 'sv';

/** A detected language: one of ours, or undetermined. */
export type DetectedLanguage = SentimentLanguage | 'und';

/** The rule words of one language. */
export interface LanguageRules {
  /** Frequent function words: evidence for language detection. */
  stopwords: ReadonlySet<string>;
  /** Words that flip the polarity of the next few words. */
  negators: ReadonlySet<string>;
  /** Word → multiplier for the next sentiment word (>1 intensifies, <1 softens). */
  boosters: ReadonlyMap<string, number>;
  /** Words that start a clause which outweighs the one before ("but"). */
  contrast: ReadonlySet<string>;
  /** Words that carry their valence only as a verb, i.e. after one of {@link likeSubjects}. */
  verbOnly: ReadonlySet<string>;
  /** Subjects and auxiliaries that make the next {@link verbOnly} word a verb. */
  likeSubjects: ReadonlySet<string>;
  /** Hand-written valences (AFINN scale −5…5). Russian entries are stems' source words (stemmed at load). */
  seeds: Readonly<Record<string, number>>;
}

const words = (s: string): Set<string> => new Set(s.split(/\s+/).filter(Boolean));

const EN: LanguageRules = {
  stopwords: words(`the and is are was were to of a an in on at that it its it's this these those you your i i'm me my we our
    they them their he she his her for with be been have has had not no but or so if just what when where who how why do does did
    don't can't won't didn't isn't there here from by about as all will would can could should than then too very get got
    im u ur lol`),
  negators: words(`not no never none nobody nothing neither nor nowhere cannot cant dont doesnt didnt isnt arent wasnt werent
    wont wouldnt shouldnt couldnt hasnt havent hadnt aint without`),
  boosters: new Map([
    ...[...words('very really so extremely totally absolutely completely incredibly super truly highly deeply most especially fucking freaking damn such')].map((w) => [w, 1.3] as const),
    ...[...words('pretty quite')].map((w) => [w, 1.1] as const),
    ...[...words('slightly somewhat barely hardly kinda kind sorta partly little bit fairly rather')].map((w) => [w, 0.6] as const),
  ]),
  contrast: words('but however although though yet'),
  verbOnly: words('like'),
  likeSubjects: words(`i you we they he she it who people u ya yall y'all would i'd you'd we'd they'd really do does did don't doesn't
    didn't dont doesnt didnt to i'll you'll we'll will might may could should also totally actually still just definitely not never`),
  seeds: {
    lol: 1, lmao: 2, haha: 2, hahaha: 2, yay: 3, wow: 2, thanks: 2, thank: 2, thx: 2, ty: 1, congrats: 3, congratulations: 3,
    cute: 2, beautiful: 3, gorgeous: 3, amazing: 4, awesome: 4, excellent: 3, perfect: 3, favorite: 2, favourite: 2, enjoy: 2,
    enjoyed: 2, excited: 3, exciting: 3, happy: 3, birthday: 1, glad: 2, proud: 2, fantastic: 4, wonderful: 4, brilliant: 4,
    best: 3, better: 2, nice: 3, cool: 1, fun: 3, funny: 2, welcome: 2, sad: -2, sucks: -3, suck: -3, worst: -3, terrible: -3,
    horrible: -3, awful: -3, hate: -3, hated: -3, disappointed: -2, disappointing: -2, broken: -1, fail: -2, failed: -2,
    'looking forward': 2, 'look forward': 2, 'so ready': 2, "let's go": 2, 'bring it on': 2, 'made my day': 3, 'well done': 3,
    'fed up': -3, 'sick of': -3, 'tired of': -3, "can't stand": -3, 'cant stand': -3, 'waste of time': -3, 'let down': -2,
    'rip off': -3, 'ripped off': -3, 'screwed up': -3, 'messed up': -2, 'pissed off': -3, 'shut up': -2, 'what a joke': -3,
    'give up': -1, 'no thanks': -1, 'over it': -1, 'not a fan': -2, 'not impressed': -2, 'no longer': -1,
    "can't wait": 3, 'cant wait': 3, 'cannot wait': 3, "couldn't be happier": 4, 'no problem': 1, 'not bad': 2,
    wtf: -4, ugh: -2, smh: -2, rip: -1, sorry: -1, annoying: -2, angry: -3, stupid: -2, idiot: -3, useless: -2, waste: -2,
    scary: -2, sick: -2, tired: -2, boring: -3, lame: -2, poor: -2, bad: -3, worse: -3, crap: -3, meh: -1,
  },
};

const RU: LanguageRules = {
  stopwords: words(`и в во не на я что тот быть с со а весь это как она он они мы вы ты по но к у же из за от о об для так
    мне меня мой моя мои его её ее их там тут вот только ещё еще уже бы ли да нет когда если или даже был была были будет
    есть все всё этот эта эти этого этом кто чем при до после без под над через то так вам нам вас нас тебе тебя себя`),
  negators: words('не нет ни никогда ничего никто нигде никак нельзя без нисколько вовсе отнюдь'),
  boosters: new Map([
    ...[...words('очень так такой такая такое такие самый самая самое самые совсем абсолютно невероятно безумно сильно крайне супер реально просто весьма чрезвычайно ужасно жутко офигенно максимально')].map((w) => [w, 1.3] as const),
    ...[...words('немного чуть чуточку слегка едва почти довольно несколько')].map((w) => [w, 0.6] as const),
  ]),
  contrast: words('но однако зато хотя'),
  verbOnly: new Set(),
  likeSubjects: new Set(),
  seeds: {
    хороший: 3, хорошо: 3, отличный: 4, отлично: 4, прекрасный: 4, прекрасно: 4, замечательный: 4, замечательно: 4,
    великолепный: 4, классный: 3, класс: 3, круто: 3, крутой: 3, супер: 3, шикарный: 4, шикарно: 4, чудесный: 4,
    любовь: 3, любить: 3, люблю: 3, любимый: 3, нравиться: 2, нравится: 2, понравилось: 2, спасибо: 2, благодарю: 2,
    благодарность: 2, поздравляю: 3, поздравление: 3, счастье: 3, счастливый: 3, радость: 3, рад: 3, рада: 3, радоваться: 3,
    красивый: 3, красиво: 3, красота: 3, милый: 2, мило: 2, добрый: 2, лучший: 3, лучше: 2, удача: 2, удачи: 2,
    успех: 2, успешный: 2, молодец: 3, умница: 3, браво: 3, ура: 3, ах: 0, хаха: 2, ахаха: 2, ахах: 2, ха: 1, лол: 1,
    праздник: 2, интересный: 2, интересно: 1, весёлый: 2, веселый: 2, смешно: 2, вкусный: 3, вкусно: 3, рекомендую: 3,
    доволен: 2, довольна: 2, восторг: 4, восхитительный: 4, обожаю: 4, обожать: 4, кайф: 3, няшка: 2, здорово: 3,
    плохой: -3, плохо: -3, ужасный: -4, ужасно: -3, ужас: -3, кошмар: -3, отвратительный: -4, отвратительно: -4,
    мерзкий: -4, гадкий: -3, противный: -3, ненавижу: -4, ненависть: -4, ненавидеть: -4, грустный: -2, грустно: -2,
    грусть: -2, печаль: -2, печально: -2, жаль: -2, жалко: -2, обидно: -2, больно: -2, боль: -2, страшно: -2, страх: -2,
    скучно: -2, скучный: -2, тупой: -3, дурак: -3, идиот: -3, дебил: -4, бред: -3, отстой: -3, фигня: -2, хрень: -3,
    хуже: -2, худший: -3, злой: -2, зло: -2, бесит: -3, бесить: -3, раздражает: -2, проблема: -1, беда: -3,
    разочарован: -2, разочарование: -2, обман: -3, развод: -2, мошенник: -3, сломался: -2, сломан: -2, умер: -3,
    смерть: -3, убить: -3, война: -2, катастрофа: -3, позор: -3, стыдно: -2, устал: -2, устала: -2, тоска: -2,
    сожалею: -2, увы: -2, провал: -3, слабый: -1, скандал: -2, скорбим: -3, скорбь: -3, соболезную: -2,
    соболезнования: -2, жесть: -2, пипец: -3, блин: -1, задолбали: -3, достали: -2, лох: -2, урод: -3, фу: -2,
  },
};

/**
 * Russian swearing and insults, matched by root at the start of a word (after a common verb prefix),
 * because their inflected and derived forms are too many to list. They mostly mark anger or contempt;
 * used as a friendly intensifier ("красавчик, бля") they still lean negative in comments.
 */
export const RU_ABUSE_ROOTS = /^(?:за|вы|на|от|у|по|до|при|рас|раз|съ|об|о|пере|недо)?(?:пизд|хуй|хуе|хуё|ёб|еб[аулн]|бля|говн|дерьм|муда|мудил|долбо|долба|сук[аиу]|сучк|мраз|ублюд|гнид|твар[ьи]|сволоч|педик|гандон|дебил|идиот)/;
/** Valence of a word matching {@link RU_ABUSE_ROOTS}. */
export const RU_ABUSE_VALENCE = -3;

const SV: LanguageRules = {
  stopwords: words(`och att det som är en ett jag inte på med för har de den till av om så var men kan vi du han hon vad nu
    bara mig dig sig min din mitt ditt er vår när från eller också hur där här ska skulle blir blev kommer får fick mycket
    i alla allt ju nog då efter över upp ut igen aldrig någon något några sin sitt sina dem denna detta dessa`),
  negators: words('inte ej aldrig ingen inget inga icke utan varken'),
  boosters: new Map([
    ...[...words('mycket väldigt jätte jättemycket så otroligt extremt riktigt verkligen helt grymt sjukt asså supermycket totalt')].map((w) => [w, 1.3] as const),
    ...[...words('lite ganska något nästan knappt typ')].map((w) => [w, 0.6] as const),
  ]),
  contrast: words('men fast dock ändå'),
  verbOnly: new Set(),
  likeSubjects: new Set(),
  seeds: {
    bra: 3, jättebra: 4, toppen: 4, underbar: 4, underbart: 4, härlig: 3, härligt: 3, kul: 3, roligt: 3, rolig: 3, grym: 3,
    grymt: 3, snygg: 3, snyggt: 3, fin: 2, fint: 2, fina: 2, vacker: 3, vackert: 3, söt: 2, sött: 2, gullig: 3, gulligt: 3,
    älskar: 4, älska: 4, älskade: 3, kärlek: 3, tack: 2, tacksam: 3, grattis: 3, lycka: 3, lycklig: 3, glad: 3, glada: 3,
    gladare: 3, bäst: 3, bästa: 3, bättre: 2, fantastisk: 4, fantastiskt: 4, perfekt: 3, najs: 2, mysigt: 3, mys: 2,
    haha: 2, hahaha: 2, hehe: 1, wow: 2, heja: 2, ledsen: -2, ledsna: -2, tråkig: -2, tråkigt: -2, dålig: -3, dåligt: -3,
    sämst: -3, sämre: -2, hemsk: -3, hemskt: -3, hatar: -4, hat: -3, arg: -3, sur: -2, trött: -2, jobbig: -2, jobbigt: -2,
    ont: -2, synd: -2, fan: -2, skit: -3, skitdålig: -4, äcklig: -3, äckligt: -3, usel: -3, värdelös: -3, idiot: -3,
    tyvärr: -2, rädd: -2, läskigt: -2, vidrig: -4, vidrigt: -4, fruktansvärt: -4, förbannad: -3, besviken: -2, gråter: -2,
    saknar: -1, död: -2, dog: -2, orättvist: -2, korkad: -3, pinsamt: -2,
  },
};

/** Rules for every language Herald scores with its own lexicon. */
export const LANGUAGE_RULES: Readonly<Record<SentimentLanguage, LanguageRules>> = { en: EN, ru: RU, sv: SV };

/** How many words after a negator it reaches (the lexicon rules and the English classifier's `¬` mark). */
export const NEGATION_REACH = 3;

/** Punctuation that ends a clause: a negation does not reach across it. */
export const CLAUSE_END: ReadonlySet<string> = new Set(['.', ',', ';', ':', '?', '!', '…']);

/** True for a negator of `lang`, including any English "…n't" contraction. */
export function isNegator(lang: SentimentLanguage, word: string): boolean {
  return LANGUAGE_RULES[lang].negators.has(word) || (lang === 'en' && word.endsWith("n't"));
}
