/**
 * Authorization declared in the schema: `@requiresPermissions(permissions: [...])` on a
 * field or an object type, in any subgraph, composed into the supergraph (it is a
 * `@composeDirective`). Before execution the gateway removes every field the caller may
 * not see from the operation, runs the rest, and answers those fields as null with a
 * FORBIDDEN error naming the permissions — the whole query does not fail for one field.
 * A denied field that cannot be null (a mutation, a non-null field) refuses the whole
 * operation, since no partial answer could be truthful.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  type InlineFragmentNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  getNamedType,
  isNonNullType,
  parse,
  visit,
  visitWithTypeInfo,
} from 'graphql';

const DIRECTIVE = 'requiresPermissions';

export interface Denial {
  /** Response keys from the root, e.g. ['workflow', 'tasks', 'invocation']. */
  path: string[];
  coordinate: string;
  required: string[];
}

export type AuthorizationResult =
  | { kind: 'allowed'; document: DocumentNode; denials: Denial[] }
  | { kind: 'refused'; error: GraphQLError };

export class FieldAuthorizer {
  private readonly fieldRules = new Map<string, string[]>();
  private readonly typeRules = new Map<string, string[]>();

  constructor(
    supergraphSdl: string,
    private readonly apiSchema: GraphQLSchema,
  ) {
    for (const definition of parse(supergraphSdl).definitions) {
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION
      )
        continue;
      const typeRule = permissionsOf(definition.directives);
      if (typeRule.length > 0) this.typeRules.set(definition.name.value, typeRule);
      for (const field of definition.fields ?? []) {
        const rule = permissionsOf(field.directives);
        if (rule.length > 0)
          this.fieldRules.set(`${definition.name.value}.${field.name.value}`, rule);
      }
    }
  }

  /** How many fields and types carry a rule (for start-up logs and tests). */
  get ruleCount(): number {
    return this.fieldRules.size + this.typeRules.size;
  }

  authorize(
    document: DocumentNode,
    operationName: string | null | undefined,
    granted: readonly string[],
  ): AuthorizationResult {
    const operation = inlineFragments(document, operationName);
    if (!operation) return { kind: 'allowed', document, denials: [] };

    const typeInfo = new TypeInfo(this.apiSchema);
    const path: string[] = [];
    const denials: Denial[] = [];
    let refusal: GraphQLError | undefined;

    const filtered = visit(
      operation,
      visitWithTypeInfo(typeInfo, {
        Field: {
          enter: (node: FieldNode) => {
            const parent = typeInfo.getParentType();
            const field = typeInfo.getFieldDef();
            if (!parent || !field) return undefined;
            const coordinate = `${parent.name}.${field.name}`;
            const required = [
              ...(this.fieldRules.get(coordinate) ?? []),
              ...(this.typeRules.get(getNamedType(field.type).name) ?? []),
            ];
            const missing = required.filter((permission) => !granted.includes(permission));
            const responseKey = node.alias?.value ?? node.name.value;
            if (missing.length === 0) {
              path.push(responseKey);
              return undefined;
            }
            const isRoot = path.length === 0 && operation.operation !== 'query';
            if (isNonNullType(field.type) || isRoot) {
              refusal ??= forbidden(`${coordinate} needs ${required.join(', ')}.`, {
                required_permissions: required,
                current_permissions: granted,
                field: coordinate,
              });
            }
            denials.push({ path: [...path, responseKey], coordinate, required });
            return null;
          },
          leave: (node: FieldNode) => {
            const field = typeInfo.getFieldDef();
            if (field) path.pop();
            return node;
          },
        },
        SelectionSet: {
          // A selection set emptied by removals must stay valid GraphQL.
          leave: (node: SelectionSetNode) =>
            node.selections.length > 0
              ? node
              : {
                  ...node,
                  selections: [
                    { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } },
                  ],
                },
        },
      }),
    );
    if (refusal) return { kind: 'refused', error: refusal };
    return {
      kind: 'allowed',
      document: denials.length > 0 ? { kind: Kind.DOCUMENT, definitions: [filtered] } : document,
      denials,
    };
  }
}

/** Puts null where each denied field would have been, and the FORBIDDEN errors beside the data. */
export function applyDenials<
  R extends { data?: Record<string, unknown> | null; errors?: ReadonlyArray<unknown> },
>(result: R, denials: Denial[]): R {
  if (denials.length === 0) return result;
  if (result.data) for (const denial of denials) setNull(result.data, denial.path);
  const errors = denials.map((denial) =>
    forbidden(
      `${denial.coordinate} needs ${denial.required.join(', ')}; it was answered as null.`,
      {
        required_permissions: denial.required,
        field: denial.coordinate,
      },
      denial.path,
    ),
  );
  return { ...result, errors: [...(result.errors ?? []), ...errors] };
}

function setNull(value: unknown, path: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) setNull(item, path);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const [key, ...rest] = path as [string, ...string[]];
  const record = value as Record<string, unknown>;
  if (rest.length === 0) record[key] = null;
  else setNull(record[key], rest);
}

function forbidden(
  message: string,
  extensions: Record<string, unknown>,
  path?: string[],
): GraphQLError {
  return new GraphQLError(message, {
    ...(path ? { path } : {}),
    extensions: { code: 'FORBIDDEN', ...extensions },
  });
}

function permissionsOf(
  directives: ReadonlyArray<import('graphql').ConstDirectiveNode> | undefined,
): string[] {
  const directive = directives?.find((candidate) => candidate.name.value === DIRECTIVE);
  const argument = directive?.arguments?.find(
    (candidate) => candidate.name.value === 'permissions',
  )?.value;
  if (!argument) return [];
  const values = argument.kind === Kind.LIST ? argument.values : [argument];
  return values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : []));
}

/** The chosen operation with every named fragment spread replaced by its inline fragment. */
function inlineFragments(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation) return undefined;
  const expand = (node: OperationDefinitionNode, seen: Set<string>): OperationDefinitionNode =>
    visit(node, {
      FragmentSpread: (spread): InlineFragmentNode => {
        const fragment = fragments.get(spread.name.value);
        // Validation already rejected unknown and cyclic fragments; this guards anyway.
        if (!fragment || seen.has(fragment.name.value))
          return {
            kind: Kind.INLINE_FRAGMENT,
            selectionSet: { kind: Kind.SELECTION_SET, selections: [] },
          };
        const inner = expand(
          { ...operation, selectionSet: fragment.selectionSet },
          new Set([...seen, fragment.name.value]),
        );
        return {
          kind: Kind.INLINE_FRAGMENT,
          typeCondition: fragment.typeCondition,
          directives: spread.directives ?? [],
          selectionSet: inner.selectionSet,
        };
      },
    });
  return expand(operation, new Set());
}
