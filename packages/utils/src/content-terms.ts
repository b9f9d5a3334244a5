/**
 * The content words of a sentence, as conversational memory compares statements and questions: the
 * words, lowercased, less English function words (articles, pronouns, auxiliaries, prepositions,
 * question words) and the words that announce a change or a correction rather than state a fact
 * ("actually", "now", "instead", "sorry") or make conversation ("thanks", "hello"), each reduced by a light suffix rule so that "lives" meets
 * "live" and "called" meets "call". No stemmer library: the rule is small, deterministic, and the same
 * for the memory policy that writes and the recall that reads.
 */

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

// Function words, question words, and the words people use to announce a change or a correction.
const NON_CONTENT = new Set(
  (
    "a an the this that these those of in on at to for from by with as into onto out over under about " +
    "after before than then and or but nor so if because while though although is are was were be been being " +
    "am has have had having do does did doing will would shall should can could may might must " +
    "it its it's he she his her hers him they them their theirs we us our ours you your yours i me my mine " +
    "myself i'm i've i'd i'll you're he's she's we're they're that's there's what's " +
    "what which who whom whose where when why how there here not no yes " +
    "very just also too still again all any each some such only own same really quite " +
    "actually now currently anymore instead lately recently nowadays days sorry oops correction correct " +
    "mistake wrong meant misspoke wait turns turned let new last got get " +
    "thanks thank please hello hi hey okay ok sure bye goodbye welcome yeah yep nope"
  ).split(" "),
);

/** Reduces a lowercased word by one light suffix rule ("lives" → "live", "called" → "call"). */
export function lightStem(word: string): string {
  if (word.length > 4 && word.endsWith("ies")) return `${word.slice(0, -3)}y`;
  if (word.length > 5 && word.endsWith("ing")) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith("ed")) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("es") && /(?:ss|x|ch|sh)es$/u.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith("s") && !word.endsWith("ss") && !word.endsWith("us")) return word.slice(0, -1);
  return word;
}

/** The content words of `text`, lowercased and lightly stemmed, in order (repeats kept). */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0].toLowerCase().replace("’", "'");
    if (NON_CONTENT.has(word)) continue;
    const bare = word.endsWith("'s") ? word.slice(0, -2) : word;
    if (bare.length === 0 || NON_CONTENT.has(bare)) continue;
    terms.push(lightStem(bare));
  }
  return terms;
}
