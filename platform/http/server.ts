/**
 * The HTTP server every service runs: fastify with request ids, a pino child logger per
 * request, JSON errors in the one shape the API promises, GET /health and GET /metrics.
 */
import { randomUUID } from 'node:crypto';

import Fastify, {
  LogController,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';

import { AppError, CommonErrors } from '../errors';
import { type HealthCheck, checkHealth } from '../health';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';

export interface HttpServerOptions {
  service: string;
  log: Logger;
  metrics: ServiceMetrics;
  healthChecks: () => HealthCheck[];
  /** Largest request body for routes that do not set their own. @default 1048576 */
  bodyLimitBytes?: number;
}

const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.log,
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    // Trust an upstream proxy's X-Request-Id when it looks like one; otherwise make one.
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming)
        ? incoming
        : randomUUID();
    },
    // One line per request comes from the onResponse hook below, with the route and timing.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: true,
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.httpRequestDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const fields = {
      method: request.method,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) request.log.warn(fields, 'request failed');
    else request.log.debug(fields, 'request done');
  });

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500 && !appError.retriable) {
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendError(reply, appError, request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new AppError(CommonErrors.NOT_FOUND, `No route for ${request.method} ${request.url}`),
      request.id,
    ),
  );

  app.get('/health', async (_request, reply) => {
    const report = await checkHealth(options.service, options.healthChecks());
    return reply.status(report.status === 'down' ? 503 : 200).send(report);
  });
  app.get('/metrics', async (_request, reply) => {
    return reply
      .header('content-type', options.metrics.registry.contentType)
      .send(await options.metrics.registry.metrics());
  });

  // pino's Logger is wider than FastifyBaseLogger; every caller only needs the base type.
  return app as unknown as FastifyInstance;
}

/** Writes an error in the API's one JSON shape, with Retry-After when the error has one. */
export function sendError(reply: FastifyReply, error: AppError, requestId: string): FastifyReply {
  const retryAfter = error.retryAfterSeconds ?? (error.httpStatus === 503 ? 5 : undefined);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  return reply.status(error.httpStatus).send({
    error: error.code,
    message: error.message,
    request_id: requestId,
    timestamp: new Date().toISOString(),
    ...error.details,
    ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}),
  });
}

/** Maps fastify's own errors (body parsing, limits, content types) into the registry. */
function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError(
        CommonErrors.PAYLOAD_TOO_LARGE,
        'The request body is larger than this route accepts.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(
        CommonErrors.UNSUPPORTED_MEDIA_TYPE,
        'Send the body as application/json.',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError(
        CommonErrors.BAD_REQUEST,
        'The request body is empty; send a JSON object.',
      );
    default:
      break;
  }
  if (error.statusCode === 400 || error instanceof SyntaxError) {
    return new AppError(
      CommonErrors.BAD_REQUEST,
      `The request body is not valid JSON: ${error.message}`,
    );
  }
  if (error.validation) {
    return new AppError(CommonErrors.VALIDATION_FAILED, error.message);
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new AppError(
      { code: 'BAD_REQUEST', httpStatus: error.statusCode, retriable: false },
      error.message,
    );
  }
  return new AppError(CommonErrors.INTERNAL, 'Internal server error.', {}, { cause: error });
}
