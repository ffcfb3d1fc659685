import {
  createLocalNlpProvider,
  LOCAL_NLP_MODEL,
} from '../../../subgraphs/model-metrics/providers/local-nlp';
import {
  createLocalSentimentProvider,
  LOCAL_SENTIMENT_MODEL,
} from '../../../subgraphs/model-metrics/providers/local-sentiment';
import { ProviderError } from '../../../subgraphs/model-metrics/providers/provider';

const NEWS =
  'Barack Obama met Angela Merkel in Berlin on Tuesday to discuss Google and the United Nations. ' +
  'The weather was cold. Microsoft announced a new product in Seattle. The product is a phone. ' +
  'Critics said the phone is expensive, and Microsoft said the phone ships in May. Nobody knows why.';

const run = (
  provider: ReturnType<typeof createLocalNlpProvider>,
  model: string,
  taskType: string,
  input: string,
) => provider.infer(taskType, input, { model, signal: new AbortController().signal });

describe('local sentiment provider (AFINN)', () => {
  const provider = createLocalSentimentProvider();
  const sentiment = (input: string) => run(provider, LOCAL_SENTIMENT_MODEL, 'sentiment', input);

  it('labels positive, negative and neutral text with AFINN scores', async () => {
    await expect(sentiment('I love this great product')).resolves.toEqual({
      result: {
        label: 'positive',
        score: 6,
        comparative: 1.2,
        positive: ['great', 'love'],
        negative: [],
      },
      inputUnits: 5,
      outputUnits: 1,
    });
    // AFINN rates "support" +2, so -3 - 3 + 2.
    const negative = await sentiment('The delivery was terrible and the support was awful.');
    expect(negative.result).toMatchObject({
      label: 'negative',
      score: -4,
      negative: ['awful', 'terrible'],
    });
    const neutral = await sentiment('The parcel arrived on Tuesday.');
    expect(neutral.result).toMatchObject({ label: 'neutral', score: 0, comparative: 0 });
  });

  it('answers the same for the same input', async () => {
    const text = 'Good service, bad food, excellent view.';
    expect(await sentiment(text)).toEqual(await sentiment(text));
  });

  it('refuses task types it does not serve and aborted calls', async () => {
    await expect(run(provider, LOCAL_SENTIMENT_MODEL, 'summarize', 'text')).rejects.toBeInstanceOf(
      ProviderError,
    );
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(
      provider.infer('sentiment', 'good', {
        model: LOCAL_SENTIMENT_MODEL,
        signal: controller.signal,
      }),
    ).rejects.toThrow('gone');
  });
});

describe('local NLP provider (compromise)', () => {
  const provider = createLocalNlpProvider();

  it('finds people, places and organizations without punctuation or repeats', async () => {
    const answer = await run(provider, LOCAL_NLP_MODEL, 'entities', NEWS);
    expect(answer).toEqual({
      result: {
        people: ['Barack Obama', 'Angela Merkel'],
        places: ['Berlin', 'Seattle'],
        organizations: ['Google', 'United Nations', 'Microsoft'],
      },
      inputUnits: 49,
      outputUnits: 7,
    });
  });

  it('ranks keywords by count, ties by first appearance', async () => {
    const answer = await run(provider, LOCAL_NLP_MODEL, 'keywords', NEWS);
    const keywords = (answer.result as { keywords: Array<{ keyword: string; count: number }> })
      .keywords;
    expect(keywords.slice(0, 4)).toEqual([
      { keyword: 'phone', count: 3 },
      { keyword: 'microsoft', count: 2 },
      { keyword: 'product', count: 2 },
      { keyword: 'barack', count: 1 },
    ]);
    expect(keywords).toHaveLength(10);
    expect(answer.outputUnits).toBe(10);
  });

  it('summarizes by extracting the best-scored sentences in input order', async () => {
    const answer = await run(provider, LOCAL_NLP_MODEL, 'summarize', NEWS);
    expect(answer.result).toEqual({
      summary:
        'Barack Obama met Angela Merkel in Berlin on Tuesday to discuss Google and the United Nations. ' +
        'Critics said the phone is expensive, and Microsoft said the phone ships in May.',
      sentences: [0, 4],
    });
    expect(answer.outputUnits).toBe(30);
    const single = await run(provider, LOCAL_NLP_MODEL, 'summarize', 'Only one sentence here.');
    expect(single.result).toEqual({ summary: 'Only one sentence here.', sentences: [0] });
  });

  it('answers the same for the same input, on every task type', async () => {
    for (const taskType of ['entities', 'keywords', 'summarize']) {
      expect(await run(provider, LOCAL_NLP_MODEL, taskType, NEWS)).toEqual(
        await run(provider, LOCAL_NLP_MODEL, taskType, NEWS),
      );
    }
  });

  it('refuses task types it does not serve', async () => {
    await expect(run(provider, LOCAL_NLP_MODEL, 'sentiment', NEWS)).rejects.toMatchObject({
      kind: 'rejected',
      errorClass: 'unsupported_task',
    });
  });
});
