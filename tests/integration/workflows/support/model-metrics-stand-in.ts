/**
 * A stand-in for the model-metrics service on 127.0.0.1 that speaks its inference
 * contract: POST /api/v1/model-metrics/infer with X-API-Key, body {task_type, input,
 * model?, workflow_id, task_id} -> 200 {result, model, latency_ms, usage, invocation_id}
 * or an error JSON {error, message}. Tests script its answers and read what it received.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InferRequest {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  receivedAt: number;
}

export interface StandInAnswer {
  status: number;
  body: unknown;
  delayMs?: number;
}

export type Responder = (request: InferRequest, index: number) => StandInAnswer;

export const sentimentAnswer: Responder = (request) => ({
  status: 200,
  body: {
    result: {
      label: String(request.body['input']).includes('love') ? 'positive' : 'neutral',
      score: 0.9,
    },
    model: 'stand-in-sentiment',
    latency_ms: 1,
    usage: { input_tokens: 3, output_tokens: 1 },
    invocation_id: randomUUID(),
  },
});

export class ModelMetricsStandIn {
  readonly requests: InferRequest[] = [];
  respond: Responder = sentimentAnswer;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/api/v1/model-metrics/infer') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'NOT_FOUND', message: 'no route' }));
          return;
        }
        const request: InferRequest = {
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          receivedAt: Date.now(),
        };
        this.requests.push(request);
        const answer = this.respond(request, this.requests.length - 1);
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer.body));
        }, answer.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
