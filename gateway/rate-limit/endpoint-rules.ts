/**
 * The per-endpoint tier: actions with their own limit per caller, whichever transport
 * asks for them. Starting a workflow over REST and through the executeWorkflow mutation
 * draws on one budget, as do the REST status route and the workflow query.
 */
import type { RateLimitConfig } from '../../platform/rate-limit/rate-limit-config';

export type EndpointName = 'workflow-execute' | 'workflow-status';

export interface EndpointRule {
  name: EndpointName;
  limitPerMinute: number;
  /** REST routes of this action: method and path pattern (after the query string is cut). */
  rest: Array<{ method: string; path: RegExp }>;
  /** GraphQL root fields of this action, as `Mutation.executeWorkflow`. */
  graphqlFields: string[];
}

export function endpointRules(config: RateLimitConfig): EndpointRule[] {
  return [
    {
      name: 'workflow-execute',
      limitPerMinute: config.workflowExecutePerMinute,
      rest: [{ method: 'POST', path: /^\/api\/v1\/workflows\/execute\/?$/ }],
      graphqlFields: ['Mutation.executeWorkflow'],
    },
    {
      name: 'workflow-status',
      limitPerMinute: config.workflowStatusPerMinute,
      rest: [{ method: 'GET', path: /^\/api\/v1\/workflows\/[^/]+\/status\/?$/ }],
      graphqlFields: ['Query.workflow'],
    },
  ];
}

export function matchRestEndpoint(
  rules: EndpointRule[],
  method: string,
  url: string,
): EndpointRule | undefined {
  const path = url.split('?', 1)[0] ?? url;
  return rules.find((rule) =>
    rule.rest.some((route) => route.method === method && route.path.test(path)),
  );
}
