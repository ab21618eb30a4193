// Names of the objects the resources make: a stored name back into a quoted identifier, and the name a
// Rotation gives an integration (a new name, so that the old and new integrations exist side by side).

import { createHash } from 'node:crypto';
import { identifier, type SqlText } from '../client/sql';

/** A name as Snowflake stores it, quoted so that it means exactly that name. */
export function storedIdentifier(stored: string, what?: string): SqlText {
  return identifier(`"${stored.replaceAll('"', '""')}"`, what);
}

const PLAIN_ROTATION = /^[A-Za-z0-9_]{1,32}$/;

/**
 * The integration's name for a Rotation value: the name itself without one; else the name and the value
 * (upper case), or a short hash of a value that is not a plain word, so that any value is allowed.
 */
export function rotatedName(stored: string, rotation: string | undefined): string {
  if (rotation === undefined) return stored;
  const suffix = PLAIN_ROTATION.test(rotation)
    ? rotation.toUpperCase()
    : `R${createHash('sha256').update(rotation).digest('hex').slice(0, 10).toUpperCase()}`;
  return `${stored}_${suffix}`;
}
