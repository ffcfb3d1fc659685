/**
 * `npm run hook-secret -- <command>`: signing secrets per webhook source.
 *
 *   add --source github --scheme github|stripe|standard-webhooks --secret S
 *   list
 *   revoke SECRET_ID
 *
 * A source with an active secret accepts only deliveries signed with one of its active
 * secrets; add the new secret, switch the sender, then revoke the old one (rotation
 * without downtime). Works on DATABASE_URL, like `npm run api-key`.
 */
import { parseArgs } from 'node:util';

import { runCli } from './cli-support';
import { createSecretBox } from '../platform/crypto/secrets-key';

import {
  SIGNATURE_SCHEMES,
  type SignatureScheme,
} from '../subgraphs/hooks/signatures/signature-schemes';
import {
  addSourceSecret,
  revokeSourceSecret,
} from '../subgraphs/hooks/signatures/source-signatures';

const USAGE = `usage:
  npm run hook-secret -- add --source SOURCE --scheme ${SIGNATURE_SCHEMES.join('|')} --secret SECRET
  npm run hook-secret -- list
  npm run hook-secret -- revoke SECRET_ID`;

runCli(async ({ config, db, log }) => {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { source: { type: 'string' }, scheme: { type: 'string' }, secret: { type: 'string' } },
  });
  const [command, argument] = positionals;
  switch (command) {
    case 'add': {
      if (
        !values.source ||
        !values.secret ||
        !(SIGNATURE_SCHEMES as readonly string[]).includes(values.scheme ?? '')
      ) {
        console.error(USAGE);
        return 2;
      }
      const id = await addSourceSecret(db, await createSecretBox(config, log), {
        source: values.source,
        scheme: values.scheme as SignatureScheme,
        secret: values.secret,
      });
      console.log(`added ${id} for ${values.source} (${values.scheme})`);
      return 0;
    }
    case 'list': {
      const { rows } = await db.query<{
        id: string;
        source: string;
        scheme: string;
        created_at: Date;
        revoked_at: Date | null;
      }>(
        'SELECT id, source, scheme, created_at, revoked_at FROM hook_source_secrets ORDER BY source, created_at',
      );
      // The secrets themselves are never printed.
      for (const row of rows) {
        console.log(
          `${row.id}  ${row.source.padEnd(16)} ${row.scheme.padEnd(18)} ${row.revoked_at ? 'revoked' : 'active'}  ${row.created_at.toISOString()}`,
        );
      }
      return 0;
    }
    case 'revoke':
      if (!argument) {
        console.error(USAGE);
        return 2;
      }
      await revokeSourceSecret(db, argument);
      console.log(`revoked ${argument}`);
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
});
