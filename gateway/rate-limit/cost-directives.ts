/**
 * Reads the IBM cost directives (@cost, @listSize) out of a supergraph. Federation 2.9+
 * composes them as the https://specs.apollo.dev/cost/v0.1 feature: the supergraph keeps
 * `@cost(weight:)` and `@listSize(...)` on the same elements as the subgraphs (taking the
 * largest weight where subgraphs disagree). The API schema the gateway executes against
 * drops every directive, so the cost model is built from the supergraph SDL itself.
 */
import {
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type InputValueDefinitionNode,
  Kind,
  parse,
} from 'graphql';

export interface ListSizeDirective {
  assumedSize: number | undefined;
  slicingArguments: string[];
  sizedFields: string[];
  requireOneSlicingArgument: boolean;
}

/** Weights by schema coordinate: `Type`, `Type.field`, `Type.field(argument)`, `Input.field`. */
export interface CostModel {
  weights: Map<string, number>;
  listSizes: Map<string, ListSizeDirective>;
}

const COST_SPEC_URL = 'https://specs.apollo.dev/cost/';

export function costModelFromSupergraph(supergraphSdl: string): CostModel {
  return costModelFromDocument(parse(supergraphSdl));
}

export function costModelFromDocument(document: DocumentNode): CostModel {
  const names = directiveNames(document);
  const model: CostModel = { weights: new Map(), listSizes: new Map() };

  const readField = (typeName: string, field: FieldDefinitionNode | InputValueDefinitionNode) => {
    const coordinate = `${typeName}.${field.name.value}`;
    const weight = costWeight(field.directives, names.cost);
    if (weight !== undefined) model.weights.set(coordinate, weight);
    if (field.kind !== Kind.FIELD_DEFINITION) return;
    const listSize = field.directives?.find((directive) => directive.name.value === names.listSize);
    if (listSize) model.listSizes.set(coordinate, readListSize(listSize));
    for (const argument of field.arguments ?? []) {
      const argumentWeight = costWeight(argument.directives, names.cost);
      if (argumentWeight !== undefined)
        model.weights.set(`${coordinate}(${argument.name.value})`, argumentWeight);
    }
  };

  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.SCALAR_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_DEFINITION: {
        const typeName = definition.name.value;
        const weight = costWeight(definition.directives, names.cost);
        if (weight !== undefined) model.weights.set(typeName, weight);
        if ('fields' in definition)
          for (const field of definition.fields ?? []) readField(typeName, field);
        break;
      }
      default:
        break;
    }
  }
  return model;
}

/** The local names of @cost and @listSize, honouring `@link(import:)` renames. */
function directiveNames(document: DocumentNode): { cost: string; listSize: string } {
  const names = { cost: 'cost', listSize: 'listSize' };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION)
      continue;
    for (const link of definition.directives ?? []) {
      const url = argumentValue(link, 'url');
      if (
        link.name.value !== 'link' ||
        url?.kind !== Kind.STRING ||
        !url.value.startsWith(COST_SPEC_URL)
      )
        continue;
      const alias = argumentValue(link, 'as');
      const prefix = alias?.kind === Kind.STRING ? alias.value : 'cost';
      // The feature's own directive (@cost) takes the feature's name; others are prefixed unless imported.
      names.cost = prefix;
      names.listSize = `${prefix}__listSize`;
      const imports = argumentValue(link, 'import');
      if (imports?.kind === Kind.LIST) {
        for (const item of imports.values) {
          if (item.kind === Kind.STRING && item.value === '@listSize') names.listSize = 'listSize';
          if (item.kind === Kind.OBJECT) {
            const name = item.fields.find((field) => field.name.value === 'name')?.value;
            const as = item.fields.find((field) => field.name.value === 'as')?.value;
            if (
              name?.kind === Kind.STRING &&
              as?.kind === Kind.STRING &&
              name.value === '@listSize'
            ) {
              names.listSize = as.value.replace(/^@/, '');
            }
          }
        }
      }
    }
  }
  return names;
}

function costWeight(
  directives: readonly ConstDirectiveNode[] | undefined,
  name: string,
): number | undefined {
  const directive = directives?.find((candidate) => candidate.name.value === name);
  const weight = directive ? argumentValue(directive, 'weight') : undefined;
  return weight?.kind === Kind.INT ? Number(weight.value) : undefined;
}

function readListSize(directive: ConstDirectiveNode): ListSizeDirective {
  const strings = (name: string) => {
    const value = argumentValue(directive, name);
    if (value?.kind === Kind.STRING) return [value.value];
    if (value?.kind !== Kind.LIST) return [];
    return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
  };
  const assumed = argumentValue(directive, 'assumedSize');
  const requireOne = argumentValue(directive, 'requireOneSlicingArgument');
  return {
    assumedSize: assumed?.kind === Kind.INT ? Number(assumed.value) : undefined,
    slicingArguments: strings('slicingArguments'),
    sizedFields: strings('sizedFields'),
    requireOneSlicingArgument: requireOne?.kind === Kind.BOOLEAN ? requireOne.value : true,
  };
}

function argumentValue(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((argument) => argument.name.value === name)?.value;
}
