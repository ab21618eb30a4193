// Reading a JSON Web Token (RFC 7519) and checking its RSA signature: what Snowflake does with the
// key-pair JWTs of its users (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating).
import { createVerify, type KeyObject } from 'node:crypto';

/** A token taken apart; nothing in it is trusted until `signatureValid` says so. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

const RSA_ALGORITHMS: Record<string, string> = {
  RS256: 'RSA-SHA256',
  RS384: 'RSA-SHA384',
  RS512: 'RSA-SHA512',
};

/** The token's parts, or undefined when it is not three base64url parts holding JSON objects. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const [header, payload, signature, extra] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) {
    return undefined;
  }
  const headerJson = jsonObject(header);
  const claims = jsonObject(payload);
  if (headerJson === undefined || claims === undefined) return undefined;
  return {
    header: headerJson,
    claims,
    signingInput: `${header}.${payload}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}

/** Whether the token is signed RS256, RS384 or RS512 by the private half of `publicKey`. */
export function signatureValid(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  const algorithm = RSA_ALGORITHMS[String(jwt.header.alg)];
  if (algorithm === undefined) return false;
  try {
    return createVerify(algorithm).update(jwt.signingInput).verify(publicKey, jwt.signature);
  } catch {
    return false;
  }
}

function jsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
