/**
 * Structured logging with pino. Components receive a logger (never import a global one)
 * and make children with their own fields: `log.child({ component: 'outbox-relay' })`.
 */
import pino from 'pino';

export type Logger = pino.Logger;

/** Header and field names whose values never reach a log line. */
const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.token',
];

/** The root logger; each service makes a child with `{ service }`. */
export function createLogger(options: { level: string; service?: string }): Logger {
  return pino({
    level: options.level,
    base: options.service ? { service: options.service } : {},
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
