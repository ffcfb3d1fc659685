/**
 * Flow 3 through the gateway on the real servers: every credential path (API key in
 * either header, JWT from a JWKS endpoint), what is refused and why, permissions declared
 * in the schema, subgraphs refusing direct calls, the audit trail of each case, and a
 * subscription closed when its key is revoked.
 */
import { createServer, type Server } from 'node:http';

import { type KeyLike, SignJWT, exportJWK, exportSPKI, generateKeyPair } from 'jose';

import { collect, wsClient } from '../support/graphql-clients';
import { freePorts } from '../support/ports';
import { type Stack, startRealServersStack } from '../support/stack';

const ISSUER = 'https://issuer.test';
const AUDIENCE = 'omninode-bridge';

describe('authentication and authorization through the gateway', () => {
  let stack: Stack;
  let jwks: Server;
  let privateKey: KeyLike;
  let publicKeyPem: string;
  let adminKey: string;

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const graphql = async (
    query: string,
    headers: Record<string, string>,
    variables: Record<string, unknown> = {},
  ) => {
    const response = await post('/graphql', { query, variables }, headers);
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown> & {
        data?: Record<string, unknown> | null;
        errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
      },
    };
  };
  const token = (
    claims: Record<string, unknown> = {},
    adjust: (jwt: SignJWT) => SignJWT = (jwt) => jwt,
  ) =>
    adjust(
      new SignJWT({ scope: 'workflows:read hooks:read', ...claims })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('user-42')
        .setIssuedAt()
        .setExpirationTime('5m'),
    ).sign(privateKey);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey;
    publicKeyPem = await exportSPKI(pair.publicKey);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const [jwksPort] = (await freePorts(1)) as [number];
    jwks = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(jwksPort, '127.0.0.1', resolve));

    stack = await startRealServersStack({
      JWT_JWKS_URL: `http://127.0.0.1:${jwksPort}/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
    });
    adminKey = await stack.createApiKey();
  });

  afterAll(async () => {
    await stack?.stop();
    jwks?.close();
  });

  describe('API keys', () => {
    it('accepts a key as X-API-Key and as a Bearer token', async () => {
      const key = await stack.createApiKey(['workflows:read']);
      const viaHeader = await graphql('{ viewer { kind permissions } }', { 'x-api-key': key });
      const viaBearer = await graphql('{ viewer { kind permissions } }', {
        authorization: `Bearer ${key}`,
      });

      expect(viaHeader.body.data).toEqual({
        viewer: { kind: 'api_key', permissions: ['workflows:read'] },
      });
      expect(viaBearer.body.data).toEqual(viaHeader.body.data);
    });

    it.each([
      ['no credential', {}, 'missing_credential'],
      [
        'an unknown key',
        { 'x-api-key': 'onb_not-a-real-key-at-all-000000000000000' },
        'key_unknown',
      ],
    ])('refuses %s with 401 INVALID_API_KEY', async (_case, headers, reason) => {
      const response = await graphql('{ viewer { kind } }', headers as Record<string, string>);

      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({
        error: 'INVALID_API_KEY',
        message: expect.any(String),
        request_id: expect.any(String),
        timestamp: expect.any(String),
        reason,
      });
    });

    it('refuses an expired key', async () => {
      const expired = await stack.createApiKey(['workflows:read'], {
        expiresAt: new Date(Date.now() - 1_000),
      });
      const response = await graphql('{ viewer { kind } }', { 'x-api-key': expired });

      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: 'INVALID_API_KEY', reason: 'key_expired' });
    });

    it('refuses a revoked key at once, though it was just cached', async () => {
      const key = await stack.createApiKey(['workflows:read']);
      expect((await graphql('{ viewer { kind } }', { 'x-api-key': key })).status).toBe(200);

      const revoked = await graphql(
        'mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }',
        { 'x-api-key': adminKey },
        { id: await stack.keyIdOf(key) },
      );
      expect(revoked.body.errors).toBeUndefined();

      const response = await graphql('{ viewer { kind } }', { 'x-api-key': key });
      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ reason: 'key_revoked' });
    });

    it('creates a key through the admin mutation and shows its secret only once', async () => {
      const created = await graphql(
        'mutation { createApiKey(input: { name: "ci", permissions: ["hooks:write"] }) { key apiKey { id prefix permissions } } }',
        { 'x-api-key': adminKey },
      );
      const result = (
        created.body.data as {
          createApiKey: { key: string; apiKey: { id: string; prefix: string } };
        }
      ).createApiKey;
      expect(result.key.startsWith(result.apiKey.prefix)).toBe(true);

      const listed = await graphql('{ apiKeys { id prefix } }', { 'x-api-key': adminKey });
      expect(JSON.stringify(listed.body.data)).not.toContain(result.key);
      expect(JSON.stringify(listed.body.data)).toContain(result.apiKey.id);
    });
  });

  describe('JWT', () => {
    it('accepts a valid token and takes permissions from its scope claim', async () => {
      const response = await graphql('{ viewer { kind subject permissions } }', {
        authorization: `Bearer ${await token()}`,
      });

      expect(response.body.data).toEqual({
        viewer: { kind: 'jwt', subject: 'user-42', permissions: ['workflows:read', 'hooks:read'] },
      });
    });

    const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    it.each<[string, () => Promise<string>, string]>([
      ['a wrong audience', () => token({}, (jwt) => jwt.setAudience('someone-else')), 'bad_claims'],
      [
        'a wrong issuer',
        () => token({}, (jwt) => jwt.setIssuer('https://evil.test')),
        'bad_claims',
      ],
      [
        'an expired token',
        () => token({}, (jwt) => jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60)),
        'expired',
      ],
      [
        'a token not valid yet',
        () => token({}, (jwt) => jwt.setNotBefore(Math.floor(Date.now() / 1000) + 600)),
        'not_yet_valid',
      ],
      [
        'alg none',
        async () =>
          `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'user-42', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300, scope: 'admin:write' })}.`,
        'bad_algorithm',
      ],
      [
        'HS256 signed with the public key (algorithm confusion)',
        () =>
          new SignJWT({ scope: 'admin:write' })
            .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
            .setIssuer(ISSUER)
            .setAudience(AUDIENCE)
            .setSubject('user-42')
            .setExpirationTime('5m')
            .sign(new TextEncoder().encode(publicKeyPem)),
        'bad_algorithm',
      ],
      [
        'a tampered payload',
        async () => {
          const [header, , signature] = (await token()).split('.');
          return `${header}.${base64url({ sub: 'user-42', iss: ISSUER, aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 300, scope: 'admin:write' })}.${signature}`;
        },
        'bad_signature',
      ],
    ])('refuses %s', async (_case, makeToken, reason) => {
      const response = await graphql('{ viewer { kind } }', {
        authorization: `Bearer ${await makeToken()}`,
      });

      expect(response.status).toBe(401);
      expect(response.body).toMatchObject({ error: 'INVALID_TOKEN', reason });
    });
  });

  describe('permissions declared in the schema', () => {
    it('answers a field the caller may not read as null with FORBIDDEN, and the rest normally', async () => {
      const key = await stack.createApiKey(['hooks:read']);
      const response = await graphql(
        '{ viewer { kind } workflow(id: "00000000-0000-4000-8000-000000000000") { id } hookEvents(first: 1) { edges { cursor } } }',
        { 'x-api-key': key },
      );

      expect(response.body.data).toEqual({
        viewer: { kind: 'api_key' },
        workflow: null,
        hookEvents: { edges: expect.any(Array) },
      });
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          path: ['workflow'],
          extensions: expect.objectContaining({
            code: 'FORBIDDEN',
            required_permissions: ['workflows:read'],
          }),
        }),
      ]);
    });

    it('refuses a whole mutation the caller may not run, before any subgraph does anything', async () => {
      const key = await stack.createApiKey(['workflows:read']);
      const response = await graphql(
        'mutation { executeWorkflow(input: { definitionName: "analyze-sentiment", input: { text: "x" } }) { workflowId } }',
        { 'x-api-key': key },
      );

      expect(response.body.data ?? null).toBeNull();
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        required_permissions: ['workflows:execute'],
      });
      const runs = await graphql('{ workflows(first: 50) { id } }', { 'x-api-key': adminKey });
      expect((runs.body.data as { workflows: unknown[] }).workflows).toHaveLength(0);
    });

    it('answers a REST route without the permission with 403 naming what is missing', async () => {
      const key = await stack.createApiKey(['workflows:read']);
      const response = await post(
        '/api/v1/workflows/execute',
        { definition_name: 'analyze-sentiment' },
        { 'x-api-key': key },
      );

      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({
        error: 'INSUFFICIENT_PERMISSIONS',
        required_permissions: ['workflows:execute'],
        current_permissions: ['workflows:read'],
      });
    });

    it('keeps admin data from callers without admin:read', async () => {
      const key = await stack.createApiKey(['workflows:read']);
      const response = await graphql('{ auditEvents { id } }', { 'x-api-key': key });

      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        required_permissions: ['admin:read'],
      });
    });
  });

  it('has subgraphs refuse GraphQL that did not come through the gateway', async () => {
    const hooks = stack.services.find((service) => service.name === 'hooks');
    const response = await fetch(`${hooks?.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ query: '{ hookEvents { edges { cursor } } }' }),
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'GATEWAY_IDENTITY_REQUIRED' });
  });

  it('writes every outcome to the audit log without secrets', async () => {
    const key = await stack.createApiKey(['workflows:read']);
    await graphql('{ viewer { kind } }', { 'x-api-key': key });
    await graphql('{ viewer { kind } }', {
      'x-api-key': 'onb_wrong-wrong-wrong-wrong-wrong-wrong-wrong',
    });
    await graphql('{ viewer { kind } }', {
      authorization: `Bearer ${await token({}, (jwt) => jwt.setAudience('x'))}`,
    });

    const audit = await graphql(
      '{ auditEvents(filter: { first: 200 }) { action outcome reason actorKind keyId subject ip route requestId } }',
      { 'x-api-key': adminKey },
    );
    const events = (audit.body.data as { auditEvents: Array<Record<string, string | null>> })
      .auditEvents;
    const keyId = await stack.keyIdOf(key);

    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'authenticate',
          outcome: 'success',
          actorKind: 'api_key',
          keyId,
          route: '/graphql',
          ip: expect.any(String),
          requestId: expect.any(String),
        }),
        expect.objectContaining({
          action: 'authenticate',
          outcome: 'failure',
          reason: 'key_unknown',
        }),
        expect.objectContaining({
          action: 'authenticate',
          outcome: 'failure',
          reason: 'bad_claims',
        }),
        expect.objectContaining({ action: 'api_key.revoke', outcome: 'success' }),
      ]),
    );
    expect(JSON.stringify(events)).not.toContain(key);
    expect(JSON.stringify(events)).not.toContain('onb_wrong');
  });

  it('closes a graphql-ws connection when its key is revoked', async () => {
    const key = await stack.createApiKey(['workflows:read']);
    const client = wsClient(stack.gatewayUrl, key);
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    const stream = collect(client, 'subscription { workflowCompletions { id } }');
    await new Promise((resolve) => client.on('connected', resolve));

    await graphql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { 'x-api-key': adminKey },
      { id: await stack.keyIdOf(key) },
    );

    expect(await closed).toBe(4403);
    await stream.close();
    await client.dispose();
  });

  it('ends an SSE subscription when its key is revoked', async () => {
    const key = await stack.createApiKey(['workflows:read']);
    const sse = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'x-api-key': key,
      },
      body: JSON.stringify({ query: 'subscription { workflowCompletions { id } }' }),
    });
    expect(sse.status).toBe(200);
    const reader = sse.body!.pipeThrough(new TextDecoderStream()).getReader();

    await graphql(
      'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
      { 'x-api-key': adminKey },
      { id: await stack.keyIdOf(key) },
    );

    let received = '';
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
      if (received.includes('revoked')) break;
    }
    await reader.cancel().catch(() => undefined);
    expect(received).toMatch(/The API key was revoked/);
  });

  it('refuses a graphql-ws connection without a valid credential', async () => {
    const client = wsClient(stack.gatewayUrl, 'onb_nope-nope-nope-nope-nope-nope-nope-nope');
    const closed = new Promise<number>((resolve) =>
      client.on('closed', (event) => resolve((event as { code: number }).code)),
    );
    collect(client, 'subscription { workflowCompletions { id } }');

    expect(await closed).toBe(4403);
    await client.dispose();
  });
});
