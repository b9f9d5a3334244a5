// The conversational suite of the agent's memory (issue #18): 48 scripted conversations of a user
// telling an agent about themselves, in four categories of 12:
//
// - changed: a fact, other facts, then the fact restated with a new value ("Actually my dog is called
//   Max now.");
// - correction: a fact, then a correction naming the old value ("Correction: I live in York, not Leeds.");
// - unrelated: four facts of different kinds in a row, each asked about (none may replace another);
// - distractor: facts, then questions about things never said (recall should return nothing).
//
// Each question names its current value and, for changed facts, the stale one. Conversations are built
// from the templates below with a seeded choice of templates and values, so the suite is fixed by this
// file: changing it changes what the figures mean.
import { createSeededRandom } from "@finemem/utils";

/** A kind of fact: how it is said, changed, corrected and asked, and the values it takes. */
const TEMPLATES = [
  {
    kind: "dog",
    say: (v) => `My dog is called ${v}.`,
    change: (v) => `Actually my dog is called ${v} now.`,
    correct: (v, old) => `Sorry, I got that wrong: my dog is called ${v}, not ${old}.`,
    ask: "What is my dog called?",
    values: ["Rex", "Max", "Bella", "Luna", "Biscuit", "Milo"],
  },
  {
    kind: "city",
    say: (v) => `I live in ${v}.`,
    change: (v) => `I moved last month, so I live in ${v} now.`,
    correct: (v, old) => `Correction: I live in ${v}, not ${old}.`,
    ask: "Where do I live?",
    values: ["Leeds", "York", "Bristol", "Glasgow", "Cardiff", "Norwich"],
  },
  {
    kind: "job",
    say: (v) => `I work as a ${v}.`,
    change: (v) => `I changed careers and now work as a ${v}.`,
    correct: (v, old) => `Oops, I work as a ${v}, not a ${old}.`,
    ask: "What do I work as?",
    values: ["nurse", "teacher", "pilot", "baker", "chemist", "plumber"],
  },
  {
    kind: "allergy",
    say: (v) => `I am allergic to ${v}.`,
    change: (v) => `It turns out I am allergic to ${v} instead.`,
    correct: (v, old) => `To correct myself: I am allergic to ${v}, not ${old}.`,
    ask: "What am I allergic to?",
    values: ["peanuts", "shellfish", "pollen", "gluten", "penicillin", "latex"],
  },
  {
    kind: "colour",
    say: (v) => `My favourite colour is ${v}.`,
    change: (v) => `These days my favourite colour is ${v}.`,
    correct: (v, old) => `My mistake, my favourite colour is ${v}, not ${old}.`,
    ask: "What is my favourite colour?",
    values: ["green", "blue", "orange", "purple", "yellow", "teal"],
  },
  {
    kind: "car",
    say: (v) => `I drive a ${v}.`,
    change: (v) => `I sold my old car and drive a ${v} now.`,
    correct: (v, old) => `Let me correct that: I drive a ${v}, not a ${old}.`,
    ask: "What car do I drive?",
    values: ["Volvo", "Toyota", "Fiat", "Skoda", "Honda", "Renault"],
  },
  {
    kind: "sister",
    say: (v) => `My sister Anna lives in ${v}.`,
    change: (v) => `My sister Anna moved and lives in ${v} now.`,
    correct: (v, old) => `Correction: my sister Anna lives in ${v}, not ${old}.`,
    ask: "Where does my sister Anna live?",
    values: ["Berlin", "Madrid", "Lisbon", "Vienna", "Oslo", "Prague"],
  },
  {
    kind: "partner",
    say: (v) => `My partner is called ${v}.`,
    change: (v) => `I have a new partner now, my partner is called ${v}.`,
    correct: (v, old) => `Sorry, my partner is called ${v}, not ${old}.`,
    ask: "What is my partner called?",
    values: ["Sam", "Alex", "Jordan", "Robin", "Kim", "Chris"],
  },
  {
    kind: "coffee",
    say: (v) => `I take my coffee ${v}.`,
    change: (v) => `Lately I take my coffee ${v}.`,
    correct: (v, old) => `Actually no, I take my coffee ${v}, not ${old}.`,
    ask: "How do I take my coffee?",
    values: ["black", "with oat milk", "with sugar", "with cream", "iced", "decaf"],
  },
  {
    kind: "gym",
    say: (v) => `I go to the gym on ${v}.`,
    change: (v) => `My schedule changed, I go to the gym on ${v} now.`,
    correct: (v, old) => `I misspoke, I go to the gym on ${v}, not ${old}.`,
    ask: "When do I go to the gym?",
    values: ["Mondays", "Tuesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"],
  },
  {
    kind: "phone",
    say: (v) => `My phone is a ${v}.`,
    change: (v) => `I upgraded, my phone is a ${v} now.`,
    correct: (v, old) => `Wait, my phone is a ${v}, not a ${old}.`,
    ask: "What phone do I have?",
    values: ["Pixel", "iPhone", "Galaxy", "Nokia", "Xperia", "Moto"],
  },
  {
    kind: "language",
    say: (v) => `I am learning ${v}.`,
    change: (v) => `I stopped that and I am learning ${v} now.`,
    correct: (v, old) => `I meant that I am learning ${v}, not ${old}.`,
    ask: "What language am I learning?",
    values: ["Spanish", "Japanese", "German", "Italian", "Korean", "Welsh"],
  },
];

/** Questions about things no conversation mentions. */
const DISTRACTOR_QUESTIONS = [
  "What is the capital of France?",
  "How tall is Mount Everest?",
  "Who wrote Hamlet?",
  "What time does the bank open?",
  "How many moons does Jupiter have?",
  "What is the boiling point of water?",
  "Who painted the Mona Lisa?",
  "What is the speed of light?",
];

const ACKNOWLEDGEMENTS = ["Noted, thanks for telling me.", "Got it!", "Thanks, I will remember that.", "Understood."];

function pick(random, list) {
  return list[random.int(list.length)];
}

function twoValues(random, template) {
  const first = random.int(template.values.length);
  const second = (first + 1 + random.int(template.values.length - 1)) % template.values.length;
  return [template.values[first], template.values[second]];
}

/** Templates other than `except`, in a seeded order. */
function others(random, except, count) {
  const pool = TEMPLATES.filter((template) => template !== except);
  const chosen = [];
  while (chosen.length < count) {
    const template = pool.splice(random.int(pool.length), 1)[0];
    chosen.push(template);
  }
  return chosen;
}

function userAndReply(random, content) {
  return [
    { role: "user", content },
    { role: "assistant", content: pick(random, ACKNOWLEDGEMENTS) },
  ];
}

/**
 * The 48 conversations: `{ id, category, turns: [{ role, content }], questions: [{ text, current,
 * stale }] }` (`current` is null for a distractor question; `stale` is null when nothing changed).
 */
export function conversationSuite(seed = "conversation-suite-v1") {
  const random = createSeededRandom(seed);
  const conversations = [];
  for (let index = 0; index < 12; index++) {
    const template = TEMPLATES[index % TEMPLATES.length];
    // changed
    {
      const [old, current] = twoValues(random, template);
      const fillers = others(random, template, 2);
      const turns = [
        ...userAndReply(random, template.say(old)),
        ...fillers.flatMap((filler) => userAndReply(random, filler.say(pick(random, filler.values)))),
        ...userAndReply(random, template.change(current)),
      ];
      conversations.push({
        id: `changed-${index}`,
        category: "changed",
        turns,
        questions: [{ text: template.ask, current, stale: old }],
      });
    }
    // correction
    {
      const [old, current] = twoValues(random, template);
      const filler = others(random, template, 1)[0];
      const turns = [
        ...userAndReply(random, template.say(old)),
        ...userAndReply(random, filler.say(pick(random, filler.values))),
        ...userAndReply(random, template.correct(current, old)),
      ];
      conversations.push({
        id: `correction-${index}`,
        category: "correction",
        turns,
        questions: [{ text: template.ask, current, stale: old }],
      });
    }
    // unrelated
    {
      const kinds = [template, ...others(random, template, 3)];
      const facts = kinds.map((kind) => ({ kind, value: pick(random, kind.values) }));
      const turns = facts.flatMap(({ kind, value }) => userAndReply(random, kind.say(value)));
      conversations.push({
        id: `unrelated-${index}`,
        category: "unrelated",
        turns,
        questions: facts.map(({ kind, value }) => ({ text: kind.ask, current: value, stale: null })),
      });
    }
    // distractor
    {
      const kinds = [template, ...others(random, template, 2)];
      const turns = kinds.flatMap((kind) => userAndReply(random, kind.say(pick(random, kind.values))));
      const asked = [pick(random, DISTRACTOR_QUESTIONS), pick(random, DISTRACTOR_QUESTIONS)];
      conversations.push({
        id: `distractor-${index}`,
        category: "distractor",
        turns,
        questions: [...new Set(asked)].map((text) => ({ text, current: null, stale: null })),
      });
    }
  }
  return conversations;
}
