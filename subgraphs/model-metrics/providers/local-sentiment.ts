/**
 * Sentiment with the AFINN-165 word list shipped in the `sentiment` package: a sum of
 * word valences, so the same text always gets the same answer and no network is needed.
 */
import Sentiment from 'sentiment';

import {
  type InferenceOptions,
  type InferenceOutput,
  type Provider,
  ProviderError,
} from './provider';

export const LOCAL_SENTIMENT_MODEL = 'afinn-sentiment';

export interface SentimentResult {
  label: 'positive' | 'negative' | 'neutral';
  /** Sum of AFINN valences (-5..5 per word). */
  score: number;
  /** score divided by the number of tokens. */
  comparative: number;
  positive: string[];
  negative: string[];
}

export function createLocalSentimentProvider(): Provider {
  const analyzer = new Sentiment();

  return {
    name: 'local-sentiment',
    models: [{ name: LOCAL_SENTIMENT_MODEL, taskTypes: ['sentiment'] }],
    async infer(
      taskType: string,
      input: string,
      options: InferenceOptions,
    ): Promise<InferenceOutput> {
      if (taskType !== 'sentiment') {
        throw new ProviderError(
          'rejected',
          `${LOCAL_SENTIMENT_MODEL} does not run ${taskType}`,
          'unsupported_task',
        );
      }
      options.signal.throwIfAborted();

      const analysis = analyzer.analyze(input);
      const result: SentimentResult = {
        label: analysis.score > 0 ? 'positive' : analysis.score < 0 ? 'negative' : 'neutral',
        score: analysis.score,
        comparative: roundTo(analysis.comparative, 6),
        positive: analysis.positive,
        negative: analysis.negative,
      };
      return { result, inputUnits: analysis.tokens.length, outputUnits: 1 };
    },
    health: () => ({ state: 'up' }),
  };
}

function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
