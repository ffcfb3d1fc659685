/** The custom scalars every subgraph declares (JSON, DateTime), from graphql-scalars. */
import { GraphQLDateTimeISO, GraphQLJSON } from 'graphql-scalars';

export const scalarResolvers = {
  JSON: GraphQLJSON,
  DateTime: GraphQLDateTimeISO,
};
