/**
 * Templates in task inputs: any string may hold `{{path}}` references to the workflow
 * input (`input.x`), the triggering hook event (`event.data.x`, `event.source`...) or an
 * earlier task's output (`tasks.<id>.output.x`). A string that is exactly one reference
 * takes the referenced value with its type; otherwise references are interpolated as text.
 */

export const TEMPLATE_ROOTS = ['input', 'event', 'tasks'] as const;

const REFERENCE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE_REFERENCE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const PATH = /^[A-Za-z_][\w-]*(\.[\w-]+)*$/;

export interface TemplateReference {
  /** The path as written, e.g. `tasks.fetch.output.body`. */
  path: string;
  /** Where in the task input it appears, e.g. `input.text`. */
  location: string;
}

export interface TemplateScope {
  input: unknown;
  event: unknown;
  tasks: Record<string, { output: unknown }>;
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Every `{{...}}` in a value, with where it sits; throws TemplateError on a malformed one. */
export function findReferences(value: unknown, location = 'input'): TemplateReference[] {
  if (typeof value === 'string') {
    if (hasUnbalancedBraces(value)) {
      throw new TemplateError(`${location}: unclosed template in "${value}"`);
    }
    return [...value.matchAll(REFERENCE)].map((match) => {
      const path = match[1] ?? '';
      if (!PATH.test(path)) {
        throw new TemplateError(`${location}: "{{${path}}}" is not a dotted path`);
      }
      return { path, location };
    });
  }
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findReferences(item, `${location}[${index}]`));
  }
  if (isObject(value)) {
    return Object.entries(value).flatMap(([key, item]) =>
      findReferences(item, `${location}.${key}`),
    );
  }
  return [];
}

/** Replaces every reference in `value` from `scope`; a reference with no value throws. */
export function renderTemplate(value: unknown, scope: TemplateScope): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole) return lookup(scope, whole[1] ?? '');
    return value.replace(REFERENCE, (_match, path: string) => {
      const found = lookup(scope, path);
      return typeof found === 'string' ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, scope));
  if (isObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, renderTemplate(item, scope)]),
    );
  }
  return value;
}

function lookup(scope: TemplateScope, path: string): unknown {
  let current: unknown = scope;
  for (const segment of path.split('.')) {
    if (!isObject(current) && !Array.isArray(current)) current = undefined;
    else current = (current as Record<string, unknown>)[segment];
    if (current === undefined) {
      throw new TemplateError(`template {{${path}}} has no value`);
    }
  }
  return current;
}

function hasUnbalancedBraces(text: string): boolean {
  const withoutReferences = text.replace(REFERENCE, '');
  return withoutReferences.includes('{{') || withoutReferences.includes('}}');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
