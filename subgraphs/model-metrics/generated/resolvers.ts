import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { InvocationRecord, ModelTaskStats } from '../invocation-store';
import { ModelView } from '../model-catalog';
import { SubgraphContext } from '../../../platform/graphql/subgraph-context';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
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
  /** This model's statistics per task type over the last windowSeconds. */
  stats: Array<ModelStats>;
  taskTypes: Array<Scalars['String']['output']>;
};


/** A model the service can run, keyed by name. */
export type ModelStatsArgs = {
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
};

/** The models of one task type side by side, best selection score first. */
export type ModelComparison = {
  __typename?: 'ModelComparison';
  entries: Array<ModelComparisonEntry>;
  taskType: Scalars['String']['output'];
  windowSeconds: Scalars['Int']['output'];
};

export type ModelComparisonEntry = {
  __typename?: 'ModelComparisonEntry';
  model: Model;
  /** 1 for the best. */
  rank: Scalars['Int']['output'];
  /** The selection score in [0, 1] with the configured weights. */
  score: Scalars['Float']['output'];
  /** Null when the model had no call in the window. */
  stats?: Maybe<ModelStats>;
  /** Laplace-smoothed success rate the score uses. */
  successRate: Scalars['Float']['output'];
};

/** One recorded model call. */
export type ModelInvocation = {
  __typename?: 'ModelInvocation';
  /** Units times the model's configured per-unit costs; 0 for the local models. */
  cost: Scalars['Float']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Set when outcome is error, e.g. timeout, http_503, bad_reply. */
  errorClass?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  inputUnits: Scalars['Int']['output'];
  latencyMs: Scalars['Float']['output'];
  model: Model;
  /** success or error. */
  outcome: Scalars['String']['output'];
  outputUnits: Scalars['Int']['output'];
  provider: Scalars['String']['output'];
  taskId?: Maybe<Scalars['String']['output']>;
  taskType: Scalars['String']['output'];
  workflowId?: Maybe<Scalars['ID']['output']>;
};

/** Statistics of one model on one task type; latency percentiles are exact, over every call. */
export type ModelStats = {
  __typename?: 'ModelStats';
  count: Scalars['Int']['output'];
  errorRate: Scalars['Float']['output'];
  meanCost: Scalars['Float']['output'];
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
  /** A model call: the costliest operation of the graph. */
  infer: InferPayload;
};


export type MutationInferArgs = {
  input: InferInput;
};

export type Query = {
  __typename?: 'Query';
  /** Every model serving taskType, compared over the last windowSeconds. */
  compareModels: ModelComparison;
  modelInvocation?: Maybe<ModelInvocation>;
  /** Per-model statistics over the last windowSeconds. */
  modelStats: Array<ModelStats>;
  models: Array<Model>;
};


export type QueryCompareModelsArgs = {
  taskType: Scalars['String']['input'];
  windowSeconds?: InputMaybe<Scalars['Int']['input']>;
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
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  InferPayload: ResolverTypeWrapper<Omit<InferPayload, 'invocation'> & { invocation: ResolversTypes['ModelInvocation'] }>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Model: ResolverTypeWrapper<ModelView>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ModelComparison: ResolverTypeWrapper<Omit<ModelComparison, 'entries'> & { entries: Array<ResolversTypes['ModelComparisonEntry']> }>;
  ModelComparisonEntry: ResolverTypeWrapper<Omit<ModelComparisonEntry, 'model' | 'stats'> & { model: ResolversTypes['Model'], stats?: Maybe<ResolversTypes['ModelStats']> }>;
  ModelInvocation: ResolverTypeWrapper<InvocationRecord>;
  ModelStats: ResolverTypeWrapper<ModelTaskStats>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  DateTime: Scalars['DateTime']['output'];
  InferInput: InferInput;
  ID: Scalars['ID']['output'];
  InferPayload: Omit<InferPayload, 'invocation'> & { invocation: ResolversParentTypes['ModelInvocation'] };
  Float: Scalars['Float']['output'];
  JSON: Scalars['JSON']['output'];
  Model: ModelView;
  Int: Scalars['Int']['output'];
  ModelComparison: Omit<ModelComparison, 'entries'> & { entries: Array<ResolversParentTypes['ModelComparisonEntry']> };
  ModelComparisonEntry: Omit<ModelComparisonEntry, 'model' | 'stats'> & { model: ResolversParentTypes['Model'], stats?: Maybe<ResolversParentTypes['ModelStats']> };
  ModelInvocation: InvocationRecord;
  ModelStats: ModelTaskStats;
  Mutation: Record<PropertyKey, never>;
  Query: Record<PropertyKey, never>;
  String: Scalars['String']['output'];
  Boolean: Scalars['Boolean']['output'];
}>;

export type RequiresPermissionsDirectiveArgs = {
  permissions: Array<Scalars['String']['input']>;
};

export type RequiresPermissionsDirectiveResolver<Result, Parent, ContextType = SubgraphContext, Args = RequiresPermissionsDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

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
  stats?: Resolver<Array<ResolversTypes['ModelStats']>, ParentType, ContextType, RequireFields<ModelStatsArgs, 'windowSeconds'>>;
  taskTypes?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
}>;

export type ModelComparisonResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelComparison'] = ResolversParentTypes['ModelComparison']> = ResolversObject<{
  entries?: Resolver<Array<ResolversTypes['ModelComparisonEntry']>, ParentType, ContextType>;
  taskType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  windowSeconds?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type ModelComparisonEntryResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelComparisonEntry'] = ResolversParentTypes['ModelComparisonEntry']> = ResolversObject<{
  model?: Resolver<ResolversTypes['Model'], ParentType, ContextType>;
  rank?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  score?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  stats?: Resolver<Maybe<ResolversTypes['ModelStats']>, ParentType, ContextType>;
  successRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
}>;

export type ModelInvocationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelInvocation'] = ResolversParentTypes['ModelInvocation'], FederationReferenceType extends FederationReferenceTypes['ModelInvocation'] = FederationReferenceTypes['ModelInvocation']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['ModelInvocation']> | FederationReferenceType, FederationReferenceType, ContextType>;
  cost?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  errorClass?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  inputUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  latencyMs?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  model?: Resolver<ResolversTypes['Model'], ParentType, ContextType>;
  outcome?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  outputUnits?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  provider?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  taskId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  taskType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  workflowId?: Resolver<Maybe<ResolversTypes['ID']>, ParentType, ContextType>;
}>;

export type ModelStatsResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelStats'] = ResolversParentTypes['ModelStats']> = ResolversObject<{
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  errorRate?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  meanCost?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
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
  compareModels?: Resolver<ResolversTypes['ModelComparison'], ParentType, ContextType, RequireFields<QueryCompareModelsArgs, 'taskType' | 'windowSeconds'>>;
  modelInvocation?: Resolver<Maybe<ResolversTypes['ModelInvocation']>, ParentType, ContextType, RequireFields<QueryModelInvocationArgs, 'id'>>;
  modelStats?: Resolver<Array<ResolversTypes['ModelStats']>, ParentType, ContextType, RequireFields<QueryModelStatsArgs, 'windowSeconds'>>;
  models?: Resolver<Array<ResolversTypes['Model']>, ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SubgraphContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  InferPayload?: InferPayloadResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Model?: ModelResolvers<ContextType>;
  ModelComparison?: ModelComparisonResolvers<ContextType>;
  ModelComparisonEntry?: ModelComparisonEntryResolvers<ContextType>;
  ModelInvocation?: ModelInvocationResolvers<ContextType>;
  ModelStats?: ModelStatsResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = SubgraphContext> = ResolversObject<{
  requiresPermissions?: RequiresPermissionsDirectiveResolver<any, any, ContextType>;
}>;
