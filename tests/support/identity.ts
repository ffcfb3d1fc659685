/**
 * Headers that make a test's direct call to a subgraph look like it came through the
 * gateway: the same signed identity the gateway attaches, for a caller with `permissions`.
 */
import { PERMISSIONS, type Permission } from '../../platform/auth/api-keys';
import { IDENTITY_HEADER, IdentitySigner } from '../../platform/auth/identity-token';
import type { Runtime } from '../../platform/runtime';

export async function gatewayIdentityHeaders(
  runtime: Pick<Runtime, 'identitySecret'>,
  permissions: readonly Permission[] = PERMISSIONS,
): Promise<Record<string, string>> {
  const token = await new IdentitySigner(runtime.identitySecret).sign({
    kind: 'api_key',
    keyId: '00000000-0000-4000-8000-000000000001',
    subject: 'test-caller',
    name: 'test caller',
    permissions: [...permissions],
    expiresAtMs: undefined,
  });
  return { [IDENTITY_HEADER]: token };
}
