/**
 * An HTTP service with background workers (an outbox relay, a Kafka consumer...): it
 * listens, then starts its workers; it stops its workers first (so no new work starts),
 * then closes the server and releases its resources.
 */
import type { FastifyInstance } from 'fastify';

import type { ServiceName } from './config';
import { Lifecycle } from './lifecycle';
import type { Logger } from './logger';

export interface Worker {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  name: ServiceName;
  app: FastifyInstance;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  log: Logger;
  workers?: Worker[];
  /** Releases what the service owns (its database pool), after the server closed. */
  release?: () => Promise<void>;
}

export class Service {
  readonly name: ServiceName;
  readonly app: FastifyInstance;
  private readonly lifecycle: Lifecycle;
  private boundUrl: string | undefined;

  constructor(private readonly options: ServiceOptions) {
    this.name = options.name;
    this.app = options.app;
    this.lifecycle = new Lifecycle(options.name);
  }

  /** The base URL once listening, e.g. http://127.0.0.1:4001. */
  get url(): string {
    if (!this.boundUrl) throw new Error(`${this.name} is not listening`);
    return this.boundUrl;
  }

  start(): Promise<void> {
    return this.lifecycle.start(async () => {
      await this.options.app.listen({ host: this.options.host, port: this.options.port });
      const address = this.options.app.server.address();
      const port = typeof address === 'object' && address ? address.port : this.options.port;
      this.boundUrl = `http://${this.options.host}:${port}`;
      for (const worker of this.options.workers ?? []) await worker.start();
      this.options.log.info({ url: this.boundUrl }, `${this.name} listening`);
    });
  }

  stop(): Promise<void> {
    return this.lifecycle.stop(async () => {
      for (const worker of [...(this.options.workers ?? [])].reverse()) {
        await worker
          .stop()
          .catch((error: unknown) =>
            this.options.log.error({ err: error, worker: worker.name }, 'worker failed to stop'),
          );
      }
      await this.options.app.close();
      await this.options.release?.();
      this.options.log.info(`${this.name} stopped`);
    });
  }
}
