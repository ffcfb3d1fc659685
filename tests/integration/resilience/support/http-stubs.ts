/**
 * Stand-ins on 127.0.0.1 for the remote ends of the resilience tests, speaking the real
 * protocols: a Prometheus Alertmanager that records POST /api/v2/alerts, and a
 * model-metrics service whose /health and inference answers a test switches.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { AlertmanagerAlert } from '../../../../platform/alerts/alertmanager-sink';

async function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export class AlertmanagerStub {
  readonly alerts: AlertmanagerAlert[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    const { server, url } = await listen((req, body, res) => {
      if (req.method !== 'POST' || req.url !== '/api/v2/alerts') return json(res, 404, {});
      this.alerts.push(...(JSON.parse(body) as AlertmanagerAlert[]));
      json(res, 200, {});
    });
    this.server = server;
    return url;
  }

  named(alertname: string): AlertmanagerAlert[] {
    return this.alerts.filter((alert) => alert.labels['alertname'] === alertname);
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

export class ModelMetricsStub {
  inferStatus = 200;
  healthStatus = 200;
  readonly inferences: Array<Record<string, unknown>> = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    const { server, url } = await listen((req, body, res) => {
      if (req.method === 'GET' && req.url === '/health') {
        return json(res, this.healthStatus, { status: this.healthStatus === 200 ? 'ok' : 'down' });
      }
      if (req.method !== 'POST' || req.url !== '/api/v1/model-metrics/infer')
        return json(res, 404, {});
      this.inferences.push(JSON.parse(body) as Record<string, unknown>);
      if (this.inferStatus !== 200) {
        return json(res, this.inferStatus, {
          error: 'INTERNAL_SERVER_ERROR',
          message: 'provider exploded',
        });
      }
      json(res, 200, {
        result: { label: 'positive', score: 42 },
        model: 'stub-sentiment',
        latency_ms: 1,
        usage: { input_tokens: 1, output_tokens: 1 },
        invocation_id: randomUUID(),
      });
    });
    this.server = server;
    return url;
  }

  stop(): Promise<void> {
    return close(this.server);
  }
}

/** Polls `probe` until it answers something truthy; fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
