/**
 * Per-request DataLoaders: entity references from the gateway (`_entities` with many
 * HookEvent ids) and the history of every event on a page each cost one query.
 */
import DataLoader from 'dataloader';

import type { Database } from '../../../platform/db/pool';
import {
  type HistoryRecord,
  type HookEventRecord,
  findHistory,
  findHookEvents,
} from '../store/hook-event-store';

export interface HookLoaders {
  events: DataLoader<string, HookEventRecord | null>;
  history: DataLoader<string, HistoryRecord[]>;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isEventId(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** Loaders keyed by the request's context object, so each request gets fresh ones. */
export function createLoaderCache(db: Database): (context: object) => HookLoaders {
  const byContext = new WeakMap<object, HookLoaders>();
  return (context) => {
    let loaders = byContext.get(context);
    if (!loaders) {
      loaders = createLoaders(db);
      byContext.set(context, loaders);
    }
    return loaders;
  };
}

function createLoaders(db: Database): HookLoaders {
  return {
    events: new DataLoader(async (ids) => {
      // Ids that are not UUIDs cannot exist; asking PostgreSQL would fail the whole batch.
      const found = await findHookEvents(db, ids.filter(isEventId));
      const byId = new Map(found.map((event) => [event.id, event]));
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    }),
    history: new DataLoader(async (eventIds) => {
      const rows = await findHistory(db, eventIds);
      const byEvent = new Map<string, HistoryRecord[]>();
      for (const row of rows) {
        const list = byEvent.get(row.eventId) ?? [];
        list.push(row);
        byEvent.set(row.eventId, list);
      }
      return eventIds.map((id) => byEvent.get(id) ?? []);
    }),
  };
}
