import { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import { HookEventRecord, HistoryRecord } from '../store/hook-event-store';
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

/** A webhook delivery accepted by the Hook Receiver, with its audit trail. */
export type HookEvent = {
  __typename?: 'HookEvent';
  action: Scalars['String']['output'];
  correlationId: Scalars['String']['output'];
  data: Scalars['JSON']['output'];
  /** Every status the event passed through, oldest first. */
  history: Array<HookEventStatusChange>;
  id: Scalars['ID']['output'];
  publishedAt?: Maybe<Scalars['DateTime']['output']>;
  receivedAt: Scalars['DateTime']['output'];
  resource: Scalars['String']['output'];
  resourceId: Scalars['String']['output'];
  source: Scalars['String']['output'];
  status: HookEventStatus;
};

export type HookEventConnection = {
  __typename?: 'HookEventConnection';
  edges: Array<HookEventEdge>;
  pageInfo: PageInfo;
};

export type HookEventEdge = {
  __typename?: 'HookEventEdge';
  cursor: Scalars['String']['output'];
  node: HookEvent;
};

export type HookEventFilter = {
  action?: InputMaybe<Scalars['String']['input']>;
  receivedAfter?: InputMaybe<Scalars['DateTime']['input']>;
  receivedBefore?: InputMaybe<Scalars['DateTime']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<HookEventStatus>;
};

export type HookEventStatus =
  | 'DEAD_LETTERED'
  | 'FAILED'
  | 'PROCESSED'
  | 'PUBLISHED'
  | 'RECEIVED';

export type HookEventStatusChange = {
  __typename?: 'HookEventStatusChange';
  at: Scalars['DateTime']['output'];
  detail?: Maybe<Scalars['JSON']['output']>;
  status: HookEventStatus;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Accepts a webhook like POST /api/v1/hooks/receive: stored before it is acknowledged. */
  receiveHook: ReceiveHookPayload;
};


export type MutationReceiveHookArgs = {
  input: ReceiveHookInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  hookEvent?: Maybe<HookEvent>;
  /** Newest first. */
  hookEvents: HookEventConnection;
};


export type QueryHookEventArgs = {
  id: Scalars['ID']['input'];
};


export type QueryHookEventsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<HookEventFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ReceiveHookInput = {
  action: Scalars['String']['input'];
  data?: InputMaybe<Scalars['JSON']['input']>;
  /** Makes a retried delivery return the same event instead of storing a new one. */
  idempotencyKey?: InputMaybe<Scalars['String']['input']>;
  resource: Scalars['String']['input'];
  resourceId: Scalars['String']['input'];
  source: Scalars['String']['input'];
};

export type ReceiveHookPayload = {
  __typename?: 'ReceiveHookPayload';
  event: HookEvent;
  eventId: Scalars['ID']['output'];
  status: Scalars['String']['output'];
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
  HookEvent: HookEvent;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  HookEvent:
    ( { __typename: 'HookEvent' }
    & GraphQLRecursivePick<FederationTypes['HookEvent'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  HookEvent: ResolverTypeWrapper<HookEventRecord>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  HookEventConnection: ResolverTypeWrapper<Omit<HookEventConnection, 'edges'> & { edges: Array<ResolversTypes['HookEventEdge']> }>;
  HookEventEdge: ResolverTypeWrapper<Omit<HookEventEdge, 'node'> & { node: ResolversTypes['HookEvent'] }>;
  HookEventFilter: HookEventFilter;
  HookEventStatus: HookEventStatus;
  HookEventStatusChange: ResolverTypeWrapper<HistoryRecord>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  ReceiveHookInput: ReceiveHookInput;
  ReceiveHookPayload: ResolverTypeWrapper<Omit<ReceiveHookPayload, 'event'> & { event: ResolversTypes['HookEvent'] }>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  DateTime: Scalars['DateTime']['output'];
  HookEvent: HookEventRecord;
  ID: Scalars['ID']['output'];
  HookEventConnection: Omit<HookEventConnection, 'edges'> & { edges: Array<ResolversParentTypes['HookEventEdge']> };
  HookEventEdge: Omit<HookEventEdge, 'node'> & { node: ResolversParentTypes['HookEvent'] };
  HookEventFilter: HookEventFilter;
  HookEventStatusChange: HistoryRecord;
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  ReceiveHookInput: ReceiveHookInput;
  ReceiveHookPayload: Omit<ReceiveHookPayload, 'event'> & { event: ResolversParentTypes['HookEvent'] };
  String: Scalars['String']['output'];
}>;

export type RequiresPermissionsDirectiveArgs = {
  permissions: Array<Scalars['String']['input']>;
};

export type RequiresPermissionsDirectiveResolver<Result, Parent, ContextType = SubgraphContext, Args = RequiresPermissionsDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type HookEventResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['HookEvent'] = ResolversParentTypes['HookEvent'], FederationReferenceType extends FederationReferenceTypes['HookEvent'] = FederationReferenceTypes['HookEvent']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['HookEvent']> | FederationReferenceType, FederationReferenceType, ContextType>;
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  correlationId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  data?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  history?: Resolver<Array<ResolversTypes['HookEventStatusChange']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  publishedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  receivedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  resource?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  resourceId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HookEventStatus'], ParentType, ContextType>;
}>;

export type HookEventConnectionResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['HookEventConnection'] = ResolversParentTypes['HookEventConnection']> = ResolversObject<{
  edges?: Resolver<Array<ResolversTypes['HookEventEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
}>;

export type HookEventEdgeResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['HookEventEdge'] = ResolversParentTypes['HookEventEdge']> = ResolversObject<{
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['HookEvent'], ParentType, ContextType>;
}>;

export type HookEventStatusChangeResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['HookEventStatusChange'] = ResolversParentTypes['HookEventStatusChange']> = ResolversObject<{
  at?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  detail?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['HookEventStatus'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  receiveHook?: Resolver<ResolversTypes['ReceiveHookPayload'], ParentType, ContextType, RequireFields<MutationReceiveHookArgs, 'input'>>;
}>;

export type PageInfoResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = ResolversObject<{
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
}>;

export type QueryResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  hookEvent?: Resolver<Maybe<ResolversTypes['HookEvent']>, ParentType, ContextType, RequireFields<QueryHookEventArgs, 'id'>>;
  hookEvents?: Resolver<ResolversTypes['HookEventConnection'], ParentType, ContextType, RequireFields<QueryHookEventsArgs, 'first'>>;
}>;

export type ReceiveHookPayloadResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ReceiveHookPayload'] = ResolversParentTypes['ReceiveHookPayload']> = ResolversObject<{
  event?: Resolver<ResolversTypes['HookEvent'], ParentType, ContextType>;
  eventId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SubgraphContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  HookEvent?: HookEventResolvers<ContextType>;
  HookEventConnection?: HookEventConnectionResolvers<ContextType>;
  HookEventEdge?: HookEventEdgeResolvers<ContextType>;
  HookEventStatusChange?: HookEventStatusChangeResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ReceiveHookPayload?: ReceiveHookPayloadResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = SubgraphContext> = ResolversObject<{
  requiresPermissions?: RequiresPermissionsDirectiveResolver<any, any, ContextType>;
}>;
