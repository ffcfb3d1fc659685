import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { SubgraphContext } from '../../../platform/graphql/subgraph-context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  DateTime: { input: string; output: string; }
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type InferInput = {
  input: Scalars['String']['input'];
  /** Omit to let the service choose. */
  model?: InputMaybe<Scalars['String']['input']>;
  taskId?: InputMaybe<Scalars['String']['input']>;
  taskType: Scalars['String']['input'];
  workflowId?: InputMaybe<Scalars['ID']['input']>;
};

export type InferPayload = {
  __typename?: 'InferPayload';
  invocation: ModelInvocation;
  latencyMs: Scalars['Float']['output'];
  model: Scalars['String']['output'];
  result: Scalars['JSON']['output'];
};

/** A model the service can run, keyed by name. */
export type Model = {
  __typename?: 'Model';
  name: Scalars['String']['output'];
  provider: Scalars['String']['output'];
  taskTypes: Array<Scalars['String']['output']>;
};

/** One recorded model call. */
export type ModelInvocation = {
  __typename?: 'ModelInvocation';
  createdAt: Scalars['DateTime']['output'];
  errorClass?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  inputUnits: Scalars['Int']['output'];
  latencyMs: Scalars['Float']['output'];
  model: Model;
  outcome: Scalars['String']['output'];
  outputUnits: Scalars['Int']['output'];
  taskId?: Maybe<Scalars['String']['output']>;
  taskType: Scalars['String']['output'];
  workflowId?: Maybe<Scalars['ID']['output']>;
};

export type ModelStats = {
  __typename?: 'ModelStats';
  count: Scalars['Int']['output'];
  errorRate: Scalars['Float']['output'];
  model: Scalars['String']['output'];
  p50LatencyMs?: Maybe<Scalars['Float']['output']>;
  p95LatencyMs?: Maybe<Scalars['Float']['output']>;
  p99LatencyMs?: Maybe<Scalars['Float']['output']>;
  taskType: Scalars['String']['output'];
  /** Invocations per second over the window. */
  throughput: Scalars['Float']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  infer: InferPayload;
};


export type MutationInferArgs = {
  input: InferInput;
};

export type Query = {
  __typename?: 'Query';
  modelInvocation?: Maybe<ModelInvocation>;
  /** Per-model statistics over the last windowSeconds. */
  modelStats: Array<ModelStats>;
  models: Array<Model>;
};


export type QueryModelInvocationArgs = {
  id: Scalars['ID']['input'];
};


export type QueryModelStatsArgs = {
  model?: InputMaybe<Scalars['String']['input']>;
  taskType?: InputMaybe<Scalars['String']['input']>;
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

export type WithIndex<TObject> = TObject & Record<string, any>;
export type ResolversObject<TObject> = WithIndex<TObject>;

export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = ResolversObject<{
  Model: Model;
  ModelInvocation: ModelInvocation;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Model:
    ( { __typename: 'Model' }
    & GraphQLRecursivePick<FederationTypes['Model'], {"name":true}> );
  ModelInvocation:
    ( { __typename: 'ModelInvocation' }
    & GraphQLRecursivePick<FederationTypes['ModelInvocation'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  InferInput: InferInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InferPayload: ResolverTypeWrapper<InferPayload>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Model: ResolverTypeWrapper<Model>;
  ModelInvocation: ResolverTypeWrapper<ModelInvocation>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ModelStats: ResolverTypeWrapper<ModelStats>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  DateTime: Scalars['DateTime']['output'];
  InferInput: InferInput;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  InferPayload: InferPayload;
  Float: Scalars['Float']['output'];
  JSON: Scalars['JSON']['output'];
  Model: Model | FederationReferenceTypes['Model'];
  ModelInvocation: ModelInvocation | FederationReferenceTypes['ModelInvocation'];
  Int: Scalars['Int']['output'];
  ModelStats: ModelStats;
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  Boolean: Scalars['Boolean']['output'];
}>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type InferPayloadResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['InferPayload'] = ResolversParentTypes['InferPayload']> = ResolversObject<{
  invocation?: Resolver<ResolversTypes['ModelInvocation'], ParentType, ContextType>;
  latencyMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  result?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type ModelResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Model'] = ResolversParentTypes['Model'], FederationReferenceType extends FederationReferenceTypes['Model'] = FederationReferenceTypes['Model']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Model']> | FederationReferenceType, FederationReferenceType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  taskTypes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ModelInvocationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelInvocation'] = ResolversParentTypes['ModelInvocation'], FederationReferenceType extends FederationReferenceTypes['ModelInvocation'] = FederationReferenceTypes['ModelInvocation']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['ModelInvocation']> | FederationReferenceType, FederationReferenceType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  errorClass?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  latencyMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['Model'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  outputUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  taskId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  taskType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  workflowId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
}>;

export type ModelStatsResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelStats'] = ResolversParentTypes['ModelStats']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  p50LatencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p95LatencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  p99LatencyMs?: Resolver<Maybe<ResolversTypes['Float']>, ParentType, ContextType>;
  taskType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  throughput?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  infer?: Resolver<ResolversTypes['InferPayload'], ParentType, ContextType, RequireFields<MutationInferArgs, 'input'>>;
}>;

export type QueryResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  modelInvocation?: Resolver<Maybe<ResolversTypes['ModelInvocation']>, ParentType, ContextType, RequireFields<QueryModelInvocationArgs, 'id'>>;
  modelStats?: Resolver<Array<ResolversTypes['ModelStats']>, ParentType, ContextType, RequireFields<QueryModelStatsArgs, 'windowSeconds'>>;
  models?: Resolver<Array<ResolversTypes['Model']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SubgraphContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  InferPayload?: InferPayloadResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Model?: ModelResolvers<ContextType>;
  ModelInvocation?: ModelInvocationResolvers<ContextType>;
  ModelStats?: ModelStatsResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
}>;

