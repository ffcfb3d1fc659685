/**
 * Opaque cursors for hookEvents pagination. A cursor names the last event of a page by
 * (received_at, id), the order of the list, so a page is a keyset query and stays correct
 * while new events arrive. Clients must treat it as opaque: its encoding may change.
 */
import { AppError } from '../../../platform/errors';
import { HookErrors } from '../errors';

export interface EventPosition {
  receivedAt: Date;
  id: string;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(position: EventPosition): string {
  return Buffer.from(`${position.receivedAt.toISOString()}|${position.id}`, 'utf8').toString(
    'base64url',
  );
}

/** Throws 400 VALIDATION_FAILED for anything that is not a cursor this service made. */
export function decodeCursor(cursor: string): EventPosition {
  const [time, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const receivedAt = new Date(time ?? '');
  if (rest.length > 0 || !id || !UUID_PATTERN.test(id) || Number.isNaN(receivedAt.getTime())) {
    throw new AppError(HookErrors.VALIDATION_FAILED, 'The cursor is not valid.', {
      field_errors: { after: 'not a cursor returned by hookEvents' },
    });
  }
  return { receivedAt, id };
}
