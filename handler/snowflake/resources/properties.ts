// Reading the Snowflake resources' properties once, at the edge: every problem is collected and reported
// at once, in words the person at the CloudFormation console can act on. CloudFormation sends every scalar
// as a string ("true", "3"), so booleans are read from their text.

import { CustomResourceError } from '../../framework/errors';
import type { ConnectionSource } from '../client/connection';
import { SnowflakeError } from '../client/errors';
import { storedName } from '../client/sql';

/** The properties are wrong; nothing was sent to Snowflake. */
export class InvalidPropertiesError extends CustomResourceError {}

// CloudFormation's own properties, present on every custom resource.
const CLOUDFORMATION_PROPERTIES = ['ServiceToken', 'ServiceTimeout'];
/** The property that says how to reach Snowflake, shared by every resource type. */
export const CONNECTION_PROPERTIES = ['Connection'];
// 0.1's workload-identity properties: still read, so that a resource holding them is told what to do instead.
const RETIRED_CONNECTION_PROPERTIES = [
  'Authentication',
  'SnowflakeAccount',
  'SnowflakeUser',
  'SnowflakeRole',
  'SnowflakeWarehouse',
];

/** Reads one resource's properties, collecting problems instead of stopping at the first. */
export class PropertyReader {
  readonly problems: string[] = [];
  private readonly props: Record<string, unknown>;

  constructor(
    properties: unknown,
    private readonly resourceType: string,
    /** The resource's own properties; 'any' reads only what is asked for (a Delete needs just the connection). */
    allowed: readonly string[] | 'any',
  ) {
    this.props = isRecord(properties) ? properties : {};
    if (allowed === 'any') return;
    const known = [...allowed, ...CONNECTION_PROPERTIES];
    const recognised = [...known, ...RETIRED_CONNECTION_PROPERTIES, ...CLOUDFORMATION_PROPERTIES];
    for (const name of Object.keys(this.props)) {
      if (recognised.includes(name)) continue;
      const meant = known.find((k) => k.toLowerCase() === name.toLowerCase());
      this.problems.push(
        `Unknown property "${name}".${meant ? ` Did you mean ${meant}?` : ''} ${resourceType} takes: ${known.join(', ')}.`,
      );
    }
  }

  /** A string property, trimmed; undefined when absent or empty. */
  text(name: string): string | undefined {
    const value = this.props[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.problems.push(`${name} must be a string, not ${describe(value)}.`);
      return undefined;
    }
    const text = String(value).trim();
    return text === '' ? undefined : text;
  }

  /** A required string property. */
  required(name: string, meaning: string): string {
    const value = this.text(name);
    if (value === undefined && !this.problems.some((p) => p.startsWith(`${name} `)))
      this.problems.push(`${name} is required: ${meaning}.`);
    return value ?? '';
  }

  /** A Snowflake name as Snowflake stores it (upper case unless written in double quotes). */
  name(name: string, meaning: string): string {
    const written = this.required(name, meaning);
    return written === '' ? '' : this.attempt(() => storedName(written, name), '');
  }

  /** true or false, as CloudFormation sends them: "true"/"false" (any case), or a JSON boolean. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.props[name];
    if (value === undefined || value === '') return fallback;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    this.problems.push(`${name} must be true or false, not ${JSON.stringify(value)}.`);
    return fallback;
  }

  /** A list of strings; a single string counts as a one-item list. Empty items are refused. */
  list(name: string, { required }: { required: boolean }): string[] {
    const value = this.props[name];
    if (value === undefined || value === '') {
      if (required) this.problems.push(`${name} is required: a list of one or more values.`);
      return [];
    }
    const items = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(items) || !items.every((item) => typeof item === 'string')) {
      this.problems.push(`${name} must be a list of strings, not ${describe(value)}.`);
      return [];
    }
    const trimmed = items.map((item) => item.trim());
    if (trimmed.includes('')) this.problems.push(`${name} has an empty item: remove it.`);
    if (required && trimmed.length === 0) this.problems.push(`${name} must hold at least one value.`);
    return trimmed.filter((item) => item !== '');
  }

  /** Where the connection comes from: the secret named by Connection. */
  connection(): ConnectionSource {
    const connection = this.text('Connection');
    // 0.1 accepted Authentication: WORKLOAD_IDENTITY; the SQL API documents no such sign-in, so it is refused
    // with what to do (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating names none).
    if (this.text('Authentication') !== undefined) {
      this.problems.push(
        "Authentication (workload identity) is no longer supported: Snowflake's SQL API documents no way to " +
          'sign in with an AWS web identity token. Give Connection instead: a secret holding the service ' +
          "user's key pair or programmatic access token (docs/snowflake-setup.md).",
      );
    }
    if (connection === undefined) {
      this.problems.push(
        'Connection is required: the ARN or name of the Secrets Manager secret holding the Snowflake connection.',
      );
    }
    return { secretId: connection ?? '' };
  }

  /** Runs a check that throws a SnowflakeError; its message becomes a problem. */
  attempt<T>(check: () => T, fallback: T): T {
    try {
      return check();
    } catch (error) {
      if (!(error instanceof SnowflakeError)) throw error;
      this.problems.push(error.message);
      return fallback;
    }
  }

  /** Throws InvalidPropertiesError naming every problem found, if any. */
  done(): void {
    if (this.problems.length === 0) return;
    const [first] = this.problems;
    throw new InvalidPropertiesError(
      this.problems.length === 1
        ? `${this.resourceType}: ${first}`
        : `${this.resourceType}: ${this.problems.length} problems with the properties: ${this.problems.map((p, i) => `(${i + 1}) ${p}`).join(' ')}`,
    );
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : `a ${typeof value}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
