/**
 * Every error code the workflows subgraph answers with, in one place. REST maps them to
 * the JSON error shape and GraphQL to `extensions.code` (platform/errors.ts).
 */
import { CommonErrors, type ErrorDefinition } from '../../platform/errors';

export const WorkflowErrors = {
  ...CommonErrors,
  /** The definition failed validation: unknown dependency, cycle, unknown type, bad template. */
  INVALID_DEFINITION: { code: 'INVALID_WORKFLOW_DEFINITION', httpStatus: 400, retriable: false },
  DEFINITION_NOT_FOUND: {
    code: 'WORKFLOW_DEFINITION_NOT_FOUND',
    httpStatus: 404,
    retriable: false,
  },
  WORKFLOW_NOT_FOUND: { code: 'WORKFLOW_NOT_FOUND', httpStatus: 404, retriable: false },
  /** A client-chosen workflow id is already used by a run of another definition. */
  WORKFLOW_ID_CONFLICT: { code: 'WORKFLOW_ID_CONFLICT', httpStatus: 409, retriable: false },
} as const satisfies Record<string, ErrorDefinition>;
