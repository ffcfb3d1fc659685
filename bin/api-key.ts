/**
 * `npm run api-key -- <command>`: API key administration from a shell.
 *
 *   create --name NAME --permissions hooks:write,workflows:read [--expires-in-days N]
 *   list [--all]
 *   revoke KEY_ID
 *
 * Works on the database in DATABASE_URL. The embedded database belongs to the running
 * `npm start` process; there, use the createApiKey / revokeApiKey mutations with the
 * development key instead.
 */
import { parseArgs } from 'node:util';

import { runCli } from './cli-support';

import { ApiKeyStore, PERMISSIONS, type Permission } from '../platform/auth/api-keys';
import { createRedis } from '../platform/cache/redis';
import { RedisRevocationFeed } from '../platform/auth/revocations';

const USAGE = `usage:
  npm run api-key -- create --name NAME --permissions p1,p2 [--expires-in-days N]
  npm run api-key -- list [--all]
  npm run api-key -- revoke KEY_ID
permissions: ${PERMISSIONS.join(', ')}`;

runCli(async ({ config, db, log }) => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      permissions: { type: 'string' },
      'expires-in-days': { type: 'string' },
      all: { type: 'boolean', default: false },
    },
  });
  const [command, argument] = positionals;
  const keys = new ApiKeyStore(db);
  switch (command) {
    case 'create': {
      const permissions = (values.permissions ?? '').split(',').filter(Boolean);
      const unknown = permissions.filter(
        (permission) => !(PERMISSIONS as readonly string[]).includes(permission),
      );
      if (!values.name || unknown.length > 0) {
        console.error(
          unknown.length > 0 ? `unknown permission(s): ${unknown.join(', ')}\n${USAGE}` : USAGE,
        );
        return 2;
      }
      const days = values['expires-in-days'] ? Number(values['expires-in-days']) : undefined;
      if (days !== undefined && !(days > 0)) {
        console.error('--expires-in-days must be a positive number');
        return 2;
      }
      const created = await keys.create({
        name: values.name,
        permissions: permissions as Permission[],
        ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000) } : {}),
      });
      console.log(
        `id:  ${created.id}\nkey: ${created.key}\n(the key is shown once; only its hash is stored)`,
      );
      return 0;
    }
    case 'list': {
      for (const key of await keys.list({ includeRevoked: values.all })) {
        const state = key.revokedAt
          ? 'revoked'
          : key.expiresAt && key.expiresAt < new Date()
            ? 'expired'
            : 'active';
        console.log(
          `${key.id}  ${key.prefix}…  ${state.padEnd(7)}  ${key.name}  [${key.permissions.join(' ')}]`,
        );
      }
      return 0;
    }
    case 'revoke': {
      if (!argument) {
        console.error(USAGE);
        return 2;
      }
      if (!(await keys.revoke(argument))) {
        console.error(`no active API key ${argument}`);
        return 1;
      }
      if (config.redis.url) {
        // Tell running replicas now rather than at their cache expiry.
        const redis = createRedis(config.redis.url, log);
        await redis.connect().catch(() => undefined);
        const feed = new RedisRevocationFeed(redis, log);
        await feed.publish(argument);
        await feed.close();
        redis.disconnect();
      }
      console.log(`revoked ${argument}`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
});
