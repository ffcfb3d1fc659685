/**
 * Stored definitions (a new version on every save, runs pin the version they started
 * with) and triggers, which map a hook event's (source, action) to a definition name.
 */
import { randomUUID } from 'node:crypto';

import type { Queryable } from '../../platform/db/pool';
import { AppError } from '../../platform/errors';
import { type WorkflowDefinition, parseDefinition } from './definition';
import { WorkflowErrors } from './errors';

export interface StoredDefinition {
  name: string;
  version: number;
  definition: WorkflowDefinition;
  createdAt: Date;
}

export interface Trigger {
  id: string;
  source: string;
  action: string;
  definitionName: string;
  createdAt: Date;
}

interface DefinitionRow {
  name: string;
  version: number;
  definition: WorkflowDefinition;
  created_at: Date;
}

interface TriggerRow {
  id: string;
  source: string;
  action: string;
  definition_name: string;
  created_at: Date;
}

const UNIQUE_VIOLATION = '23505';
const SAVE_ATTEMPTS = 3;

/** Validates `raw` and stores it as the next version of its name. */
export async function saveDefinition(db: Queryable, raw: unknown): Promise<StoredDefinition> {
  const definition = parseDefinition(raw);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const result = await db.query<DefinitionRow>(
        `INSERT INTO workflow_definitions (name, version, definition)
         SELECT $1, COALESCE(MAX(version), 0) + 1, $2 FROM workflow_definitions WHERE name = $1
         RETURNING name, version, definition, created_at`,
        [definition.name, JSON.stringify(definition)],
      );
      return toDefinition(result.rows[0] as DefinitionRow);
    } catch (error) {
      // Two saves of one name raced for the same version number: take the next one.
      const code = (error as { code?: string }).code;
      if (code !== UNIQUE_VIOLATION || attempt >= SAVE_ATTEMPTS) throw error;
    }
  }
}

/** The given version, or the latest; undefined when there is none. */
export async function findDefinition(
  db: Queryable,
  name: string,
  version?: number,
): Promise<StoredDefinition | undefined> {
  const result = await db.query<DefinitionRow>(
    `SELECT name, version, definition, created_at FROM workflow_definitions
     WHERE name = $1 AND ($2::int IS NULL OR version = $2)
     ORDER BY version DESC LIMIT 1`,
    [name, version ?? null],
  );
  const row = result.rows[0];
  return row ? toDefinition(row) : undefined;
}

export async function requireDefinition(db: Queryable, name: string): Promise<StoredDefinition> {
  const found = await findDefinition(db, name);
  if (!found) {
    throw new AppError(
      WorkflowErrors.DEFINITION_NOT_FOUND,
      `No workflow definition named "${name}".`,
    );
  }
  return found;
}

/** Creates the trigger, or returns the existing one for the same triple. */
export async function createTrigger(
  db: Queryable,
  input: { source: string; action: string; definitionName: string },
): Promise<Trigger> {
  await requireDefinition(db, input.definitionName);
  const result = await db.query<TriggerRow>(
    `INSERT INTO workflow_triggers (id, source, action, definition_name) VALUES ($1, $2, $3, $4)
     ON CONFLICT (source, action, definition_name) DO UPDATE SET source = EXCLUDED.source
     RETURNING id, source, action, definition_name, created_at`,
    [randomUUID(), input.source, input.action, input.definitionName],
  );
  return toTrigger(result.rows[0] as TriggerRow);
}

export async function listTriggers(db: Queryable): Promise<Trigger[]> {
  const result = await db.query<TriggerRow>(
    'SELECT id, source, action, definition_name, created_at FROM workflow_triggers ORDER BY created_at',
  );
  return result.rows.map(toTrigger);
}

/** The latest version of every definition triggered by (source, action). */
export async function findTriggeredDefinitions(
  db: Queryable,
  source: string,
  action: string,
): Promise<StoredDefinition[]> {
  const result = await db.query<DefinitionRow>(
    `SELECT d.name, d.version, d.definition, d.created_at
     FROM workflow_triggers t
     JOIN LATERAL (
       SELECT * FROM workflow_definitions WHERE name = t.definition_name ORDER BY version DESC LIMIT 1
     ) d ON true
     WHERE t.source = $1 AND t.action = $2
     ORDER BY d.name`,
    [source, action],
  );
  return result.rows.map(toDefinition);
}

function toDefinition(row: DefinitionRow): StoredDefinition {
  return {
    name: row.name,
    version: row.version,
    definition: row.definition,
    createdAt: row.created_at,
  };
}

function toTrigger(row: TriggerRow): Trigger {
  return {
    id: row.id,
    source: row.source,
    action: row.action,
    definitionName: row.definition_name,
    createdAt: row.created_at,
  };
}
