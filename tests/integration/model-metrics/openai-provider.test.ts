import { createOpenAiCompatibleProvider } from '../../../subgraphs/model-metrics/providers/openai-compatible';
import type { Provider } from '../../../subgraphs/model-metrics/providers/provider';
import {
  type ChatCompletionsStandIn,
  startChatCompletionsStandIn,
} from './chat-completions-stand-in';

describe('OpenAI-compatible provider against a chat-completions stand-in', () => {
  let standIn: ChatCompletionsStandIn;
  let provider: Provider;

  beforeAll(async () => {
    standIn = await startChatCompletionsStandIn();
    provider = createOpenAiCompatibleProvider({
      name: 'stand-in',
      baseUrl: standIn.baseUrl,
      apiKey: standIn.apiKey,
      models: [
        { name: 'small', remoteName: 'small-remote', taskTypes: ['generate', 'summarize'] },
        { name: 'other', taskTypes: ['generate'] },
      ],
    });
  });
  afterAll(async () => {
    await provider.close?.();
    await standIn.close();
  });
  beforeEach(() => standIn.behaviour.clear());

  const call = (model: string, timeoutMs = 2_000) =>
    provider.infer('summarize', 'three little words', {
      model,
      signal: AbortSignal.timeout(timeoutMs),
    });

  it('sends a chat completion with the remote model name and reads content and token usage', async () => {
    await expect(call('small')).resolves.toEqual({
      result: { text: 'echo: three little words', finish_reason: 'stop' },
      inputUnits: 13,
      outputUnits: 4,
    });
    expect(standIn.lastRequest).toMatchObject({
      model: 'small-remote',
      temperature: 0,
      messages: [
        { role: 'system', content: expect.stringContaining('Summarize') },
        { role: 'user', content: 'three little words' },
      ],
    });
    expect(provider.health()).toMatchObject({ state: 'up', consecutive_failures: 0 });
  });

  it.each([
    [400, 'rejected', 'http_400'],
    [404, 'rejected', 'http_404'],
    [429, 'unavailable', 'http_429'],
    [500, 'unavailable', 'http_500'],
    [503, 'unavailable', 'http_503'],
  ])('classifies HTTP %i as %s and keeps the vendor message', async (status, kind, errorClass) => {
    standIn.behaviour.set('small-remote', { kind: 'status', status });
    await expect(call('small')).rejects.toMatchObject({
      name: 'ProviderError',
      kind,
      errorClass,
      message: `stand-in answered ${status}: stand-in answers ${status}`,
    });
  });

  it('rejects with http_401 when the key is wrong', async () => {
    const wrongKey = createOpenAiCompatibleProvider({
      name: 'wrong-key',
      baseUrl: standIn.baseUrl,
      apiKey: 'sk-wrong',
      models: [{ name: 'small', taskTypes: ['generate'] }],
    });
    await expect(
      wrongKey.infer('generate', 'hi', { model: 'small', signal: AbortSignal.timeout(2_000) }),
    ).rejects.toMatchObject({
      kind: 'rejected',
      errorClass: 'http_401',
      message: expect.stringContaining('Incorrect API key'),
    });
    await wrongKey.close?.();
  });

  it.each([
    ['a body that is not JSON', { kind: 'not_json' } as const],
    ['a completion without choices', { kind: 'no_choices' } as const],
  ])('calls %s a bad reply', async (_name, behaviour) => {
    standIn.behaviour.set('small-remote', behaviour);
    await expect(call('small')).rejects.toMatchObject({
      kind: 'bad_reply',
      errorClass: 'bad_reply',
    });
  });

  it('gives up when the signal aborts and reports a timeout', async () => {
    standIn.behaviour.set('small-remote', { kind: 'hang' });
    const started = Date.now();
    await expect(call('small', 200)).rejects.toMatchObject({
      kind: 'timeout',
      errorClass: 'timeout',
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports unavailability when nothing listens', async () => {
    const nowhere = createOpenAiCompatibleProvider({
      name: 'nowhere',
      baseUrl: 'http://127.0.0.1:9/v1',
      models: [{ name: 'm', taskTypes: ['generate'] }],
    });
    await expect(
      nowhere.infer('generate', 'hi', { model: 'm', signal: AbortSignal.timeout(2_000) }),
    ).rejects.toMatchObject({
      kind: 'unavailable',
      errorClass: 'connection_econnrefused',
    });
    await nowhere.close?.();
  });

  it('turns degraded, then down after three failures in a row, and up after a success', async () => {
    await call('small'); // earlier tests left failures behind
    standIn.behaviour.set('other', { kind: 'status', status: 502 });
    await call('other').catch(() => undefined);
    expect(provider.health()).toMatchObject({ state: 'degraded', reason: 'http_502' });
    await call('other').catch(() => undefined);
    await call('other').catch(() => undefined);
    expect(provider.health()).toMatchObject({ state: 'down', consecutive_failures: 3 });
    await call('small');
    expect(provider.health()).toMatchObject({ state: 'up' });
  });
});
