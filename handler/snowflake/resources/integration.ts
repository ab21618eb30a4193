// The lifecycle of an integration (API or storage): Create DESCRIBEs first and never takes over one it did
// not make unless told to adopt it; Update ALTERs in place, or replaces for a new name, provider or
// Rotation; Delete drops only what its marker says this resource made, and reads "does not exist or not
// authorized" as gone only when signed in as the integration's maker (ownership.ts).

import { CustomResourceError } from '../../framework/errors';
import type { Outcome, Owner } from '../../framework/framework';
import { log } from '../../framework/log';
import type { ConnectionSource } from '../client/connection';
import { NotAuthorizedError } from '../client/errors';
import { describeProperties } from '../client/results';
import { type SqlText, sql } from '../client/sql';
import type { SqlApiClient } from '../client/sql-api';
import { storedIdentifier } from './names';
import {
  checkServedStack,
  type IntegrationClaim,
  integrationPhysicalId,
  type Marker,
  madeByOwner,
  markedComment,
  markerOf,
  newToken,
  ownerInWords,
  parseIntegrationPhysicalId,
} from './ownership';
import { PropertyReader } from './properties';
import { confirmGone, type SnowflakeInvocation, sessionIdentity } from './session';

/** What every integration's properties declare. */
export interface IntegrationSpec {
  connection: ConnectionSource;
  /** The integration's name as Snowflake stores it, Rotation included. */
  name: string;
  adopt: boolean;
  comment?: string;
  /** The values besides the name whose change makes a new integration (provider, Rotation). */
  identity: string[];
}

/** What differs between API and storage integrations. */
export interface IntegrationKind<Spec extends IntegrationSpec> {
  resourceType: string;
  label: string;
  idPrefix: string;
  /** The prefix of DESCRIBE's IAM user and external id rows: API_… or STORAGE_…. */
  described: 'API' | 'STORAGE';
  parse(properties: unknown): Spec;
  createSql(spec: Spec, comment: string, replace: boolean): SqlText;
  /** The ALTER statements that make the integration as declared, in order (SET, then any UNSET). */
  alterSql(spec: Spec, comment: string | undefined): SqlText[];
}

/** The integration exists under a name this resource did not create, and Adopt is not true. */
export class IntegrationExistsError extends CustomResourceError {}

/** The integration this resource manages is gone or was re-created outside CloudFormation. */
export class IntegrationChangedError extends CustomResourceError {}

interface Described {
  iamUserArn: string;
  externalId: string;
  comment: string | null;
}

const PRIVILEGE = 'CREATE INTEGRATION ON ACCOUNT (and OWNERSHIP of the integrations it creates)';

/** Creates the integration, or adopts an existing one when told to. */
export async function createIntegration<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  properties: unknown,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const spec = kind.parse(properties);
  checkServedStack(invocation.servedStackId, invocation.owner);
  const client = await invocation.connect(spec.connection, invocation.signal);
  const { claim, described } = await establish(kind, spec, client, invocation, (id) => {
    invocation.failedPhysicalId = id;
  });
  return outcome(kind, claim, described, []);
}

/**
 * ALTERs in place what ALTER can change, so the external id stays. A new name, provider or Rotation is a
 * new integration (a new physical id: CloudFormation drops the old one at cleanup), and until then the
 * link is given both external ids (TrustedExternalIds) so that calls keep working through the switch.
 */
export async function updateIntegration<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  properties: unknown,
  oldProperties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const spec = kind.parse(properties);
  const claim = parseIntegrationPhysicalId(kind.idPrefix, physicalId);
  const old = parsedOrUndefined(kind, oldProperties);
  const client = await invocation.connect(spec.connection, invocation.signal);
  if (claim && old && sameIntegration(old, spec)) {
    // The id stays as it was, in whatever format made it: a new id would be a replacement to CloudFormation.
    const described = await alterInPlace(kind, spec, claim, client, invocation);
    return { ...outcome(kind, claim, described, []), physicalResourceId: physicalId };
  }
  if (claim && old && old.name === spec.name) {
    // The same name with a new provider: only CREATE OR REPLACE could make it, which cuts the stages and
    // functions linked to the integration (create-storage-integration's caution). Refused before any statement.
    throw new IntegrationChangedError(
      `The ${kind.label} ${spec.name} cannot change in place to what these properties declare (${spec.identity.join(', ')}): give Rotation a new value (or a new IntegrationName) to make a new integration beside it.`,
    );
  }
  const previous = claim ? await describe(kind, client, claim.name, invocation.signal) : undefined;
  // CloudFormation never learns of a replacement that failed, so it would never drop it: undo it then.
  const { claim: next, described } = await establish(kind, spec, client, invocation, (id) => {
    const made = parseIntegrationPhysicalId(kind.idPrefix, id);
    invocation.undo =
      made?.kind === 'created'
        ? (signal) => dropOwned(kind, client, made, invocation.owner, signal)
        : undefined;
  });
  invocation.undo = undefined;
  const kept = previous && previous.externalId !== described.externalId ? [previous.externalId] : [];
  return outcome(kind, next, described, kept);
}

/** Drops the integration if this resource created it and it is still the one it created. */
export async function deleteIntegration<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  properties: unknown,
  physicalId: string,
  invocation: SnowflakeInvocation,
): Promise<Outcome> {
  const claim = parseIntegrationPhysicalId(kind.idPrefix, physicalId);
  if (claim?.kind !== 'created') {
    log('info', 'Nothing to drop: the physical id names no integration this resource created', {
      physicalId,
    });
    return { physicalResourceId: physicalId };
  }
  const reader = new PropertyReader(properties, kind.resourceType, 'any');
  const connection = reader.connection();
  reader.done();
  const client = await invocation.connect(connection, invocation.signal);
  await dropOwned(kind, client, claim, invocation.owner, invocation.signal);
  return { physicalResourceId: physicalId };
}

// DESCRIBE first: absent → CREATE; left over by this very resource (its stack id and logical id) → ALTERed,
// never replaced: stages and functions link to an integration by a hidden id, which CREATE OR REPLACE breaks
// (https://docs.snowflake.com/en/sql-reference/sql/create-storage-integration, its caution); anyone else's
// (another stack id, a 0.1 marker, no marker) → refused, unless Adopt: then ALTERed and left in place on Delete.
async function establish<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  spec: Spec,
  client: SqlApiClient,
  invocation: SnowflakeInvocation,
  mayHaveWritten: (physicalId: string) => void,
): Promise<{ claim: IntegrationClaim; described: Described }> {
  const { signal, owner } = invocation;
  checkServedStack(invocation.servedStackId, owner);
  const existing = await describe(kind, client, spec.name, signal);
  const marker = markerOf(existing?.comment);
  if (existing && !madeByOwner(marker, owner)) {
    if (!spec.adopt) throw existsError(kind, spec.name, existing, marker);
    const claim: IntegrationClaim = { kind: 'adopted', name: spec.name };
    for (const statement of kind.alterSql(spec, spec.comment)) {
      await client.execute(statement, { signal, privilege: `OWNERSHIP of ${spec.name}` });
    }
    return { claim, described: await describeOrFail(kind, client, spec.name, signal) };
  }
  const creator = await sessionIdentity(client, signal);
  const claim: IntegrationClaim = { kind: 'created', name: spec.name, token: newToken(), creator };
  // From here on the integration may exist: a failure must leave an id whose Delete drops it.
  mayHaveWritten(integrationPhysicalId(kind.idPrefix, claim));
  const comment = markedComment(spec.comment, owner, claim.token, creator);
  if (existing) {
    log('info', 'Altering what this resource left over in an earlier attempt', { integration: spec.name });
    for (const statement of kind.alterSql(spec, comment)) {
      await client.execute(statement, { signal, privilege: `OWNERSHIP of ${spec.name}` });
    }
  } else {
    await client.execute(kind.createSql(spec, comment, false), { signal, privilege: PRIVILEGE });
  }
  return { claim, described: await describeOrFail(kind, client, spec.name, signal) };
}

async function alterInPlace<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  spec: Spec,
  claim: IntegrationClaim,
  client: SqlApiClient,
  invocation: SnowflakeInvocation,
): Promise<Described> {
  const { signal } = invocation;
  const current = await describe(kind, client, claim.name, signal);
  if (!current) {
    throw new IntegrationChangedError(
      `Snowflake answers that the ${kind.label} ${claim.name} does not exist or is not authorized: it was dropped outside CloudFormation, or the connection's user or role no longer sees it. Restore the connection, or give Rotation a new value to create a new one.`,
    );
  }
  if (claim.kind === 'created' && markerOf(current.comment)?.token !== claim.token) {
    throw new IntegrationChangedError(
      `The ${kind.label} ${claim.name} is not the one this stack created (its COMMENT no longer ends with the stack's marker): it was re-created outside CloudFormation. Give Rotation a new value to create a new one, or drop it.`,
    );
  }
  // The marker is rewritten in this version's format, with the same token: a 0.1 marker gains the stack id.
  const comment =
    claim.kind === 'created'
      ? markedComment(spec.comment, invocation.owner, claim.token, claim.creator)
      : spec.comment;
  for (const statement of kind.alterSql(spec, comment)) {
    await client.execute(statement, { signal, privilege: `OWNERSHIP of ${claim.name}` });
  }
  return describeOrFail(kind, client, claim.name, signal);
}

// Drops the integration while its marker holds this resource's token. 002003 is "gone" only for its maker.
async function dropOwned<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  client: SqlApiClient,
  claim: Extract<IntegrationClaim, { kind: 'created' }>,
  owner: Owner,
  signal: AbortSignal,
): Promise<void> {
  const hidden = { what: `${kind.label} ${claim.name}`, creator: claim.creator, owner };
  const current = await describe(kind, client, claim.name, signal);
  if (!current) return confirmGone(client, hidden, signal);
  if (markerOf(current.comment)?.token !== claim.token) {
    return log('warn', 'Left the integration in place: its marker is not the one this resource wrote', {
      integration: claim.name,
      comment: current.comment,
    });
  }
  try {
    await client.execute(sql`DROP INTEGRATION ${storedIdentifier(claim.name)}`, {
      signal,
      privilege: `OWNERSHIP of ${claim.name}`,
    });
  } catch (error) {
    if (!(error instanceof NotAuthorizedError)) throw error;
    await confirmGone(client, hidden, signal);
  }
}

/** DESCRIBE INTEGRATION; undefined when Snowflake says it does not exist (or the role may not see it). */
async function describe<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  client: SqlApiClient,
  name: string,
  signal: AbortSignal,
): Promise<Described | undefined> {
  let properties: Map<string, string | null>;
  try {
    properties = describeProperties(
      await client.execute(sql`DESCRIBE INTEGRATION ${storedIdentifier(name)}`, { signal }),
    );
  } catch (error) {
    if (error instanceof NotAuthorizedError) return undefined;
    throw error;
  }
  return {
    iamUserArn: properties.get(`${kind.described}_AWS_IAM_USER_ARN`) ?? '',
    externalId: properties.get(`${kind.described}_AWS_EXTERNAL_ID`) ?? '',
    comment: properties.get('COMMENT') ?? null,
  };
}

async function describeOrFail<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  client: SqlApiClient,
  name: string,
  signal: AbortSignal,
): Promise<Described> {
  const described = await describe(kind, client, name, signal);
  if (!described?.externalId) {
    throw new IntegrationChangedError(
      `Snowflake shows no ${kind.described}_AWS_EXTERNAL_ID for the ${kind.label} ${name} just written: is it another kind of integration?`,
    );
  }
  return described;
}

function existsError<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  name: string,
  existing: Described,
  marker: Marker | undefined,
): IntegrationExistsError {
  const other = existing.externalId ? '' : ' (another kind of integration)';
  const made = marker ? `; its COMMENT says it was made by ${ownerInWords(marker)}` : '';
  return new IntegrationExistsError(
    `An integration ${name} exists already in Snowflake${other}, and this stack did not create it as its ${kind.label}${made}. A stack never takes one over silently. Choose another IntegrationName, drop it (DROP INTEGRATION ${name}) if nothing uses it, or set Adopt: true to manage it from this stack (an adopted integration is altered, and left in place on Delete).`,
  );
}

function outcome<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  claim: IntegrationClaim,
  described: Described,
  kept: string[],
): Outcome {
  return {
    physicalResourceId: integrationPhysicalId(kind.idPrefix, claim),
    data: {
      IntegrationName: claim.name,
      IamUserArn: described.iamUserArn,
      ExternalId: described.externalId,
      // The ids the role must trust now: the new one, and the old one while the old integration may be in use.
      TrustedExternalIds: [described.externalId, ...kept].join(','),
    },
  };
}

function sameIntegration(old: IntegrationSpec, next: IntegrationSpec): boolean {
  return old.name === next.name && JSON.stringify(old.identity) === JSON.stringify(next.identity);
}

function parsedOrUndefined<Spec extends IntegrationSpec>(
  kind: IntegrationKind<Spec>,
  properties: unknown,
): Spec | undefined {
  try {
    return kind.parse(properties);
  } catch {
    return undefined;
  }
}
