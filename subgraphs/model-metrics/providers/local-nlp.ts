/**
 * Named entities, keywords and extractive summaries with `compromise`, whose lexicon and
 * tagger ship inside the package. Everything here is rule-based and ordered by position
 * or by (frequency, first position), so results are deterministic for a fixed input.
 */
import nlp from 'compromise';

import {
  type InferenceOptions,
  type InferenceOutput,
  type Provider,
  ProviderError,
  countWords,
} from './provider';

export const LOCAL_NLP_MODEL = 'compromise-nlp';

const TASK_TYPES = ['entities', 'keywords', 'summarize'] as const;
type NlpTaskType = (typeof TASK_TYPES)[number];

/** Keywords returned at most. */
const MAX_KEYWORDS = 10;
/** Sentences an extractive summary keeps at most. */
const MAX_SUMMARY_SENTENCES = 3;

export interface EntitiesResult {
  people: string[];
  places: string[];
  organizations: string[];
}

export interface KeywordsResult {
  keywords: Array<{ keyword: string; count: number }>;
}

export interface SummaryResult {
  summary: string;
  /** Indexes (0-based) of the chosen sentences in the input, in input order. */
  sentences: number[];
}

type Doc = ReturnType<typeof nlp>;

export function createLocalNlpProvider(): Provider {
  return {
    name: 'local-nlp',
    models: [{ name: LOCAL_NLP_MODEL, taskTypes: TASK_TYPES }],
    async infer(
      taskType: string,
      input: string,
      options: InferenceOptions,
    ): Promise<InferenceOutput> {
      if (!isNlpTaskType(taskType)) {
        throw new ProviderError(
          'rejected',
          `${LOCAL_NLP_MODEL} does not run ${taskType}`,
          'unsupported_task',
        );
      }
      options.signal.throwIfAborted();

      const doc = nlp(input);
      const inputUnits = countWords(input);
      switch (taskType) {
        case 'entities': {
          const result = extractEntities(doc);
          const found = result.people.length + result.places.length + result.organizations.length;
          return { result, inputUnits, outputUnits: found };
        }
        case 'keywords': {
          const result: KeywordsResult = { keywords: rankKeywords(doc).slice(0, MAX_KEYWORDS) };
          return { result, inputUnits, outputUnits: result.keywords.length };
        }
        case 'summarize': {
          const result = summarize(doc);
          return { result, inputUnits, outputUnits: countWords(result.summary) };
        }
        default:
          return unreachableTask(taskType);
      }
    },
    health: () => ({ state: 'up' }),
  };
}

function isNlpTaskType(taskType: string): taskType is NlpTaskType {
  return (TASK_TYPES as readonly string[]).includes(taskType);
}

function extractEntities(doc: Doc): EntitiesResult {
  return {
    people: distinctTexts(doc.people()),
    places: distinctTexts(doc.places()),
    organizations: distinctTexts(doc.organizations()),
  };
}

/** Each match's words without surrounding punctuation, first occurrence first, no repeats. */
function distinctTexts(matches: { json(): unknown }): string[] {
  const seen = new Set<string>();
  const texts: string[] = [];
  for (const match of matches.json() as MatchJson[]) {
    const text = match.terms.map((term) => term.text).join(' ');
    const key = text.toLowerCase();
    if (text.length > 0 && !seen.has(key)) {
      seen.add(key);
      texts.push(text);
    }
  }
  return texts;
}

interface MatchJson {
  terms: Array<{ text: string; normal: string }>;
}

/** Nouns (not pronouns) by normalized form, ranked by count, ties by first appearance. */
function rankKeywords(doc: Doc): Array<{ keyword: string; count: number }> {
  const counts = new Map<string, { count: number; first: number }>();
  let position = 0;
  for (const match of doc.match('#Noun').not('#Pronoun').json() as MatchJson[]) {
    for (const term of match.terms) {
      const keyword = term.normal;
      if (keyword.length < 2) continue;
      const entry = counts.get(keyword);
      if (entry) entry.count += 1;
      else counts.set(keyword, { count: 1, first: position });
      position += 1;
    }
  }
  return [...counts.entries()]
    .sort(([, a], [, b]) => b.count - a.count || a.first - b.first)
    .map(([keyword, { count }]) => ({ keyword, count }));
}

/**
 * Scores each sentence by the frequencies of the keywords it holds, divided by the
 * square root of its length so long sentences do not win by size alone; keeps the best
 * third (at most three) in their original order.
 */
function summarize(doc: Doc): SummaryResult {
  const sentences = doc.sentences();
  const texts = sentences.out('array') as string[];
  if (texts.length <= 1)
    return { summary: texts.join(' ').trim(), sentences: texts.map((_, index) => index) };

  const frequency = new Map(rankKeywords(doc).map(({ keyword, count }) => [keyword, count]));
  const scored = (sentences.json() as MatchJson[]).map((sentence, index) => {
    const weight = sentence.terms.reduce((sum, term) => sum + (frequency.get(term.normal) ?? 0), 0);
    return { index, score: weight / Math.sqrt(Math.max(sentence.terms.length, 1)) };
  });

  const keep = Math.min(MAX_SUMMARY_SENTENCES, Math.ceil(texts.length / 3));
  const chosen = scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, keep)
    .map(({ index }) => index)
    .sort((a, b) => a - b);
  return { summary: chosen.map((index) => texts[index]?.trim()).join(' '), sentences: chosen };
}

function unreachableTask(taskType: never): never {
  throw new Error(`unhandled task type ${String(taskType)}`);
}
