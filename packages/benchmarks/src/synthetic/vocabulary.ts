/**
 * The words the synthetic benchmark is made of: invented entity names, one attribute table per entity
 * type, and per attribute one ORIGINAL statement template, several PARAPHRASE templates (used when a
 * later chunk changes the value) and one QUESTION template.
 *
 * The templates are designed around Mem-α's BM25 retrieval (the question text is the query, tokens
 * are lowercase runs of word characters, no stemming), so that two things hold for principled
 * reasons rather than by luck: over EVERYTHING ever said, a stale fact outranks its update; over a
 * PERFECT memory (only the latest fact per entity and attribute, as a manager that updates in place
 * holds it), the update is found. Each question's words fall into three groups:
 *
 * - the entity's name (two words, shared by every sentence about the entity);
 * - the attribute's CONTENT words, which no template of another attribute of the same entity type
 *   uses ("city", "residence"; "favourite", "colour"; "job", "title"; "head", "office"; ...);
 * - two common FUNCTION words that the original repeats and no paraphrase uses: "is" and the
 *   possessive "s" for persons ("What is X's job title?" ↔ "X's job title is V."), "the" and "is"
 *   for companies ("Who is the chief executive of X?" ↔ "The chief executive of X is V.").
 *
 * A paraphrase keeps the name and every content word but drops both function words ("X changed job
 * title to V.", "V was appointed chief executive of X."), and has exactly as many tokens as the
 * original (every value is one token). Hence:
 *
 * 1. Stale beats update. Every question word a paraphrase matches, the original matches as often,
 *    plus the two function words (two, since one could have an idf of exactly 0 in some corpus), and
 *    length normalisation treats both alike: score(original) > score(paraphrased update) for the
 *    fact's own question in any corpus, so a retriever over everything ever said returns the stale
 *    value whichever way ties break.
 * 2. The update wins once the stale fact is gone. The entity's other facts match the name and at
 *    most the function words, while the update matches the name and the attribute's content words,
 *    which are rarer (one attribute's sentences) than the function words (most sentences) and so
 *    weigh more. A namesake's fact on the same attribute (original template, sharing one name word)
 *    matches the content and function words but not the second name word; a name word is rarer than
 *    the function words, so the update usually wins that contest too, but not always: those are the
 *    misses the distractors are there to cause.
 *
 * `vocabulary.test.ts` checks these properties for every template with the real tokenizer, and
 * `synthetic-bm25-difficulty.test.ts` measures both retrievers on generated instances.
 *
 * Values are also chosen so that containment scoring (gold is a substring of the prediction) cannot
 * be satisfied by accident: no value is a substring of another value, of a name, or of a template's
 * fixed words (also checked by the test).
 */

/** The kinds of entity the generator invents. */
export type EntityType = "person" | "company";

/** Identifiers of the attributes; they appear in question metadata. */
export type AttributeId =
  | "home_city"
  | "favourite_colour"
  | "age"
  | "employer"
  | "pet"
  | "job_title"
  | "headquarters"
  | "chief_executive"
  | "best_seller"
  | "mascot";

/**
 * How a changed value is drawn: `categorical` picks another value of the pool; `increasing` (ages)
 * picks a value 1–5 above the old one, since an age that goes down would read as an error rather
 * than as news.
 */
export type ChangeRule = "categorical" | "increasing";

export interface AttributeDefinition {
  readonly id: AttributeId;
  readonly entityType: EntityType;
  /** Single-token values (see the module comment for why single tokens). */
  readonly values: readonly string[];
  readonly changeRule: ChangeRule;
  /**
   * Templates use `{entity}` and `{value}` placeholders, each exactly once; `{entity}'s` stands for
   * the possessive (see {@link possessive}).
   */
  readonly question: string;
  readonly original: string;
  readonly paraphrases: readonly string[];
}

/** Invented first names of persons. */
export const PERSON_FIRST_NAMES: readonly string[] = [
  "Alvena",
  "Brisca",
  "Corvin",
  "Dalmira",
  "Elowen",
  "Fennick",
  "Gisla",
  "Halvard",
  "Ilvane",
  "Jorunn",
  "Kasimir",
  "Liorra",
  "Marivel",
  "Nadrin",
  "Ottile",
  "Perrin",
  "Quenna",
  "Rasmira",
  "Sorvin",
  "Talwyn",
  "Ulvena",
  "Veska",
  "Wendral",
  "Yarrick",
  "Zelmira",
  "Aurik",
  "Belisande",
  "Cassiel",
  "Dorwin",
  "Emrys",
];

/** Invented last names of persons. */
export const PERSON_LAST_NAMES: readonly string[] = [
  "Quellmark",
  "Varnholt",
  "Ashgrove",
  "Brennick",
  "Caldwray",
  "Dunmere",
  "Everhollow",
  "Farrowby",
  "Grimsholt",
  "Hallowmere",
  "Ilverton",
  "Jessamond",
  "Kestwick",
  "Larkspire",
  "Morrowfen",
  "Northcott",
  "Oakenshaw",
  "Pellinore",
  "Quarrington",
  "Ravenhill",
  "Stormholt",
  "Thistlewood",
  "Umberfield",
  "Vantreight",
  "Wolverton",
  "Yarwood",
  "Zellicott",
  "Abernethy",
  "Blackmere",
  "Coppice",
];

/** Invented first words of company names. */
export const COMPANY_STEMS: readonly string[] = [
  "Orvane",
  "Kelbrook",
  "Zentrix",
  "Mavrel",
  "Quorline",
  "Tessary",
  "Brandor",
  "Calvex",
  "Dorvane",
  "Eskaro",
  "Fulgora",
  "Glimmora",
  "Hexwold",
  "Ionvale",
  "Jaxtor",
  "Korvell",
  "Lumaris",
  "Myrcott",
  "Nexora",
  "Opalwyn",
  "Praxell",
  "Quintara",
  "Rovanta",
  "Sylvex",
  "Trevalo",
  "Umbrant",
  "Velkora",
  "Wystan",
  "Xandril",
  "Yorvex",
];

/** Second words of company names; few of them, so that many companies share one. */
export const COMPANY_SUFFIXES: readonly string[] = [
  "Systems",
  "Foods",
  "Logistics",
  "Textiles",
  "Labs",
  "Foundry",
  "Holdings",
  "Dynamics",
  "Robotics",
  "Outfitters",
];

const AGES: readonly string[] = Array.from({ length: 49 }, (_, index) => String(21 + index));

export const ATTRIBUTES: readonly AttributeDefinition[] = [
  {
    id: "home_city",
    entityType: "person",
    values: [
      "Lisbon",
      "Tallinn",
      "Bergen",
      "Ghent",
      "Krakow",
      "Valencia",
      "Tampere",
      "Bologna",
      "Zagreb",
      "Ljubljana",
      "Porto",
      "Aarhus",
      "Bratislava",
      "Vilnius",
      "Salzburg",
      "Nantes",
      "Utrecht",
      "Galway",
      "Trieste",
      "Coimbra",
      "Riga",
      "Brno",
      "Debrecen",
      "Cork",
    ],
    changeRule: "categorical",
    question: "What is {entity}'s city of residence?",
    original: "{entity}'s city of residence is {value}.",
    paraphrases: [
      "{entity} changed city of residence to {value}.",
      "{entity} registered {value} as city of residence.",
      "{entity} moved city of residence to {value}.",
    ],
  },
  {
    id: "favourite_colour",
    entityType: "person",
    values: [
      "crimson",
      "turquoise",
      "amber",
      "violet",
      "magenta",
      "indigo",
      "ochre",
      "scarlet",
      "cobalt",
      "emerald",
      "lavender",
      "maroon",
      "saffron",
      "charcoal",
      "ivory",
      "mustard",
      "periwinkle",
      "vermilion",
      "cerulean",
      "chartreuse",
      "burgundy",
      "fuchsia",
      "apricot",
      "lilac",
    ],
    changeRule: "categorical",
    question: "What is {entity}'s favourite colour?",
    original: "{entity}'s favourite colour is {value}.",
    paraphrases: [
      "{entity} switched favourite colour to {value}.",
      "{entity} picked {value} as favourite colour.",
      "{entity} adopted {value} as favourite colour.",
    ],
  },
  {
    id: "age",
    entityType: "person",
    values: AGES,
    changeRule: "increasing",
    question: "What is {entity}'s age?",
    original: "{entity}'s age is {value} years.",
    paraphrases: [
      "{entity} turned {value} years of age.",
      "{entity} reached the age of {value}.",
      "{entity} has just reached age {value}.",
    ],
  },
  {
    id: "employer",
    entityType: "person",
    values: [
      "Brightwell",
      "Corvantis",
      "Halbrook",
      "Quintex",
      "Solvane",
      "Tarnwick",
      "Ulverin",
      "Vexadyne",
      "Wendmoor",
      "Zephra",
      "Norbeck",
      "Castorel",
      "Dravenport",
      "Ellwood",
      "Fairhaven",
      "Greystone",
      "Hollowell",
      "Ironbridge",
      "Kingsreach",
      "Lowmoor",
      "Merrow",
      "Nettleby",
      "Pendrake",
      "Rookhaven",
    ],
    changeRule: "categorical",
    question: "Which company is {entity}'s employer?",
    original: "{entity}'s employer is the company {value}.",
    paraphrases: [
      "{entity} switched employer to the company {value}.",
      "The company {value} became employer of {entity}.",
      "{entity} changed employer, joining the company {value}.",
    ],
  },
  {
    id: "pet",
    entityType: "person",
    values: [
      "Biscuit",
      "Pepper",
      "Mochi",
      "Waffles",
      "Pickles",
      "Noodle",
      "Clover",
      "Pretzel",
      "Tofu",
      "Nugget",
      "Sprocket",
      "Gizmo",
      "Marmalade",
      "Pudding",
      "Crumpet",
      "Dumpling",
      "Truffle",
      "Snickers",
      "Bramble",
      "Muffin",
      "Toffee",
      "Sherbet",
      "Custard",
      "Paprika",
    ],
    changeRule: "categorical",
    question: "What is {entity}'s pet called?",
    original: "{entity}'s pet is called {value}.",
    paraphrases: [
      "{entity} adopted a pet called {value}.",
      "A pet called {value} joined {entity}.",
      "{entity} rescued a pet called {value}.",
    ],
  },
  {
    id: "job_title",
    entityType: "person",
    values: [
      "dentist",
      "pilot",
      "librarian",
      "carpenter",
      "florist",
      "surveyor",
      "translator",
      "jeweller",
      "baker",
      "plumber",
      "nurse",
      "geologist",
      "cartographer",
      "tailor",
      "potter",
      "locksmith",
      "welder",
      "barber",
      "chemist",
      "bookbinder",
      "beekeeper",
      "glassblower",
      "pharmacist",
      "zoologist",
    ],
    changeRule: "categorical",
    question: "What is {entity}'s job title?",
    original: "{entity}'s job title is {value}.",
    paraphrases: [
      "{entity} changed job title to {value}.",
      "{entity} took the job title {value}.",
      "{entity} retrained for job title {value}.",
    ],
  },
  {
    id: "headquarters",
    entityType: "company",
    values: [
      "Rotterdam",
      "Hamburg",
      "Antwerp",
      "Marseille",
      "Gdansk",
      "Seville",
      "Turin",
      "Dublin",
      "Helsinki",
      "Uppsala",
      "Innsbruck",
      "Lausanne",
      "Leipzig",
      "Bilbao",
      "Genoa",
      "Plovdiv",
      "Tartu",
      "Kaunas",
      "Szeged",
      "Odense",
      "Malmo",
      "Graz",
      "Basel",
      "Lille",
    ],
    changeRule: "categorical",
    question: "Where is the head office of {entity}?",
    original: "The head office of {entity} is in {value}.",
    paraphrases: [
      "Head office of {entity} now sits in {value}.",
      "Head office of {entity} relocated to {value} recently.",
      "{entity} runs its head office out of {value}.",
    ],
  },
  {
    id: "chief_executive",
    entityType: "company",
    values: [
      "Ravelli",
      "Oyelaran",
      "Castellane",
      "Moravec",
      "Sundqvist",
      "Delacroix",
      "Fairbanks",
      "Ishikawa",
      "Kowalczyk",
      "Lindgren",
      "Marchetti",
      "Nakashima",
      "Okonkwo",
      "Petrov",
      "Quaresma",
      "Rosenthal",
      "Szabo",
      "Takahashi",
      "Uchenna",
      "Valdivia",
      "Whitcombe",
      "Xiang",
      "Yilmaz",
      "Zamora",
    ],
    changeRule: "categorical",
    question: "Who is the chief executive of {entity}?",
    original: "The chief executive of {entity} is {value}.",
    paraphrases: [
      "{value} was appointed chief executive of {entity}.",
      "{value} became chief executive of {entity} recently.",
      "{value} was named chief executive of {entity}.",
    ],
  },
  {
    id: "best_seller",
    entityType: "company",
    values: [
      "lantern",
      "kettle",
      "compass",
      "thermostat",
      "hammock",
      "telescope",
      "typewriter",
      "toaster",
      "harmonica",
      "backpack",
      "skateboard",
      "umbrella",
      "blender",
      "stapler",
      "metronome",
      "kayak",
      "sextant",
      "hourglass",
      "periscope",
      "gramophone",
      "tricycle",
      "wheelbarrow",
      "sundial",
      "barometer",
    ],
    changeRule: "categorical",
    question: "What is the best-selling product of {entity}?",
    original: "The best-selling product of {entity} is the {value}.",
    paraphrases: [
      "Sales crowned {value} as best-selling product of {entity}.",
      "A {value} became best-selling product of {entity} recently.",
      "Customers made {value} a best-selling product of {entity}.",
    ],
  },
  {
    id: "mascot",
    entityType: "company",
    values: [
      "falcon",
      "badger",
      "heron",
      "lynx",
      "walrus",
      "pelican",
      "bison",
      "marmot",
      "beaver",
      "panther",
      "gecko",
      "tortoise",
      "condor",
      "jackal",
      "puffin",
      "meerkat",
      "narwhal",
      "wombat",
      "hedgehog",
      "mongoose",
      "raccoon",
      "stork",
      "toucan",
      "coyote",
    ],
    changeRule: "categorical",
    question: "What is the mascot of {entity}?",
    original: "The mascot of {entity} is a {value}.",
    paraphrases: [
      "A cartoon {value} became mascot of {entity}.",
      "Fans of {entity} cheer a {value} mascot.",
      "Mascot of {entity} became a {value} recently.",
    ],
  },
];

/** The attribute table by id. */
export const ATTRIBUTE_BY_ID: ReadonlyMap<AttributeId, AttributeDefinition> = new Map(
  ATTRIBUTES.map((attribute) => [attribute.id, attribute]),
);

/** The attributes of one entity type, in table order. */
export function attributesOf(type: EntityType): readonly AttributeDefinition[] {
  return ATTRIBUTES.filter((attribute) => attribute.entityType === type);
}

/**
 * The possessive of a name: "Mara Okafor's", but "Orvane Systems'" for a name ending in "s", as
 * English writes it. Only person templates use the possessive (no person name ends in "s"); company
 * templates say "of X" instead, since most company suffixes end in "s" and their possessive would
 * lose the "s" token that the person templates rely on.
 */
export function possessive(entity: string): string {
  return entity.endsWith("s") ? `${entity}'` : `${entity}'s`;
}

/** Fills a template's `{entity}` (or `{entity}'s`) and `{value}` placeholders. */
export function renderTemplate(template: string, entity: string, value: string): string {
  return template.replace("{entity}'s", possessive(entity)).replace("{entity}", entity).replace("{value}", value);
}

/** Fills a question template's `{entity}` placeholder. */
export function renderQuestion(attribute: AttributeDefinition, entity: string): string {
  return attribute.question.replace("{entity}'s", possessive(entity)).replace("{entity}", entity);
}
