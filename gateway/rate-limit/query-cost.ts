/**
 * Static cost of a GraphQL operation under the IBM cost directive semantics, and the
 * actual cost of its answer, so the difference can be refunded.
 *
 *   operation  = base (mutation 10, query and subscription 0) + cost of its selections
 *   field      = arguments + instances * (weight + cost of its selections)
 *   weight     = @cost on the field, else @cost on its type, else 1 for objects,
 *                interfaces and unions and 0 for scalars and enums
 *   arguments  = @cost of each argument given, and of each input field given inside it
 *   instances  = 1, or for a list field: the largest slicing argument given (@listSize
 *                slicingArguments, defaults included), else @listSize assumedSize, else
 *                the configured default list size. With sizedFields the size applies to
 *                those child fields (a connection's edges) instead of the field itself.
 *
 * The actual cost uses the same rules with the list lengths of the answer.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  GraphQLError,
  Kind,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
} from 'graphql';

import type { CostModel } from './cost-directives';

export const OPERATION_BASE_COST = { query: 0, mutation: 10, subscription: 0 } as const;

export interface CostInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  model: CostModel;
  defaultListSize: number;
}

/** A document the cost directives refuse (e.g. two slicing arguments where one is required). */
export class CostAnalysisError extends GraphQLError {}

export function estimateCost(input: CostInput): number {
  return new CostWalker(input).operationCost(undefined);
}

/** The cost of what was actually returned, for `data` of the same operation. */
export function actualCost(
  input: CostInput,
  data: Record<string, unknown> | null | undefined,
): number {
  return new CostWalker(input).operationCost(data ?? null);
}

type Observed = unknown;
const ESTIMATE: unique symbol = Symbol('estimate');

class CostWalker {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();

  constructor(private readonly input: CostInput) {
    for (const definition of input.document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        this.fragments.set(definition.name.value, definition);
    }
  }

  /** `observed` undefined estimates; otherwise it is the answer's data to measure. */
  operationCost(observed: Record<string, unknown> | null | undefined): number {
    const { operation, schema } = this.input;
    const root = schema.getRootType(operation.operation);
    if (!root) return 0;
    const base = OPERATION_BASE_COST[operation.operation];
    const value = observed === undefined ? ESTIMATE : observed;
    return base + this.selectionCost(root, operation.selectionSet, value, undefined);
  }

  private selectionCost(
    parent: GraphQLCompositeType,
    selectionSet: SelectionSetNode,
    value: Observed,
    sizedFields: { names: string[]; size: number } | undefined,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          total += this.fieldCost(parent, selection, value, sizedFields);
          break;
        case Kind.INLINE_FRAGMENT: {
          const type = selection.typeCondition
            ? this.input.schema.getType(selection.typeCondition.name.value)
            : parent;
          if (type && isCompositeType(type))
            total += this.selectionCost(type, selection.selectionSet, value, sizedFields);
          break;
        }
        case Kind.FRAGMENT_SPREAD: {
          const fragment = this.fragments.get(selection.name.value);
          const type = fragment && this.input.schema.getType(fragment.typeCondition.name.value);
          if (fragment && type && isCompositeType(type)) {
            total += this.selectionCost(type, fragment.selectionSet, value, sizedFields);
          }
          break;
        }
      }
    }
    return total;
  }

  private fieldCost(
    parent: GraphQLCompositeType,
    node: FieldNode,
    parentValue: Observed,
    sizedFields: { names: string[]; size: number } | undefined,
  ): number {
    if (node.name.value.startsWith('__')) return 0;
    const field =
      isObjectType(parent) || isInterfaceType(parent)
        ? parent.getFields()[node.name.value]
        : undefined;
    if (!field) return 0;

    const coordinate = `${parent.name}.${field.name}`;
    const named = getNamedType(field.type);
    const { weights, listSizes } = this.input.model;
    const weight =
      weights.get(coordinate) ?? weights.get(named.name) ?? (isCompositeType(named) ? 1 : 0);
    const args = this.argumentValues(field, node);
    const argumentsCost = this.argumentsCost(coordinate, field, args);
    const isList = isListType(getNullableType(field.type));
    const listSize = listSizes.get(coordinate);

    let size = 1;
    let childSized: { names: string[]; size: number } | undefined;
    if (listSize) {
      const slicing = this.slicingSize(coordinate, listSize, args);
      const assumed = slicing ?? listSize.assumedSize ?? this.input.defaultListSize;
      if (listSize.sizedFields.length > 0)
        childSized = { names: listSize.sizedFields, size: assumed };
      else if (isList) size = assumed;
    } else if (isList) {
      size = sizedFields?.names.includes(field.name)
        ? sizedFields.size
        : this.input.defaultListSize;
    }

    const childCost = (value: Observed) =>
      node.selectionSet && isCompositeType(named)
        ? this.selectionCost(named, node.selectionSet, value, childSized)
        : 0;

    if (parentValue === ESTIMATE) return argumentsCost + size * (weight + childCost(ESTIMATE));

    const value =
      parentValue && typeof parentValue === 'object'
        ? (parentValue as Record<string, unknown>)[node.alias?.value ?? node.name.value]
        : undefined;
    if (value === undefined) return 0;
    if (value === null) return argumentsCost + (isList ? 0 : weight);
    if (Array.isArray(value)) {
      let total = argumentsCost;
      for (const item of value.flat(Infinity))
        total += item === null ? 0 : weight + childCost(item);
      return total;
    }
    return argumentsCost + weight + childCost(value);
  }

  private argumentValues(
    field: GraphQLField<unknown, unknown>,
    node: FieldNode,
  ): Record<string, unknown> {
    try {
      return getArgumentValues(field, node, this.input.variables);
    } catch {
      // Validation already ran; a value that still fails to coerce will fail execution too.
      return {};
    }
  }

  private argumentsCost(
    coordinate: string,
    field: GraphQLField<unknown, unknown>,
    args: Record<string, unknown>,
  ): number {
    let total = 0;
    for (const argument of field.args) {
      if (args[argument.name] === undefined) continue;
      total += this.input.model.weights.get(`${coordinate}(${argument.name})`) ?? 0;
      total += this.inputCost(argument.type, args[argument.name]);
    }
    return total;
  }

  private inputCost(type: GraphQLInputType, value: unknown): number {
    if (value === null || value === undefined) return 0;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      return Array.isArray(value)
        ? value.reduce<number>((sum, item) => sum + this.inputCost(nullable.ofType, item), 0)
        : 0;
    }
    if (!isInputObjectType(nullable) || typeof value !== 'object') return 0;
    let total = this.input.model.weights.get(nullable.name) ?? 0;
    for (const [name, field] of Object.entries(nullable.getFields())) {
      const fieldValue = (value as Record<string, unknown>)[name];
      if (fieldValue === undefined) continue;
      total += this.input.model.weights.get(`${nullable.name}.${name}`) ?? 0;
      total += this.inputCost(field.type, fieldValue);
    }
    return total;
  }

  private slicingSize(
    coordinate: string,
    listSize: { slicingArguments: string[]; requireOneSlicingArgument: boolean },
    args: Record<string, unknown>,
  ): number | undefined {
    const given = listSize.slicingArguments
      .map((name) => args[name])
      .filter((value): value is number => typeof value === 'number');
    if (listSize.requireOneSlicingArgument && given.length > 1) {
      throw new CostAnalysisError(
        `${coordinate} takes exactly one of ${listSize.slicingArguments.join(', ')}.`,
        {
          extensions: { code: 'BAD_USER_INPUT' },
        },
      );
    }
    return given.length > 0 ? Math.max(...given) : undefined;
  }
}
