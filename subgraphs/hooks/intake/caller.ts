/**
 * Who is delivering: the API key (hooks:write) and the correlation id a delivery carries.
 * Used by the REST route and the mutation alike.
 */
import type { ApiKeyIdentity } from '../../../platform/auth/api-keys';
import type { Principal } from '../../../platform/auth/principal';
import { AppError, CommonErrors } from '../../../platform/errors';
import { type Authenticator, requirePermissions } from '../../../platform/auth/authenticator';
import { asDatabaseError } from '../../../platform/db/pool';
import type { RequestHeaders } from './delivery-audit';
import { headerValue } from './delivery-audit';

const CORRELATION_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** 401 without a valid key, 403 without hooks:write, 503 when keys cannot be checked. */
export async function authenticateWriter(
  authenticator: Authenticator,
  headers: RequestHeaders,
): Promise<ApiKeyIdentity> {
  let identity: ApiKeyIdentity;
  try {
    identity = await authenticator.authenticate(headers);
  } catch (error) {
    throw asDatabaseError(error);
  }
  requirePermissions(identity, ['hooks:write']);
  return identity;
}

/** The gateway-verified caller of a GraphQL delivery, if it may write hooks. */
export function writerFrom(principal: Principal | undefined): Principal {
  if (!principal)
    throw new AppError(CommonErrors.UNAUTHENTICATED, 'No verified caller on this request.');
  requirePermissions(principal, ['hooks:write']);
  return principal;
}

/** The caller's X-Correlation-Id when it is a sane token, else the request id. */
export function correlationIdOf(headers: RequestHeaders, requestId: string): string {
  const given = headerValue(headers, 'x-correlation-id');
  return given !== undefined && CORRELATION_ID_PATTERN.test(given) ? given : requestId;
}
