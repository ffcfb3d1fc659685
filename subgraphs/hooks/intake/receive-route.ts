/**
 * POST /api/v1/hooks/receive. The body is read as raw bytes (signatures and the audit hash
 * need them) and parsed here, so the route answers 415 for a non-JSON content type, 413
 * over the size limit, 400 for malformed JSON, and authenticates before reading the body.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { ApiKeyIdentity } from '../../../platform/auth/api-keys';
import type { Authenticator } from '../../../platform/auth/authenticator';
import { AppError } from '../../../platform/errors';
import { HookErrors } from '../errors';
import { authenticateWriter, correlationIdOf } from './caller';
import type { HookIntake } from './hook-intake';

export interface ReceiveRouteOptions {
  intake: HookIntake;
  authenticator: Authenticator;
  maxBodyBytes: number;
}

/** application/json and structured-syntax JSON types such as application/cloudevents+json. */
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function registerReceiveRoute(app: FastifyInstance, options: ReceiveRouteOptions): void {
  const callers = new WeakMap<FastifyRequest, ApiKeyIdentity>();

  void app.register(async (scope) => {
    // Only JSON is accepted here; every other media type gets 415 from fastify.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      JSON_MEDIA_TYPE,
      { parseAs: 'buffer', bodyLimit: options.maxBodyBytes },
      (_request, body, done) => done(null, body),
    );

    scope.post(
      '/api/v1/hooks/receive',
      {
        bodyLimit: options.maxBodyBytes,
        onRequest: async (request) => {
          callers.set(request, await authenticateWriter(options.authenticator, request.headers));
        },
      },
      async (request, reply) => {
        const caller = callers.get(request);
        if (!caller) throw new AppError(HookErrors.INTERNAL, 'The caller was not authenticated.');
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

        const accepted = await options.intake.receive({
          body: parseJson(rawBody),
          rawBody,
          headers: request.headers,
          sourceIp: request.ip,
          caller,
          correlationId: correlationIdOf(request.headers, request.id),
        });

        if (accepted.duplicate) reply.header('idempotent-replayed', 'true');
        return reply.status(202).send({ event_id: accepted.eventId, status: accepted.status });
      },
    );
  });
}

function parseJson(rawBody: Buffer): unknown {
  if (rawBody.length === 0) {
    throw new AppError(HookErrors.BAD_REQUEST, 'The request body is empty; send a JSON object.');
  }
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch (error) {
    throw new AppError(
      HookErrors.BAD_REQUEST,
      `The request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}
