/**
 * Limits on the shape of a GraphQL document, checked before any cost or rate decision:
 * the number of lexical tokens (enforced by the parser, which stops reading at the limit,
 * so a huge document costs no more than the limit to refuse), the depth of field nesting
 * and the number of aliases (validation rules, following fragments).
 */
import {
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  GraphQLError,
  Kind,
  type ValidationContext,
} from 'graphql';

export interface DocumentLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
}

export function maxDepthRule(maxDepth: number): (context: ValidationContext) => ASTVisitor {
  return (context) => ({
    OperationDefinition(operation) {
      const fragments = fragmentsOf(context);
      const depth = selectionDepth(operation.selectionSet, fragments, new Set());
      if (depth > maxDepth) {
        context.reportError(
          new GraphQLError(
            `The operation nests fields ${depth} deep; at most ${maxDepth} levels are allowed.`,
            {
              nodes: [operation],
              extensions: { code: 'QUERY_TOO_DEEP', max_depth: maxDepth, depth },
            },
          ),
        );
      }
    },
  });
}

export function maxAliasesRule(maxAliases: number): (context: ValidationContext) => ASTVisitor {
  let aliases = 0;
  return (context) => ({
    Document: {
      enter() {
        aliases = 0;
      },
      leave(document) {
        if (aliases > maxAliases) {
          context.reportError(
            new GraphQLError(
              `The document uses ${aliases} aliases; at most ${maxAliases} are allowed.`,
              {
                nodes: [document],
                extensions: { code: 'TOO_MANY_ALIASES', max_aliases: maxAliases, aliases },
              },
            ),
          );
        }
      },
    },
    Field(node) {
      if (node.alias) aliases += 1;
    },
  });
}

function fragmentsOf(context: ValidationContext): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  return fragments;
}

function selectionDepth(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection nests ofType deeply by design and is cheap to answer; it counts as one level.
      if (selection.name.value.startsWith('__')) {
        deepest = Math.max(deepest, 1);
        continue;
      }
      const below = selection.selectionSet
        ? selectionDepth(selection.selectionSet, fragments, visiting)
        : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const fragment = fragments.get(selection.name.value);
      // A fragment cycle is its own validation error (NoFragmentCycles); do not loop on it.
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(fragment.name.value);
    }
  }
  return deepest;
}
