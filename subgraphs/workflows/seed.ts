/**
 * The embedded default's demo workflow: every hook event from source `demo` with action
 * `message.created` runs `analyze-sentiment`, one model_inference task on the event's
 * `data.text`. Safe to call at every start: it adds a version only when the stored one
 * differs, and the trigger only once.
 */
import type { Queryable } from '../../platform/db/pool';
import type { WorkflowDefinition } from './definition';
import { createTrigger, findDefinition, saveDefinition } from './definition-store';

export const DEMO_DEFINITION: WorkflowDefinition = {
  name: 'analyze-sentiment',
  tasks: [
    {
      id: 'sentiment',
      type: 'model_inference',
      input: { task_type: 'sentiment', input: '{{event.data.text}}' },
      dependsOn: [],
    },
  ],
};

export const DEMO_TRIGGER = { source: 'demo', action: 'message.created' } as const;

export async function seedDefaultWorkflows(db: Queryable): Promise<void> {
  const stored = await findDefinition(db, DEMO_DEFINITION.name);
  // jsonb reorders keys, so the comparison happens in PostgreSQL, not on strings.
  const unchanged =
    stored !== undefined &&
    (
      await db.query(
        'SELECT 1 FROM workflow_definitions WHERE name = $1 AND version = $2 AND definition = $3::jsonb',
        [stored.name, stored.version, JSON.stringify(DEMO_DEFINITION)],
      )
    ).rowCount === 1;
  if (!unchanged) await saveDefinition(db, DEMO_DEFINITION);
  await createTrigger(db, { ...DEMO_TRIGGER, definitionName: DEMO_DEFINITION.name });
}
