/**
 * A local stand-in for an OpenAI-compatible server: POST /v1/chat/completions over real
 * HTTP on 127.0.0.1, answering like the vendor does (chat.completion bodies, OpenAI-style
 * error bodies, 401 without the right Bearer key). `behaviour` per model lets a test make
 * one model fail, hang, answer garbage or slow down while others keep working.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StandInBehaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'not_json' }
  | { kind: 'no_choices' };

export interface ChatCompletionsStandIn {
  /** Base URL up to /v1. */
  baseUrl: string;
  apiKey: string;
  behaviour: Map<string, StandInBehaviour>;
  /** Requests received, per model name. */
  calls: Map<string, number>;
  lastRequest: Record<string, unknown> | undefined;
  close(): Promise<void>;
}

export async function startChatCompletionsStandIn(
  apiKey = 'sk-test-stand-in',
): Promise<ChatCompletionsStandIn> {
  const behaviour = new Map<string, StandInBehaviour>();
  const calls = new Map<string, number>();
  const hanging = new Set<ServerResponse>();
  const standIn = { lastRequest: undefined as Record<string, unknown> | undefined };

  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions')
      return sendJson(res, 404, vendorError('not found'));
    if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendJson(res, 401, vendorError('Incorrect API key provided.', 'invalid_api_key'));
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      model: string;
      messages: Array<{ role: string; content: string }>;
    };
    standIn.lastRequest = body;
    calls.set(body.model, (calls.get(body.model) ?? 0) + 1);

    const mode = behaviour.get(body.model) ?? { kind: 'ok' };
    switch (mode.kind) {
      case 'ok': {
        if (mode.delayMs) await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
        const user = body.messages.find((message) => message.role === 'user')?.content ?? '';
        const words = user.split(/\s+/).filter(Boolean).length;
        return sendJson(res, 200, {
          id: 'chatcmpl-standin',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `echo: ${user}` },
              finish_reason: 'stop',
            },
          ],
          usage: {
            prompt_tokens: words + 10,
            completion_tokens: words + 1,
            total_tokens: 2 * words + 11,
          },
        });
      }
      case 'status':
        return sendJson(res, mode.status, vendorError(`stand-in answers ${mode.status}`));
      case 'hang':
        hanging.add(res);
        return;
      case 'not_json':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>gateway says hi</html>');
        return;
      case 'no_choices':
        return sendJson(res, 200, {
          id: 'chatcmpl-standin',
          object: 'chat.completion',
          choices: [],
        });
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey,
    behaviour,
    calls,
    get lastRequest() {
      return standIn.lastRequest;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function vendorError(message: string, code: string | null = null) {
  return { error: { message, type: 'invalid_request_error', param: null, code } };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
