/**
 * POST /api/v1/model-metrics/infer: the REST face of the inference service, used by the
 * workflow task engine (with the service API key) and by integrators. JSON is snake_case.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

import type { Authenticator } from '../../platform/auth/authenticator';
import { requirePermissions } from '../../platform/auth/authenticator';
import { AppError, fieldErrors } from '../../platform/errors';
import { ModelMetricsErrors } from './errors';
import type { InferenceService } from './inference-service';

export const INFER_ROUTE = '/api/v1/model-metrics/infer';

const InferBody = z.object({
  task_type: z.string().min(1, 'is required'),
  input: z.string({ invalid_type_error: 'must be a string' }),
  model: z.string().min(1).optional(),
  workflow_id: z.string().optional(),
  task_id: z.string().min(1).optional(),
});

export function registerInferRoute(
  app: FastifyInstance,
  deps: { inference: InferenceService; authenticator: Authenticator },
): void {
  app.post(INFER_ROUTE, {
    // Room for the largest accepted input plus JSON escaping, so an oversized input gets the
    // INPUT_TOO_LARGE answer (naming the limit) rather than the generic body-size one.
    bodyLimit: deps.inference.maxInputBytes * 2 + 16_384,
    handler: async (request, reply) => {
      const identity = await deps.authenticator.authenticate(request.headers);
      requirePermissions(identity, ['metrics:write']);

      const parsed = InferBody.safeParse(request.body);
      if (!parsed.success) {
        throw new AppError(
          ModelMetricsErrors.VALIDATION_FAILED,
          'The request body is not a valid inference request.',
          {
            field_errors: fieldErrors(parsed.error.issues),
          },
        );
      }
      const body = parsed.data;
      const answer = await deps.inference.infer({
        taskType: body.task_type,
        input: body.input,
        model: body.model,
        workflowId: body.workflow_id,
        taskId: body.task_id,
      });
      return reply.status(200).send({
        result: answer.result,
        model: answer.model,
        latency_ms: answer.latencyMs,
        usage: { input_units: answer.usage.inputUnits, output_units: answer.usage.outputUnits },
        invocation_id: answer.invocation.id,
      });
    },
  });
}
