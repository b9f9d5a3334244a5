// The words of a sentence as the features see them, read without any knowledge of who wrote the text:
// capitalised words (names of people, places, companies, products: the SUBJECT and often the VALUE of
// a fact), other content words (what KIND of fact it is), numbers, and function words, which say
// nothing about which fact a sentence states and are left out.

/** The words of one sentence, lowercased, by kind. */
export interface SentenceTokens {
  /** Every word, lowercased, in order (duplicates kept): equal lists are the same sentence. */
  readonly all: readonly string[];
  /** Capitalised words that are not a sentence-opening function word, possessives stripped. */
  readonly names: ReadonlySet<string>;
  /** Adjacent pairs of capitalised words ("ada lovelace"): a full name, not a shared first name. */
  readonly namePairs: ReadonlySet<string>;
  /** Lowercase words that are not function words or numbers. */
  readonly content: ReadonlySet<string>;
  readonly numbers: ReadonlySet<string>;
}

const WORD = /[\p{L}\p{N}_]+(?:['’][\p{L}]+)*/gu;
const POSSESSIVE = /['’]s?$/u;
const CAPITALISED = /^\p{Lu}/u;
const NUMBER = /^\p{N}+$/u;

// English function words: articles, pronouns, auxiliaries, prepositions, conjunctions. A capitalised
// one opening a sentence ("The", "A") is not a name.
const FUNCTION_WORDS = new Set(
  (
    "a an the this that these those of in on at to for from by with as into onto out over under about " +
    "and or but nor so if then than is are was were be been being am has have had do does did will " +
    "would shall should can could may might must it its he she his her hers him their theirs they them " +
    "we our ours us you your yours i my mine me who whom whose which what where when why how there here " +
    "not no yes up down off very just also now still again all any each some such only own same too"
  ).split(" "),
);

export function isFunctionWord(word: string): boolean {
  return FUNCTION_WORDS.has(word);
}

/** Reads one sentence's words. */
export function sentenceTokens(text: string): SentenceTokens {
  const all: string[] = [];
  const names = new Set<string>();
  const namePairs = new Set<string>();
  const content = new Set<string>();
  const numbers = new Set<string>();
  let previousName: string | undefined;
  const words = [...text.matchAll(WORD)].map((match) => match[0]);
  for (const [position, raw] of words.entries()) {
    const bare = raw.replace(POSSESSIVE, "");
    const lower = bare.toLowerCase();
    if (lower.length === 0) continue;
    all.push(lower);
    if (NUMBER.test(lower)) {
      numbers.add(lower);
      previousName = undefined;
      continue;
    }
    // English capitalises the first word of every sentence: it is a name only when it is part of a
    // longer name ("Ada Lovelace retrained") or possessive ("Petrov's"), not in "Mascot of X became Y".
    const opensSentence = position === 0 && bare === raw && !CAPITALISED.test(words[1] ?? "");
    if (CAPITALISED.test(bare) && !FUNCTION_WORDS.has(lower) && !opensSentence) {
      names.add(lower);
      if (previousName !== undefined) namePairs.add(`${previousName} ${lower}`);
      // A possessive ends a name: "Ada's Engine" names two things.
      previousName = bare === raw ? lower : undefined;
      continue;
    }
    previousName = undefined;
    if (!FUNCTION_WORDS.has(lower)) content.add(lower);
  }
  return { all, names, namePairs, content, numbers };
}
