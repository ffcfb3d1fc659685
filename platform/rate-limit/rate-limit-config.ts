/**
 * The rate-limit and query-cost variables. platform/config.ts spreads this shape into its
 * schema and maps it into `Config.rateLimit`; the README's configuration table lists them.
 */
import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const RateLimitEnv = {
  /** Turns every request limit and the query cost budget on or off. @default true */
  RATE_LIMIT_ENABLED: bool.default('true'),
  /** Requests a minute from one address without a verified API key. @default 100 */
  RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(100),
  /** Base requests a minute per API key, scaled by reputation from 0.5x to 1.75x. @default 1000 */
  RATE_LIMIT_KEY_PER_MINUTE: positiveInt.default(1_000),
  /** Workflow starts a minute per caller (REST execute and the executeWorkflow mutation). @default 50 */
  RATE_LIMIT_WORKFLOW_EXECUTE_PER_MINUTE: positiveInt.default(50),
  /** Workflow status reads a minute per caller (REST status and the workflow query). @default 300 */
  RATE_LIMIT_WORKFLOW_STATUS_PER_MINUTE: positiveInt.default(300),
  /** GraphQL cost points a minute per caller. @default 10000 */
  RATE_LIMIT_COST_PER_MINUTE: positiveInt.default(10_000),
  /** When Redis cannot answer: `open` admits the request, `closed` answers 503. @default open */
  RATE_LIMIT_FAILURE_MODE: z.enum(['open', 'closed']).default('open'),
  /** Longest a limit decision may wait for Redis before the failure mode applies. @default 250 */
  RATE_LIMIT_REDIS_TIMEOUT_MS: positiveInt.default(250),
  /** Prefix of every rate-limit key in Redis. @default onb:rl: */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('onb:rl:'),
  /** Largest estimated cost of one GraphQL operation; costlier ones are refused unexecuted. @default 1000 */
  GRAPHQL_MAX_COST: positiveInt.default(1_000),
  /** Size assumed for a list field without @listSize or a slicing argument. @default 10 */
  GRAPHQL_DEFAULT_LIST_SIZE: positiveInt.default(10),
  /** Deepest field nesting a GraphQL document may have. @default 12 */
  GRAPHQL_MAX_DEPTH: positiveInt.default(12),
  /** Most aliases one GraphQL document may use. @default 30 */
  GRAPHQL_MAX_ALIASES: positiveInt.default(30),
  /** Most lexical tokens one GraphQL document may have. @default 5000 */
  GRAPHQL_MAX_TOKENS: positiveInt.default(5_000),
};

export interface RateLimitConfig {
  enabled: boolean;
  ipPerMinute: number;
  keyPerMinute: number;
  workflowExecutePerMinute: number;
  workflowStatusPerMinute: number;
  costPerMinute: number;
  failureMode: 'open' | 'closed';
  redisTimeoutMs: number;
  keyPrefix: string;
  graphql: {
    maxCost: number;
    defaultListSize: number;
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
  };
}

type RateLimitEnvValues = { [K in keyof typeof RateLimitEnv]: z.infer<(typeof RateLimitEnv)[K]> };

export function rateLimitConfig(e: RateLimitEnvValues): RateLimitConfig {
  return {
    enabled: e.RATE_LIMIT_ENABLED,
    ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
    keyPerMinute: e.RATE_LIMIT_KEY_PER_MINUTE,
    workflowExecutePerMinute: e.RATE_LIMIT_WORKFLOW_EXECUTE_PER_MINUTE,
    workflowStatusPerMinute: e.RATE_LIMIT_WORKFLOW_STATUS_PER_MINUTE,
    costPerMinute: e.RATE_LIMIT_COST_PER_MINUTE,
    failureMode: e.RATE_LIMIT_FAILURE_MODE,
    redisTimeoutMs: e.RATE_LIMIT_REDIS_TIMEOUT_MS,
    keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    graphql: {
      maxCost: e.GRAPHQL_MAX_COST,
      defaultListSize: e.GRAPHQL_DEFAULT_LIST_SIZE,
      maxDepth: e.GRAPHQL_MAX_DEPTH,
      maxAliases: e.GRAPHQL_MAX_ALIASES,
      maxTokens: e.GRAPHQL_MAX_TOKENS,
    },
  };
}
