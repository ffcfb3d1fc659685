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

export type ExecuteWorkflowInput = {
  /** ... or this inline definition. */
  definition?: InputMaybe<WorkflowDefinitionInput>;
  /** Run a stored definition by name (latest version) ... */
  definitionName?: InputMaybe<Scalars['String']['input']>;
  input?: InputMaybe<Scalars['JSON']['input']>;
  /** Choose the run's id (a UUID) to subscribe to its events before it starts; repeating it returns the same run. */
  workflowId?: InputMaybe<Scalars['ID']['input']>;
};

export type ExecuteWorkflowPayload = {
  __typename?: 'ExecuteWorkflowPayload';
  status: Scalars['String']['output'];
  workflow: Workflow;
  workflowId: Scalars['ID']['output'];
};

export type HookEvent = {
  __typename?: 'HookEvent';
  id: Scalars['ID']['output'];
};

export type ModelInvocation = {
  __typename?: 'ModelInvocation';
  id: Scalars['ID']['output'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Stops the run between tasks; a finished run is returned unchanged. */
  cancelWorkflow: Workflow;
  createWorkflowTrigger: WorkflowTrigger;
  /** Starting a run is costly: it claims a coordinator and may call models. */
  executeWorkflow: ExecuteWorkflowPayload;
  /** Publishes dead letters again to workflow.events (oldest first), at most `limit`. */
  replayDeadLetters: ReplayDeadLettersPayload;
  /** Validates and stores a new version of the named definition. */
  saveWorkflowDefinition: WorkflowDefinition;
};


export type MutationCancelWorkflowArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCreateWorkflowTriggerArgs = {
  input: WorkflowTriggerInput;
};


export type MutationExecuteWorkflowArgs = {
  input: ExecuteWorkflowInput;
};


export type MutationReplayDeadLettersArgs = {
  limit?: InputMaybe<Scalars['Int']['input']>;
};


export type MutationSaveWorkflowDefinitionArgs = {
  input: WorkflowDefinitionInput;
};

export type Query = {
  __typename?: 'Query';
  workflow?: Maybe<Workflow>;
  /** Dead letters not replayed yet, oldest first. */
  workflowDeadLetters: Array<WorkflowDeadLetter>;
  /** Latest version unless one is given. */
  workflowDefinition?: Maybe<WorkflowDefinition>;
  workflowTriggers: Array<WorkflowTrigger>;
  /** Newest first. */
  workflows: Array<Workflow>;
};


export type QueryWorkflowArgs = {
  id: Scalars['ID']['input'];
};


export type QueryWorkflowDeadLettersArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWorkflowDefinitionArgs = {
  name: Scalars['String']['input'];
  version?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWorkflowsArgs = {
  filter?: InputMaybe<WorkflowFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type ReplayDeadLettersPayload = {
  __typename?: 'ReplayDeadLettersPayload';
  /** Dead letters published again to workflow.events. */
  replayed: Scalars['Int']['output'];
};

export type RetryPolicyInput = {
  initialBackoffMs?: InputMaybe<Scalars['Int']['input']>;
  /** Attempts in all, the first included. */
  maxAttempts?: InputMaybe<Scalars['Int']['input']>;
  maxBackoffMs?: InputMaybe<Scalars['Int']['input']>;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Every workflow's completion (completed, failed or cancelled). */
  workflowCompletions: WorkflowEvent;
  /**
   * Task and completion events of one workflow run, or of the runs one hook event started:
   * the events so far first, then live ones, each once. With workflowId the stream ends
   * after the run's completion; with hookEventId alone it stays open (more runs may come).
   * `after` (the id of the last event a client received before it lost its connection)
   * skips the events up to and including it.
   */
  workflowEvents: WorkflowEvent;
};


export type SubscriptionWorkflowEventsArgs = {
  after?: InputMaybe<Scalars['ID']['input']>;
  hookEventId?: InputMaybe<Scalars['ID']['input']>;
  workflowId?: InputMaybe<Scalars['ID']['input']>;
};

export type TaskStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SKIPPED';

/** One run of a workflow definition. */
export type Workflow = {
  __typename?: 'Workflow';
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  correlationId: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  definitionName: Scalars['String']['output'];
  definitionVersion: Scalars['Int']['output'];
  /** True when a step answered from a fallback instead of its dependency. */
  degraded: Scalars['Boolean']['output'];
  error?: Maybe<Scalars['String']['output']>;
  /** Every task and completion event of the run so far, in the order they happened. */
  events: Array<WorkflowEvent>;
  /** The webhook that triggered this run, when one did. */
  hookEvent?: Maybe<HookEvent>;
  id: Scalars['ID']['output'];
  input: Scalars['JSON']['output'];
  /** The coordinator lease on this run while one executes it (or last did, until it expires); null once it finished. */
  lease?: Maybe<WorkflowLease>;
  output?: Maybe<Scalars['JSON']['output']>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: WorkflowStatus;
  tasks: Array<WorkflowTask>;
};

/** A workflow.events message that failed processing past its retries. */
export type WorkflowDeadLetter = {
  __typename?: 'WorkflowDeadLetter';
  attempts: Scalars['Int']['output'];
  error: Scalars['String']['output'];
  eventId?: Maybe<Scalars['String']['output']>;
  firstFailedAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  lastFailedAt: Scalars['DateTime']['output'];
  offset: Scalars['String']['output'];
  partition: Scalars['Int']['output'];
  replayedAt?: Maybe<Scalars['DateTime']['output']>;
  topic: Scalars['String']['output'];
};

/** A stored, versioned workflow definition. */
export type WorkflowDefinition = {
  __typename?: 'WorkflowDefinition';
  createdAt: Scalars['DateTime']['output'];
  name: Scalars['String']['output'];
  /** The tasks as stored (id, type, input, dependsOn, retry, timeoutMs). */
  tasks: Scalars['JSON']['output'];
  version: Scalars['Int']['output'];
};

export type WorkflowDefinitionInput = {
  name: Scalars['String']['input'];
  tasks: Array<WorkflowTaskInput>;
};

/** A task or workflow event from workflow.tasks or workflow.completions. */
export type WorkflowEvent = {
  __typename?: 'WorkflowEvent';
  /** Set on task events: the attempt this event is about (1 for the first). */
  attempt?: Maybe<Scalars['Int']['output']>;
  correlationId: Scalars['String']['output'];
  degraded: Scalars['Boolean']['output'];
  error?: Maybe<Scalars['String']['output']>;
  /** The CloudEvent id. */
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  /** Set on WORKFLOW_COMPLETED: the run's result (the outputs of the tasks nothing depends on). */
  output?: Maybe<Scalars['JSON']['output']>;
  status: Scalars['String']['output'];
  /** Set on task events. */
  taskId?: Maybe<Scalars['String']['output']>;
  type: WorkflowEventType;
  /** The workflow as it is now, resolved through the gateway from any subgraph. */
  workflow?: Maybe<Workflow>;
  workflowId: Scalars['ID']['output'];
};

export type WorkflowEventType =
  | 'TASK_COMPLETED'
  | 'TASK_FAILED'
  | 'TASK_STARTED'
  | 'WORKFLOW_CANCELLED'
  | 'WORKFLOW_COMPLETED'
  | 'WORKFLOW_FAILED';

export type WorkflowFilter = {
  definitionName?: InputMaybe<Scalars['String']['input']>;
  hookEventId?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<WorkflowStatus>;
};

/** Who may write a run's state: the holder of an unexpired lease, and only with the current fencing token. */
export type WorkflowLease = {
  __typename?: 'WorkflowLease';
  expiresAt: Scalars['DateTime']['output'];
  /** Grows each time another coordinator takes the run over; writes with an older token are refused. */
  fencingToken: Scalars['Int']['output'];
  /** workflow_<run id>: the lock this lease is. */
  lockId: Scalars['String']['output'];
  /** The coordinator holding it (host:pid:random). */
  owner: Scalars['String']['output'];
};

export type WorkflowStatus =
  | 'CANCELLED'
  | 'COMPLETED'
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING';

export type WorkflowTask = {
  __typename?: 'WorkflowTask';
  attempts: Scalars['Int']['output'];
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  degraded: Scalars['Boolean']['output'];
  error?: Maybe<Scalars['String']['output']>;
  id: Scalars['String']['output'];
  input?: Maybe<Scalars['JSON']['output']>;
  /** The model call a model_inference task made. */
  invocation?: Maybe<ModelInvocation>;
  output?: Maybe<Scalars['JSON']['output']>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  status: TaskStatus;
  type: Scalars['String']['output'];
};

export type WorkflowTaskInput = {
  dependsOn?: InputMaybe<Array<Scalars['String']['input']>>;
  id: Scalars['String']['input'];
  /** Task input; strings may hold templates: {{input.x}}, {{event.data.x}}, {{tasks.<id>.output.x}}. */
  input?: InputMaybe<Scalars['JSON']['input']>;
  retry?: InputMaybe<RetryPolicyInput>;
  /** Longest one attempt may take. */
  timeoutMs?: InputMaybe<Scalars['Int']['input']>;
  /** model_inference, transform, http or delay. */
  type: Scalars['String']['input'];
};

/** Starts the latest version of a definition for every hook event with this source and action. */
export type WorkflowTrigger = {
  __typename?: 'WorkflowTrigger';
  action: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  definitionName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  source: Scalars['String']['output'];
};

export type WorkflowTriggerInput = {
  action: Scalars['String']['input'];
  definitionName: Scalars['String']['input'];
  source: Scalars['String']['input'];
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
  Workflow: Workflow;
}>;

/** Mapping of federation reference types */
export type FederationReferenceTypes = ResolversObject<{
  Workflow:
    ( { __typename: 'Workflow' }
    & GraphQLRecursivePick<FederationTypes['Workflow'], {"id":true}> );
}>;



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = ResolversObject<{
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  ExecuteWorkflowInput: ExecuteWorkflowInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  ExecuteWorkflowPayload: ResolverTypeWrapper<ExecuteWorkflowPayload>;
  HookEvent: ResolverTypeWrapper<HookEvent>;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  ModelInvocation: ResolverTypeWrapper<ModelInvocation>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ReplayDeadLettersPayload: ResolverTypeWrapper<ReplayDeadLettersPayload>;
  RetryPolicyInput: RetryPolicyInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  TaskStatus: TaskStatus;
  Workflow: ResolverTypeWrapper<Workflow>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  WorkflowDeadLetter: ResolverTypeWrapper<WorkflowDeadLetter>;
  WorkflowDefinition: ResolverTypeWrapper<WorkflowDefinition>;
  WorkflowDefinitionInput: WorkflowDefinitionInput;
  WorkflowEvent: ResolverTypeWrapper<WorkflowEvent>;
  WorkflowEventType: WorkflowEventType;
  WorkflowFilter: WorkflowFilter;
  WorkflowLease: ResolverTypeWrapper<WorkflowLease>;
  WorkflowStatus: WorkflowStatus;
  WorkflowTask: ResolverTypeWrapper<WorkflowTask>;
  WorkflowTaskInput: WorkflowTaskInput;
  WorkflowTrigger: ResolverTypeWrapper<WorkflowTrigger>;
  WorkflowTriggerInput: WorkflowTriggerInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
}>;

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = ResolversObject<{
  DateTime: Scalars['DateTime']['output'];
  ExecuteWorkflowInput: ExecuteWorkflowInput;
  ID: Scalars['ID']['output'];
  ExecuteWorkflowPayload: ExecuteWorkflowPayload;
  HookEvent: HookEvent;
  JSON: Scalars['JSON']['output'];
  ModelInvocation: ModelInvocation;
  Mutation: Record<PropertyKey, never>;
  Int: Scalars['Int']['output'];
  Query: Record<PropertyKey, never>;
  ReplayDeadLettersPayload: ReplayDeadLettersPayload;
  RetryPolicyInput: RetryPolicyInput;
  Subscription: Record<PropertyKey, never>;
  Workflow: Workflow | FederationReferenceTypes['Workflow'];
  Boolean: Scalars['Boolean']['output'];
  WorkflowDeadLetter: WorkflowDeadLetter;
  WorkflowDefinition: WorkflowDefinition;
  WorkflowDefinitionInput: WorkflowDefinitionInput;
  WorkflowEvent: WorkflowEvent;
  WorkflowFilter: WorkflowFilter;
  WorkflowLease: WorkflowLease;
  WorkflowTask: WorkflowTask;
  WorkflowTaskInput: WorkflowTaskInput;
  WorkflowTrigger: WorkflowTrigger;
  WorkflowTriggerInput: WorkflowTriggerInput;
  String: Scalars['String']['output'];
}>;

export type RequiresPermissionsDirectiveArgs = {
  permissions: Array<Scalars['String']['input']>;
};

export type RequiresPermissionsDirectiveResolver<Result, Parent, ContextType = SubgraphContext, Args = RequiresPermissionsDirectiveArgs> = DirectiveResolverFn<Result, Parent, ContextType, Args>;

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type ExecuteWorkflowPayloadResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ExecuteWorkflowPayload'] = ResolversParentTypes['ExecuteWorkflowPayload']> = ResolversObject<{
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  workflow?: Resolver<ResolversTypes['Workflow'], ParentType, ContextType>;
  workflowId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type HookEventResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['HookEvent'] = ResolversParentTypes['HookEvent']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type ModelInvocationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ModelInvocation'] = ResolversParentTypes['ModelInvocation']> = ResolversObject<{
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type MutationResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = ResolversObject<{
  cancelWorkflow?: Resolver<ResolversTypes['Workflow'], ParentType, ContextType, RequireFields<MutationCancelWorkflowArgs, 'id'>>;
  createWorkflowTrigger?: Resolver<ResolversTypes['WorkflowTrigger'], ParentType, ContextType, RequireFields<MutationCreateWorkflowTriggerArgs, 'input'>>;
  executeWorkflow?: Resolver<ResolversTypes['ExecuteWorkflowPayload'], ParentType, ContextType, RequireFields<MutationExecuteWorkflowArgs, 'input'>>;
  replayDeadLetters?: Resolver<ResolversTypes['ReplayDeadLettersPayload'], ParentType, ContextType, RequireFields<MutationReplayDeadLettersArgs, 'limit'>>;
  saveWorkflowDefinition?: Resolver<ResolversTypes['WorkflowDefinition'], ParentType, ContextType, RequireFields<MutationSaveWorkflowDefinitionArgs, 'input'>>;
}>;

export type QueryResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = ResolversObject<{
  workflow?: Resolver<Maybe<ResolversTypes['Workflow']>, ParentType, ContextType, RequireFields<QueryWorkflowArgs, 'id'>>;
  workflowDeadLetters?: Resolver<Array<ResolversTypes['WorkflowDeadLetter']>, ParentType, ContextType, RequireFields<QueryWorkflowDeadLettersArgs, 'first'>>;
  workflowDefinition?: Resolver<Maybe<ResolversTypes['WorkflowDefinition']>, ParentType, ContextType, RequireFields<QueryWorkflowDefinitionArgs, 'name'>>;
  workflowTriggers?: Resolver<Array<ResolversTypes['WorkflowTrigger']>, ParentType, ContextType>;
  workflows?: Resolver<Array<ResolversTypes['Workflow']>, ParentType, ContextType, RequireFields<QueryWorkflowsArgs, 'first'>>;
}>;

export type ReplayDeadLettersPayloadResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['ReplayDeadLettersPayload'] = ResolversParentTypes['ReplayDeadLettersPayload']> = ResolversObject<{
  replayed?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type SubscriptionResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = ResolversObject<{
  workflowCompletions?: SubscriptionResolver<ResolversTypes['WorkflowEvent'], "workflowCompletions", ParentType, ContextType>;
  workflowEvents?: SubscriptionResolver<ResolversTypes['WorkflowEvent'], "workflowEvents", ParentType, ContextType, Partial<SubscriptionWorkflowEventsArgs>>;
}>;

export type WorkflowResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['Workflow'] = ResolversParentTypes['Workflow'], FederationReferenceType extends FederationReferenceTypes['Workflow'] = FederationReferenceTypes['Workflow']> = ResolversObject<{
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Workflow']> | FederationReferenceType, FederationReferenceType, ContextType>;
  completedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  correlationId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  definitionName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  definitionVersion?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  degraded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  events?: Resolver<Array<ResolversTypes['WorkflowEvent']>, ParentType, ContextType>;
  hookEvent?: Resolver<Maybe<ResolversTypes['HookEvent']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  input?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  lease?: Resolver<Maybe<ResolversTypes['WorkflowLease']>, ParentType, ContextType>;
  output?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['WorkflowStatus'], ParentType, ContextType>;
  tasks?: Resolver<Array<ResolversTypes['WorkflowTask']>, ParentType, ContextType>;
}>;

export type WorkflowDeadLetterResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowDeadLetter'] = ResolversParentTypes['WorkflowDeadLetter']> = ResolversObject<{
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  error?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  eventId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  firstFailedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  lastFailedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  offset?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  partition?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  replayedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  topic?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type WorkflowDefinitionResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowDefinition'] = ResolversParentTypes['WorkflowDefinition']> = ResolversObject<{
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tasks?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  version?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
}>;

export type WorkflowEventResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowEvent'] = ResolversParentTypes['WorkflowEvent']> = ResolversObject<{
  attempt?: Resolver<Maybe<ResolversTypes['Int']>, ParentType, ContextType>;
  correlationId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  degraded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  occurredAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  output?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  taskId?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  type?: Resolver<ResolversTypes['WorkflowEventType'], ParentType, ContextType>;
  workflow?: Resolver<Maybe<ResolversTypes['Workflow']>, ParentType, ContextType>;
  workflowId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
}>;

export type WorkflowLeaseResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowLease'] = ResolversParentTypes['WorkflowLease']> = ResolversObject<{
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  fencingToken?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  lockId?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type WorkflowTaskResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowTask'] = ResolversParentTypes['WorkflowTask']> = ResolversObject<{
  attempts?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  completedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  degraded?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  error?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  input?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  invocation?: Resolver<Maybe<ResolversTypes['ModelInvocation']>, ParentType, ContextType>;
  output?: Resolver<Maybe<ResolversTypes['JSON']>, ParentType, ContextType>;
  startedAt?: Resolver<Maybe<ResolversTypes['DateTime']>, ParentType, ContextType>;
  status?: Resolver<ResolversTypes['TaskStatus'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type WorkflowTriggerResolvers<ContextType = SubgraphContext, ParentType extends ResolversParentTypes['WorkflowTrigger'] = ResolversParentTypes['WorkflowTrigger']> = ResolversObject<{
  action?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  definitionName?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  source?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
}>;

export type Resolvers<ContextType = SubgraphContext> = ResolversObject<{
  DateTime?: GraphQLScalarType;
  ExecuteWorkflowPayload?: ExecuteWorkflowPayloadResolvers<ContextType>;
  HookEvent?: HookEventResolvers<ContextType>;
  JSON?: GraphQLScalarType;
  ModelInvocation?: ModelInvocationResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  ReplayDeadLettersPayload?: ReplayDeadLettersPayloadResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  Workflow?: WorkflowResolvers<ContextType>;
  WorkflowDeadLetter?: WorkflowDeadLetterResolvers<ContextType>;
  WorkflowDefinition?: WorkflowDefinitionResolvers<ContextType>;
  WorkflowEvent?: WorkflowEventResolvers<ContextType>;
  WorkflowLease?: WorkflowLeaseResolvers<ContextType>;
  WorkflowTask?: WorkflowTaskResolvers<ContextType>;
  WorkflowTrigger?: WorkflowTriggerResolvers<ContextType>;
}>;

export type DirectiveResolvers<ContextType = SubgraphContext> = ResolversObject<{
  requiresPermissions?: RequiresPermissionsDirectiveResolver<any, any, ContextType>;
}>;
