// A stack of resources run by CloudFormation's rules: create in dependency order (in parallel where
// the order allows) and roll back on failure; update, replacing where the physical id changes, with
// cleanup of the old ids once all went well, or the rollback (Update with the old properties, Delete
// of what was created or replaced) when not; delete in reverse order.
import { randomUUID } from 'node:crypto';
import type { CustomResourceOutcome } from './custom-resource';
import { type Dependencies, referencedNames, runInOrder } from './graph';
import { evaluateCondition, resolveValue, type Scope, TemplateError } from './intrinsics';
import { isNestedStackType, packageNestedTemplate } from './nested-stack';
import {
  generatedName,
  type ProviderContext,
  providerFor,
  ResourceFailure,
  type ResourceState,
} from './providers';
import { expandServerlessApis } from './serverless-api';
import type { Template, TemplateParameter } from './template';

/** One line of the stack's event log, as DescribeStackEvents shows it. */
export interface StackEvent {
  at: Date;
  logicalResourceId: string;
  resourceType: string;
  status: string;
  physicalResourceId?: string;
  reason?: string;
}

/** How a stack operation ended. */
export interface StackOperationResult {
  status: string;
  /** The events of this operation. */
  events: StackEvent[];
  /** The custom-resource requests of this operation, in order of their answers. */
  requests: CustomResourceOutcome[];
}

/** A stack operation CloudFormation refuses before anything moves (a parameter breaks its constraints). */
export class StackValidationError extends Error {
  override readonly name = 'StackValidationError';
}

/** One stack in the lab. Made by `CloudFormationStandIn.stack()`. */
export class Stack {
  readonly stackId: string;
  /** Every event since the stack was made. */
  readonly events: StackEvent[] = [];
  /** Every custom-resource request since the stack was made. */
  readonly requests: CustomResourceOutcome[] = [];
  private resources = new Map<string, ResourceState>();
  // The resources this update has created or updated (or tried to): what a rollback must undo.
  private readonly touched = new Set<string>();
  private template: Template | undefined;
  private parameters: Record<string, string> = {};
  private operation: StackOperationResult | undefined;
  // A nested stack's update waits for its parent: cleaned up in the parent's cleanup, or rolled back with it.
  private pending:
    | { template?: Template; parameters: Record<string, string>; resources: Map<string, ResourceState> }
    | undefined;

  constructor(
    readonly stackName: string,
    private readonly ctxBase: Omit<ProviderContext, 'stackName' | 'stackId' | 'recordRequest'>,
  ) {
    this.stackId = `arn:aws:cloudformation:${ctxBase.region}:${ctxBase.accountId}:stack/${stackName}/${randomUUID()}`;
  }

  /** A resource's state (physical id, properties as resolved, attributes), or undefined. */
  resource(logicalId: string): ResourceState | undefined {
    const state = this.resources.get(logicalId);
    return state === undefined ? undefined : { ...state };
  }

  /** Every resource the stack holds now, as ListStackResources lists them. */
  resourceStates(): ResourceState[] {
    return [...this.resources.values()].map((state) => ({ ...state }));
  }

  /** The stack's status, as DescribeStacks shows it: that of its last operation, or none before the first. */
  get status(): string | undefined {
    const own = this.events.filter(
      (event) =>
        event.resourceType === 'AWS::CloudFormation::Stack' && event.logicalResourceId === this.stackName,
    );
    return own.at(-1)?.status;
  }

  /** The parameters' values in force, as DescribeStacks shows them. */
  parameterValues(): Record<string, string> {
    return { ...this.parameters };
  }

  /**
   * The template's Outputs whose Condition holds, resolved as DescribeStacks shows them; attributes
   * of resources the lab does not simulate read as `lab:<LogicalId>.<Attribute>`.
   */
  outputs(): Record<string, string> {
    const outputs: Record<string, string> = {};
    for (const [name, output] of Object.entries(this.template?.Outputs ?? {})) {
      if (output.Condition !== undefined && !this.condition(output.Condition)) continue;
      const value = resolveValue(output.Value, this.scope());
      outputs[name] = Array.isArray(value) ? value.join(',') : String(value);
    }
    return outputs;
  }

  /** CreateStack. */
  async create(template: Template, parameters: Record<string, string> = {}): Promise<StackOperationResult> {
    const checked = checkParameters(template, parameters);
    return this.run(async () => {
      this.template = expandServerlessApis(template);
      this.parameters = checked;
      const failure = await this.forward(new Map());
      if (failure === undefined) return 'CREATE_COMPLETE';
      this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'ROLLBACK_IN_PROGRESS', { reason: failure });
      const rolledBack = await this.removeAll(new Map(this.resources));
      return rolledBack ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED';
    });
  }

  /**
   * UpdateStack, with a new template or the same one; parameters not given keep their previous values
   * (unless `usePreviousParameters` is false, as for a nested stack: then they take their defaults).
   */
  async update({
    template,
    parameters = {},
    usePreviousParameters = true,
    deferCleanup = false,
  }: {
    template?: Template;
    parameters?: Record<string, string>;
    usePreviousParameters?: boolean;
    /** A nested stack's: its cleanup waits for `completeUpdate()`, or `rollbackUpdate()` undoes it. */
    deferCleanup?: boolean;
  }): Promise<StackOperationResult> {
    const nextTemplate = template ?? this.template;
    if (nextTemplate === undefined) throw new StackValidationError('The stack has not been created.');
    const kept = Object.entries(usePreviousParameters ? this.parameters : {}).filter(
      ([name]) => name in (nextTemplate.Parameters ?? {}),
    );
    const nextParameters = checkParameters(nextTemplate, { ...Object.fromEntries(kept), ...parameters });
    return this.run(async () => {
      const previous = {
        template: this.template,
        parameters: this.parameters,
        resources: new Map(this.resources),
      };
      this.template = expandServerlessApis(nextTemplate);
      this.parameters = nextParameters;
      const failure = await this.forward(previous.resources);
      // An update that changed nothing in the nested stack has nothing to clean up or roll back later.
      if (failure === undefined && deferCleanup && this.touched.size > 0) {
        this.pending = previous;
        return 'UPDATE_COMPLETE';
      }
      if (failure === undefined) {
        this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
        await this.cleanup(previous.resources);
        return 'UPDATE_COMPLETE';
      }
      this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_IN_PROGRESS', {
        reason: failure,
      });
      this.template = previous.template;
      this.parameters = previous.parameters;
      const rolledBack = await this.rollback(previous.resources);
      return rolledBack ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_ROLLBACK_FAILED';
    });
  }

  /** Whether an update of this nested stack waits for its parent's cleanup or rollback. */
  get updatePending(): boolean {
    return this.pending !== undefined;
  }

  /** The parent's update succeeded: removes what the nested stack's update replaced or dropped. */
  async completeUpdate(): Promise<void> {
    const previous = this.pending;
    if (previous === undefined) return;
    this.pending = undefined;
    this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    await this.cleanup(previous.resources);
    this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_COMPLETE');
  }

  /** The parent's update failed: puts the nested stack back as it was before it (UPDATE_ROLLBACK). */
  async rollbackUpdate(): Promise<StackOperationResult> {
    const previous = this.pending;
    if (previous === undefined) throw new StackValidationError('The stack has no update to roll back.');
    this.pending = undefined;
    return this.run(async () => {
      this.emit(this.stackName, 'AWS::CloudFormation::Stack', 'UPDATE_ROLLBACK_IN_PROGRESS');
      this.template = previous.template;
      this.parameters = previous.parameters;
      return (await this.rollback(previous.resources))
        ? 'UPDATE_ROLLBACK_COMPLETE'
        : 'UPDATE_ROLLBACK_FAILED';
    });
  }

  /** DeleteStack. */
  async delete(): Promise<StackOperationResult> {
    return this.run(async () =>
      (await this.removeAll(new Map(this.resources))) ? 'DELETE_COMPLETE' : 'DELETE_FAILED',
    );
  }

  private async run(body: () => Promise<string>): Promise<StackOperationResult> {
    const operation: StackOperationResult = { status: '', events: [], requests: [] };
    this.operation = operation;
    try {
      operation.status = await body();
    } finally {
      this.operation = undefined;
    }
    this.emit(this.stackName, 'AWS::CloudFormation::Stack', operation.status, {}, operation);
    return operation;
  }

  // Creates or updates every resource of the template in dependency order; returns the first failure's reason.
  private async forward(previous: Map<string, ResourceState>): Promise<string | undefined> {
    const dependencies = resourceDependencies(this.included());
    const { failure } = await runInOrder(dependencies, (logicalId) =>
      this.forwardOne(logicalId, previous.get(logicalId)),
    );
    return failure === undefined ? undefined : reasonOf(failure);
  }

  // Updates a resource whose properties changed, creates one that is new (or changed type), leaves the rest.
  private async forwardOne(logicalId: string, before: ResourceState | undefined): Promise<void> {
    const type = (this.template as Template).Resources[logicalId]?.Type ?? '';
    const properties = this.resolveProperties(logicalId);
    const provider = providerFor(type);
    if (before !== undefined && before.type === type) {
      if (JSON.stringify(properties) === JSON.stringify(before.properties)) return;
      this.touched.add(logicalId);
      const failedState = { ...before, properties };
      await this.step(
        logicalId,
        type,
        'UPDATE',
        before.physicalId,
        (ctx) => provider.update(ctx, before, properties),
        failedState,
      );
      return;
    }
    this.touched.add(logicalId);
    const failedState = { logicalId, type, physicalId: '', properties, attributes: {} };
    await this.step(
      logicalId,
      type,
      'CREATE',
      undefined,
      (ctx) => provider.create(ctx, logicalId, type, properties),
      failedState,
    );
  }

  // Runs one resource operation, logging IN_PROGRESS and COMPLETE or FAILED, and records the new state.
  private async step(
    logicalId: string,
    type: string,
    verb: 'CREATE' | 'UPDATE' | 'DELETE',
    physicalId: string | undefined,
    act: (ctx: ProviderContext) => Promise<ResourceState | undefined>,
    failedState?: ResourceState,
  ): Promise<void> {
    this.emit(
      logicalId,
      type,
      `${verb}_IN_PROGRESS`,
      physicalId === undefined ? {} : { physicalResourceId: physicalId },
    );
    try {
      const state = await act(this.ctx());
      if (state !== undefined) this.resources.set(logicalId, state);
      else this.resources.delete(logicalId);
      this.emit(logicalId, type, `${verb}_COMPLETE`, {
        physicalResourceId: state?.physicalId ?? physicalId ?? '',
      });
    } catch (error) {
      const reason = reasonOf(error);
      const answeredId = error instanceof ResourceFailure ? error.physicalId : undefined;
      if (verb === 'CREATE' && failedState !== undefined) {
        // CloudFormation deletes a failed resource during rollback, with the id it answered (or one it made up).
        this.resources.set(logicalId, {
          ...failedState,
          physicalId: answeredId ?? generatedName(this.stackName, logicalId),
        });
      }
      // A failed update keeps its physical id; its rollback Update carries the failed properties as old ones.
      // One CloudFormation refused itself never reached the resource: nothing to roll back there.
      const untouched = error instanceof ResourceFailure && error.untouched;
      if (verb === 'UPDATE' && failedState !== undefined && !untouched)
        this.resources.set(logicalId, failedState);
      if (untouched) this.touched.delete(logicalId);
      this.emit(logicalId, type, `${verb}_FAILED`, {
        reason,
        ...(answeredId === undefined ? {} : { physicalResourceId: answeredId }),
      });
      throw new ResourceFailure(`${logicalId}: ${reason}`, answeredId);
    }
  }

  // After a successful update: deletes resources replaced (old physical id) or no longer in the template.
  private async cleanup(previous: Map<string, ResourceState>): Promise<void> {
    // Nested stacks updated in this operation clean up in this phase too.
    for (const state of this.resources.values()) {
      if (isNestedStackType(state.type))
        await this.ctxBase.nested.stackById(state.physicalId)?.completeUpdate();
    }
    const included = this.included();
    const leftovers = new Map<string, ResourceState>();
    for (const [logicalId, before] of previous) {
      const now = this.resources.get(logicalId);
      if (!(logicalId in included) || now === undefined || now.physicalId !== before.physicalId) {
        leftovers.set(logicalId, before);
      }
    }
    await this.deleteStates(leftovers, previous);
    this.touched.clear();
  }

  // After a failed update: Update back what was updated in place or failed; Delete what was created or replaced.
  private async rollback(previous: Map<string, ResourceState>): Promise<boolean> {
    const touched = [...this.touched];
    this.touched.clear();
    const dependencies = resourceDependencies(
      Object.fromEntries(touched.map((id) => [id, this.declared(id, previous)])),
    );
    let ok = true;
    await runInOrder(
      dependencies,
      async (logicalId) => {
        const before = previous.get(logicalId);
        const now = this.resources.get(logicalId);
        try {
          if (before === undefined) {
            if (now !== undefined) await this.removeOne(now);
          } else if (now !== undefined && now.physicalId !== before.physicalId) {
            await this.removeOne(now);
            this.resources.set(logicalId, before);
          } else {
            const current = now ?? before;
            await this.step(logicalId, before.type, 'UPDATE', current.physicalId, (ctx) =>
              providerFor(before.type).update(ctx, current, before.properties),
            );
          }
        } catch {
          ok = false;
        }
      },
      { reverse: true },
    );
    return ok;
  }

  private async removeAll(states: Map<string, ResourceState>): Promise<boolean> {
    return this.deleteStates(states, states);
  }

  // Deletes each state, dependents first (dependencies read from the template, or from `orderFrom`'s types).
  // A resource whose Delete fails stays in the stack; the others go on.
  private async deleteStates(
    states: Map<string, ResourceState>,
    orderFrom: Map<string, ResourceState>,
  ): Promise<boolean> {
    const declared = Object.fromEntries([...states.keys()].map((id) => [id, this.declared(id, orderFrom)]));
    let ok = true;
    const deleteOne = async (logicalId: string) => {
      const state = states.get(logicalId);
      if (state === undefined) return;
      await this.removeOne(state).catch(() => {
        ok = false;
      });
    };
    await runInOrder(resourceDependencies(declared), deleteOne, { reverse: true });
    return ok;
  }

  private async removeOne(state: ResourceState): Promise<void> {
    const current = this.resources.get(state.logicalId);
    await this.step(state.logicalId, state.type, 'DELETE', state.physicalId, async (ctx) => {
      await providerFor(state.type).delete(ctx, state);
      // Deleting an old physical id (cleanup) leaves the current one in place.
      return current !== undefined && current.physicalId !== state.physicalId ? current : undefined;
    });
  }

  // The template's resources whose Condition holds.
  private included(): Template['Resources'] {
    const resources = Object.entries((this.template as Template).Resources).filter(
      ([, resource]) => resource.Condition === undefined || this.condition(resource.Condition),
    );
    return Object.fromEntries(resources);
  }

  private declared(
    logicalId: string,
    states: Map<string, ResourceState>,
  ): { Type: string; Properties?: Record<string, unknown> } {
    return this.template?.Resources[logicalId] ?? { Type: states.get(logicalId)?.type ?? 'Unknown' };
  }

  private resolveProperties(logicalId: string): Record<string, unknown> {
    const template = this.template as Template;
    const declared = template.Resources[logicalId];
    const globals = declared?.Type === 'AWS::Serverless::Function' ? (template.Globals?.Function ?? {}) : {};
    const properties = resolveValue({ ...globals, ...declared?.Properties }, this.scope()) as Record<
      string,
      unknown
    >;
    // A nested template is compared by its content, as sam package's upload key is its digest.
    if (declared !== undefined && isNestedStackType(declared.Type)) {
      try {
        return packageNestedTemplate(
          declared.Type,
          properties,
          this.ctxBase.templateDir,
          this.ctxBase.nested,
        );
      } catch {
        return properties; // the resource's own operation fails with the reason, as an event of its own
      }
    }
    return properties;
  }

  private condition(name: string): boolean {
    const expression = this.template?.Conditions?.[name];
    if (expression === undefined) throw new TemplateError(`Condition ${name} is not declared.`);
    return evaluateCondition(expression, this.scope());
  }

  private scope(): Scope {
    const template = this.template as Template;
    return {
      region: this.ctxBase.region,
      mappings: template.Mappings ?? {},
      condition: (name) => this.condition(name),
      ref: (name) => this.ref(name),
      getAtt: (logicalId, attribute) => {
        const state = this.resources.get(logicalId);
        if (state === undefined)
          throw new TemplateError(`Fn::GetAtt ${logicalId}.${attribute}: no such resource yet.`);
        if (state.attributes[attribute] !== undefined) return state.attributes[attribute];
        if (providerFor(state.type) === providerFor('Lab::NotSimulated'))
          return `lab:${logicalId}.${attribute}`;
        throw new TemplateError(`Fn::GetAtt ${logicalId}.${attribute}: the resource has no such attribute.`);
      },
    };
  }

  private ref(name: string): unknown {
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::AccountId': this.ctxBase.accountId,
      'AWS::Region': this.ctxBase.region,
      'AWS::StackName': this.stackName,
      'AWS::StackId': this.stackId,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    if (name in pseudo) return pseudo[name];
    const parameter = this.template?.Parameters?.[name];
    if (parameter !== undefined) {
      const value = this.parameters[name] ?? '';
      return parameter.Type === 'CommaDelimitedList' || parameter.Type.startsWith('List<')
        ? value.split(',')
        : value;
    }
    const state = this.resources.get(name);
    if (state === undefined) throw new TemplateError(`Ref ${name}: no such parameter or resource yet.`);
    return state.physicalId;
  }

  private ctx(): ProviderContext {
    return {
      ...this.ctxBase,
      stackName: this.stackName,
      stackId: this.stackId,
      recordRequest: (outcome) => {
        this.requests.push(outcome);
        this.operation?.requests.push(outcome);
      },
    };
  }

  private emit(
    logicalResourceId: string,
    resourceType: string,
    status: string,
    details: { physicalResourceId?: string; reason?: string } = {},
    operation = this.operation,
  ): void {
    const event: StackEvent = { at: new Date(), logicalResourceId, resourceType, status, ...details };
    this.events.push(event);
    operation?.events.push(event);
  }
}

function resourceDependencies(
  resources: Record<string, { Properties?: unknown; DependsOn?: string | string[] }>,
): Dependencies {
  const names = new Set(Object.keys(resources));
  const dependencies: Dependencies = new Map();
  for (const [logicalId, resource] of Object.entries(resources)) {
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    const needs = new Set(
      [...referencedNames(resource.Properties), ...dependsOn].filter((n) => names.has(n) && n !== logicalId),
    );
    dependencies.set(logicalId, needs);
  }
  return dependencies;
}

// CloudFormation checks parameter values against their constraints before the operation starts.
function checkParameters(template: Template, given: Record<string, string>): Record<string, string> {
  const declared = template.Parameters ?? {};
  const unknown = Object.keys(given).filter((name) => !(name in declared));
  if (unknown.length > 0)
    throw new StackValidationError(`Parameters: [${unknown.join(', ')}] do not exist in the template`);
  const values: Record<string, string> = {};
  for (const [name, parameter] of Object.entries(declared)) {
    const value = given[name] ?? (parameter.Default === undefined ? undefined : String(parameter.Default));
    if (value === undefined) throw new StackValidationError(`Parameters: [${name}] must have values`);
    const problem = parameterProblem(parameter, value);
    if (problem !== undefined) throw new StackValidationError(`Parameter '${name}' ${problem}`);
    values[name] = value;
  }
  return values;
}

function parameterProblem(parameter: TemplateParameter, value: string): string | undefined {
  const list = parameter.Type === 'CommaDelimitedList' ? value.split(',') : [value];
  if (parameter.AllowedPattern !== undefined) {
    const pattern = new RegExp(`^(?:${parameter.AllowedPattern})$`);
    if (!pattern.test(value) && !list.every((item) => pattern.test(item))) {
      return `must match pattern ${parameter.AllowedPattern}`;
    }
  }
  if (parameter.AllowedValues !== undefined && !parameter.AllowedValues.map(String).includes(value)) {
    return `value '${value}' is not one of the allowed values`;
  }
  if (parameter.MinLength !== undefined && value.length < parameter.MinLength)
    return `must contain at least ${parameter.MinLength} characters`;
  if (parameter.MaxLength !== undefined && value.length > parameter.MaxLength)
    return `must contain at most ${parameter.MaxLength} characters`;
  return undefined;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
