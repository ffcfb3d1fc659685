/**
 * Configuration from environment variables, validated once at start-up.
 *
 * Every variable is optional. Leaving DATABASE_URL, REDIS_URL and KAFKA_BROKERS unset
 * selects the embedded default (PGlite, an in-process event bus and an in-process limiter
 * store); setting them selects the real servers. The README's configuration table is the
 * user-facing copy of this file: keep them in step.
 */
import { z } from 'zod';

import {
  type RateLimitConfig,
  RateLimitEnv,
  rateLimitConfig,
} from './rate-limit/rate-limit-config';

const port = z.coerce.number().int().min(0).max(65_535);
const positiveInt = z.coerce.number().int().positive();
/** 32 bytes in base64 (openssl rand -base64 32). */
const base64Key = z
  .string()
  .transform((value) => Buffer.from(value, 'base64'))
  .refine((key) => key.length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)');
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** pino level: fatal, error, warn, info, debug, trace or silent. @default info */
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** Interface the services bind to. @default 127.0.0.1 */
    HOST: z.string().min(1).default('127.0.0.1'),

    GATEWAY_PORT: port.default(4000),
    HOOKS_PORT: port.default(4001),
    WORKFLOWS_PORT: port.default(4002),
    MODEL_METRICS_PORT: port.default(4003),
    /** Where the gateway reaches itself (it serves the identity subgraph). @default http://HOST:GATEWAY_PORT */
    GATEWAY_URL: z.string().url().optional(),
    /** Where other services reach each subgraph; defaults to http://HOST:PORT. */
    HOOKS_URL: z.string().url().optional(),
    WORKFLOWS_URL: z.string().url().optional(),
    MODEL_METRICS_URL: z.string().url().optional(),

    /** PostgreSQL connection string; unset means embedded PGlite under DATA_DIR. */
    DATABASE_URL: z.string().url().optional(),
    /** Largest number of pooled connections per service. @default 10 */
    DATABASE_POOL_MAX: positiveInt.default(10),
    /** How long a caller waits for a free pooled connection before POOL_EXHAUSTED (503). @default 5000 */
    DATABASE_POOL_ACQUIRE_TIMEOUT_MS: positiveInt.default(5_000),
    /** A pooled connection is closed and replaced after this long. @default 1800 (30 min) */
    DATABASE_POOL_MAX_LIFETIME_SECONDS: positiveInt.default(1_800),
    /** An idle pooled connection is closed after this long (the pool shrinks when quiet). @default 30000 */
    DATABASE_POOL_IDLE_TIMEOUT_MS: positiveInt.default(30_000),
    /** A connection checked out longer than this is reported as a leak, with where it was taken. @default 60000 */
    DATABASE_POOL_LEAK_THRESHOLD_MS: positiveInt.default(60_000),
    /** How often pool statistics are sampled into metrics and checked for high utilisation. @default 30000 */
    DATABASE_POOL_STATS_INTERVAL_MS: positiveInt.default(30_000),
    /** Redis connection string; unset means an in-process store. */
    REDIS_URL: z.string().url().optional(),
    /** Comma-separated Kafka bootstrap servers; unset means an in-process event bus. */
    KAFKA_BROKERS: z.string().min(1).optional(),
    /** Prepended to every topic name, so several deployments (or test runs) share a broker. */
    KAFKA_TOPIC_PREFIX: z.string().default(''),
    KAFKA_CLIENT_ID: z.string().min(1).default('omninode-bridge'),
    /** Folder for embedded data (PGlite). @default .data */
    DATA_DIR: z.string().min(1).default('.data'),

    /** The composed supergraph the gateway serves; watched and reloaded on change. */
    SUPERGRAPH_PATH: z.string().min(1).default('schema/supergraph.graphql'),
    /** GraphiQL at GET /graphql. @default true outside production */
    GRAPHIQL: bool.optional(),
    /** A development API key created at start-up with every permission (embedded mode prints it). */
    DEV_API_KEY: z.string().min(20).optional(),
    /**
     * The key services present to each other (workflows -> model-metrics). Each service
     * registers it at start; unset, each process makes its own, which works whenever the
     * services share one database.
     */
    SERVICE_API_KEY: z.string().min(20).optional(),
    /** Largest accepted webhook body. @default 1048576 (1 MiB) */
    WEBHOOK_MAX_BODY_BYTES: positiveInt.default(1_048_576),
    /** How often the outbox relay looks for unpublished rows when not woken. @default 500 */
    OUTBOX_POLL_INTERVAL_MS: positiveInt.default(500),
    /** How long a webhook idempotency key (webhook-id, Idempotency-Key) is remembered. @default 24 */
    WEBHOOK_IDEMPOTENCY_RETENTION_HOURS: positiveInt.default(24),
    /** Consecutive failed outbox publishes before the relay raises its alert. @default 5 */
    OUTBOX_ALERT_AFTER_FAILURES: positiveInt.default(5),
    /** Time a workflow lease lasts without renewal. @default 300000 (300 s) */
    WORKFLOW_LEASE_MS: positiveInt.default(300_000),
    /** Days a finished run (with its tasks and events) is kept before it is deleted. @default 30 */
    WORKFLOW_RETENTION_DAYS: positiveInt.default(30),
    /** Maximum time one model inference call may take. @default 10000 */
    MODEL_INFERENCE_TIMEOUT_MS: positiveInt.default(10_000),
    /** How often model selection reloads every replica's recent calls. @default 5000 */
    MODEL_SELECTION_REFRESH_MS: positiveInt.default(5_000),
    /** JSON file of HTTP model providers and model-selection weights (see subgraphs/model-metrics). */
    MODELS_FILE: z.string().min(1).optional(),
    /** One OpenAI-compatible model without a models file: base URL up to /v1, e.g. http://127.0.0.1:11434/v1. */
    OPENAI_BASE_URL: z.string().url().optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    /** The model name at OPENAI_BASE_URL; required with it. */
    OPENAI_MODEL: z.string().min(1).optional(),
    /** Comma-separated task types that model serves. @default generate,classify,summarize,sentiment,entities,keywords */
    OPENAI_TASK_TYPES: z.string().min(1).optional(),
    /** Consecutive failures that open a circuit breaker. @default 5 */
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: positiveInt.default(5),
    /** Cooldown of an open breaker before a half-open trial call. @default 30000 */
    CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: positiveInt.default(30_000),
    /** How often the health monitor polls the /health of dependencies whose breaker is open. @default 30000 */
    HEALTH_MONITOR_INTERVAL_MS: positiveInt.default(30_000),
    /** graceful: model_inference answers from a cache or a local model, marked degraded; strict: fail fast (503). @default graceful */
    MODEL_METRICS_DEGRADATION: z.enum(['graceful', 'strict']).default('graceful'),
    /** How long a successful inference result is kept as the fallback for the same input. @default 24 */
    MODEL_INFERENCE_CACHE_TTL_HOURS: positiveInt.default(24),
    /** Prometheus Alertmanager base URL; alerts are POSTed to /api/v2/alerts. Unset: alerts go to the log only. */
    ALERTMANAGER_URL: z.string().url().optional(),
    /** A still-firing alert is re-sent after this long (duplicates before are dropped). @default 300000 */
    ALERT_REPEAT_INTERVAL_MS: positiveInt.default(300_000),
    /** Alert notifications one service sends per minute at most. @default 30 */
    ALERTS_MAX_PER_MINUTE: positiveInt.default(30),
    /** Events buffered per subscriber before a slow subscriber is disconnected. @default 256 */
    SUBSCRIPTION_BUFFER_SIZE: positiveInt.default(256),
    /** Rate limits and GraphQL cost limits: see platform/rate-limit/rate-limit-config.ts. */
    ...RateLimitEnv,

    /** JWT bearer tokens are accepted when one key source is set: a JWKS URL, a PEM public key, or an HMAC secret. */
    JWT_JWKS_URL: z.string().url().optional(),
    JWT_PUBLIC_KEY: z.string().min(1).optional(),
    /** HMAC secret for HS256 tokens (at least 32 characters); prefer asymmetric keys. */
    JWT_SECRET: z.string().min(32).optional(),
    /** Accepted algorithms, pinned. @default RS256,ES256 (HS256 with JWT_SECRET) */
    JWT_ALGORITHMS: z.string().min(1).optional(),
    /** Required `iss` and `aud` of accepted tokens (both are checked). */
    JWT_ISSUER: z.string().min(1).optional(),
    JWT_AUDIENCE: z.string().min(1).optional(),
    /** Allowed clock skew for exp and nbf. @default 5 */
    JWT_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
    /**
     * Signs the identity the gateway passes to subgraphs (HS256, 60 s tokens). Set the same
     * value on the gateway and every subgraph when they run as separate processes.
     */
    GATEWAY_IDENTITY_SECRET: z.string().min(32).optional(),
    /**
     * Seals stored webhook signing secrets (AES-256-GCM): 32 bytes in base64. Required in
     * production; elsewhere a key is generated into DATA_DIR/secrets.key when unset.
     */
    HOOK_SECRETS_KEY: base64Key.optional(),
    /** Comma-separated keys that sealed secrets before a rotation; they only open. */
    HOOK_SECRETS_PREVIOUS_KEYS: z
      .string()
      .min(1)
      .transform((value, context) =>
        value.split(',').map((part) => {
          const parsed = base64Key.safeParse(part.trim());
          if (!parsed.success) {
            context.addIssue({ code: 'custom', message: 'each key must be 32 bytes in base64' });
            return Buffer.alloc(0);
          }
          return parsed.data;
        }),
      )
      .optional(),
    /** How long a verified API key is cached; also the longest a revoked key may still work. @default 5000 */
    API_KEY_CACHE_TTL_MS: positiveInt.default(5_000),
    /** Require an API key with admin:read for GET /metrics. @default false */
    METRICS_REQUIRE_AUTH: bool.default('false'),
  })
  .refine((e) => e.OPENAI_BASE_URL === undefined || e.OPENAI_MODEL !== undefined, {
    message: 'OPENAI_MODEL is required when OPENAI_BASE_URL is set',
    path: ['OPENAI_MODEL'],
  })
  .refine((e) => [e.JWT_JWKS_URL, e.JWT_PUBLIC_KEY, e.JWT_SECRET].filter(Boolean).length <= 1, {
    message: 'set only one of JWT_JWKS_URL, JWT_PUBLIC_KEY and JWT_SECRET',
    path: ['JWT_JWKS_URL'],
  })
  .refine(
    (e) =>
      !(e.JWT_JWKS_URL || e.JWT_PUBLIC_KEY || e.JWT_SECRET) || (e.JWT_ISSUER && e.JWT_AUDIENCE),
    {
      message: 'JWT_ISSUER and JWT_AUDIENCE are required when JWT is enabled',
      path: ['JWT_AUDIENCE'],
    },
  );

export interface JwtConfig {
  key:
    | { kind: 'jwks'; url: string }
    | { kind: 'public-key'; pem: string }
    | { kind: 'secret'; secret: string };
  algorithms: string[];
  issuer: string;
  audience: string;
  clockToleranceSeconds: number;
}

export interface PoolManagementConfig {
  acquireTimeoutMs: number;
  maxLifetimeSeconds: number;
  idleTimeoutMs: number;
  leakThresholdMs: number;
  statsIntervalMs: number;
}

export type DegradationMode = 'graceful' | 'strict';

export type ServiceName = 'gateway' | 'hooks' | 'workflows' | 'model-metrics';

export interface Config {
  env: 'development' | 'production' | 'test';
  logLevel: string;
  host: string;
  ports: Record<ServiceName, number>;
  urls: Record<ServiceName, string>;
  database: { url: string | undefined; poolMax: number; pool: PoolManagementConfig };
  redis: { url: string | undefined };
  kafka: { brokers: string[] | undefined; topicPrefix: string; clientId: string };
  dataDir: string;
  gateway: {
    supergraphPath: string;
    graphiql: boolean;
    subscriptionBufferSize: number;
  };
  devApiKey: string | undefined;
  serviceApiKey: string | undefined;
  rateLimit: RateLimitConfig;
  auth: {
    jwt: JwtConfig | undefined;
    identitySecret: string | undefined;
    apiKeyCacheTtlMs: number;
    metricsRequireAuth: boolean;
  };
  hooks: {
    maxBodyBytes: number;
    outboxPollIntervalMs: number;
    idempotencyRetentionHours: number;
    outboxAlertAfterFailures: number;
  };
  workflows: { leaseMs: number; retentionDays: number };
  /** Keys sealing stored secrets (platform/crypto); unset key: see secrets-key.ts. */
  secrets: { key: Buffer | undefined; previousKeys: Buffer[] };
  resilience: {
    breakerFailureThreshold: number;
    breakerHalfOpenAfterMs: number;
    healthMonitorIntervalMs: number;
    modelMetricsDegradation: DegradationMode;
    inferenceCacheTtlHours: number;
  };
  alerts: { alertmanagerUrl: string | undefined; repeatIntervalMs: number; maxPerMinute: number };
  modelMetrics: {
    inferenceTimeoutMs: number;
    selectionRefreshMs: number;
    modelsFile: string | undefined;
    openai:
      | {
          baseUrl: string;
          apiKey: string | undefined;
          model: string;
          taskTypes: string[] | undefined;
        }
      | undefined;
  };
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(stripEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  const localUrl = (servicePort: number) => `http://${e.HOST}:${servicePort}`;

  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    ports: {
      gateway: e.GATEWAY_PORT,
      hooks: e.HOOKS_PORT,
      workflows: e.WORKFLOWS_PORT,
      'model-metrics': e.MODEL_METRICS_PORT,
    },
    urls: {
      gateway: e.GATEWAY_URL ?? localUrl(e.GATEWAY_PORT),
      hooks: e.HOOKS_URL ?? localUrl(e.HOOKS_PORT),
      workflows: e.WORKFLOWS_URL ?? localUrl(e.WORKFLOWS_PORT),
      'model-metrics': e.MODEL_METRICS_URL ?? localUrl(e.MODEL_METRICS_PORT),
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      pool: {
        acquireTimeoutMs: e.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
        maxLifetimeSeconds: e.DATABASE_POOL_MAX_LIFETIME_SECONDS,
        idleTimeoutMs: e.DATABASE_POOL_IDLE_TIMEOUT_MS,
        leakThresholdMs: e.DATABASE_POOL_LEAK_THRESHOLD_MS,
        statsIntervalMs: e.DATABASE_POOL_STATS_INTERVAL_MS,
      },
    },
    redis: { url: e.REDIS_URL },
    kafka: {
      brokers: e.KAFKA_BROKERS?.split(',').map((broker) => broker.trim()),
      topicPrefix: e.KAFKA_TOPIC_PREFIX,
      clientId: e.KAFKA_CLIENT_ID,
    },
    dataDir: e.DATA_DIR,
    gateway: {
      supergraphPath: e.SUPERGRAPH_PATH,
      graphiql: e.GRAPHIQL ?? e.NODE_ENV !== 'production',
      subscriptionBufferSize: e.SUBSCRIPTION_BUFFER_SIZE,
    },
    devApiKey: e.DEV_API_KEY,
    serviceApiKey: e.SERVICE_API_KEY,
    rateLimit: rateLimitConfig(e),
    auth: {
      jwt: jwtConfig(e),
      identitySecret: e.GATEWAY_IDENTITY_SECRET,
      apiKeyCacheTtlMs: e.API_KEY_CACHE_TTL_MS,
      metricsRequireAuth: e.METRICS_REQUIRE_AUTH,
    },
    hooks: {
      maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
      outboxPollIntervalMs: e.OUTBOX_POLL_INTERVAL_MS,
      idempotencyRetentionHours: e.WEBHOOK_IDEMPOTENCY_RETENTION_HOURS,
      outboxAlertAfterFailures: e.OUTBOX_ALERT_AFTER_FAILURES,
    },
    workflows: { leaseMs: e.WORKFLOW_LEASE_MS, retentionDays: e.WORKFLOW_RETENTION_DAYS },
    secrets: { key: e.HOOK_SECRETS_KEY, previousKeys: e.HOOK_SECRETS_PREVIOUS_KEYS ?? [] },
    resilience: {
      breakerFailureThreshold: e.CIRCUIT_BREAKER_FAILURE_THRESHOLD,
      breakerHalfOpenAfterMs: e.CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS,
      healthMonitorIntervalMs: e.HEALTH_MONITOR_INTERVAL_MS,
      modelMetricsDegradation: e.MODEL_METRICS_DEGRADATION,
      inferenceCacheTtlHours: e.MODEL_INFERENCE_CACHE_TTL_HOURS,
    },
    alerts: {
      alertmanagerUrl: e.ALERTMANAGER_URL,
      repeatIntervalMs: e.ALERT_REPEAT_INTERVAL_MS,
      maxPerMinute: e.ALERTS_MAX_PER_MINUTE,
    },
    modelMetrics: {
      inferenceTimeoutMs: e.MODEL_INFERENCE_TIMEOUT_MS,
      selectionRefreshMs: e.MODEL_SELECTION_REFRESH_MS,
      modelsFile: e.MODELS_FILE,
      openai:
        e.OPENAI_BASE_URL && e.OPENAI_MODEL
          ? {
              baseUrl: e.OPENAI_BASE_URL,
              apiKey: e.OPENAI_API_KEY,
              model: e.OPENAI_MODEL,
              taskTypes: e.OPENAI_TASK_TYPES?.split(',').map((taskType) => taskType.trim()),
            }
          : undefined,
    },
  };
}

function jwtConfig(e: z.infer<typeof EnvSchema>): JwtConfig | undefined {
  const key: JwtConfig['key'] | undefined = e.JWT_JWKS_URL
    ? { kind: 'jwks', url: e.JWT_JWKS_URL }
    : e.JWT_PUBLIC_KEY
      ? { kind: 'public-key', pem: e.JWT_PUBLIC_KEY }
      : e.JWT_SECRET
        ? { kind: 'secret', secret: e.JWT_SECRET }
        : undefined;
  if (!key || !e.JWT_ISSUER || !e.JWT_AUDIENCE) return undefined;
  const algorithms =
    e.JWT_ALGORITHMS?.split(',').map((algorithm) => algorithm.trim()) ??
    (key.kind === 'secret' ? ['HS256'] : ['RS256', 'ES256']);
  return {
    key,
    algorithms,
    issuer: e.JWT_ISSUER,
    audience: e.JWT_AUDIENCE,
    clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS,
  };
}

/** Whether the configuration selects any embedded part (used for the start-up banner). */
export function isEmbedded(config: Config): boolean {
  return !config.database.url || !config.redis.url || !config.kafka.brokers;
}

// An exported-but-empty variable (`DATABASE_URL=`) means "unset", as in most twelve-factor apps.
function stripEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') result[key] = value;
  }
  return result;
}
