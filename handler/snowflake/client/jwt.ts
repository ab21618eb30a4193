// Key-pair authentication: read the private key (PKCS#8, possibly encrypted), compute the public key's
// fingerprint, sign the JWT. Node's crypto does all of it; no JWT library is needed for one RS256 signature.
// https://docs.snowflake.com/en/developer-guide/sql-api/authenticating ("Generate a JWT token"):
//   iss = <ACCOUNT>.<USER>.SHA256:<fingerprint>, sub = <ACCOUNT>.<USER>, iat, exp (at most one hour after iat).
// https://docs.snowflake.com/en/user-guide/key-pair-auth: RSA of at least 2048 bits; the fingerprint is the
//   base64 of the SHA-256 of the public key's DER SubjectPublicKeyInfo, as DESC USER shows in RSA_PUBLIC_KEY_FP.

import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { PrivateKeyError } from './errors';

/** A private key ready to sign, and the fingerprint Snowflake knows its public key by. */
export interface SigningKey {
  privateKey: KeyObject;
  /** `SHA256:<base64>`, as in DESC USER's RSA_PUBLIC_KEY_FP. */
  fingerprint: string;
}

/** A signed JWT and the claims worth showing a person when Snowflake refuses it. */
export interface KeyPairJwt {
  token: string;
  issuer: string;
  subject: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** Snowflake honours a JWT for at most an hour whatever exp says; stay a minute inside that. */
export const JWT_LIFETIME_SECONDS = 59 * 60;
const MIN_MODULUS_BITS = 2048;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** Reads a PEM private key (PKCS#8, encrypted PKCS#8, or PKCS#1) and computes its fingerprint. */
export function readSigningKey(pem: string, passphrase?: string): SigningKey {
  const block = normalizePem(pem);
  const privateKey = openPrivateKey(block, passphrase);
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new PrivateKeyError(
      `The private key is ${privateKey.asymmetricKeyType ?? 'not an asymmetric'} key; Snowflake's key-pair ` +
        'authentication needs an RSA key (openssl genrsa 2048 | openssl pkcs8 -topk8 -v2 aes-256-cbc).',
    );
  }
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_MODULUS_BITS) {
    throw new PrivateKeyError(
      `The private key has ${bits} bits; Snowflake needs an RSA key of at least ${MIN_MODULUS_BITS} bits. ` +
        'Generate a new key pair and register its public key with ALTER USER … SET RSA_PUBLIC_KEY.',
    );
  }
  return { privateKey, fingerprint: publicKeyFingerprint(privateKey) };
}

/** `SHA256:` and the base64 SHA-256 of the DER SubjectPublicKeyInfo of a public key or a private key's half. */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

/** Signs the RS256 JWT that authenticates `account.user` to the SQL API. */
export function signKeyPairJwt(
  identity: { account: string; user: string },
  key: SigningKey,
  nowMs: number = Date.now(),
  lifetimeSeconds: number = JWT_LIFETIME_SECONDS,
): KeyPairJwt {
  const subject = `${identity.account}.${identity.user}`;
  const issuer = `${subject}.${key.fingerprint}`;
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + Math.min(lifetimeSeconds, 3600);
  const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({ iss: issuer, sub: subject, iat, exp })}`;
  const signature = sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url');
  return { token: `${signingInput}.${signature}`, issuer, subject, expiresAt: exp * 1000 };
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// Secrets pasted by hand often lose their line breaks (spaces, or a literal "\n"): rebuild the PEM block.
function normalizePem(pem: string): { text: string; label: string } {
  const match = PEM_BLOCK.exec(pem.replaceAll('\\n', '\n'));
  if (!match) {
    throw new PrivateKeyError(
      'The private key is not in PEM form: expected a block starting "-----BEGIN PRIVATE KEY-----" or ' +
        '"-----BEGIN ENCRYPTED PRIVATE KEY-----" (PKCS#8), with its line breaks written as \\n in the JSON.',
    );
  }
  const [, label = '', body = ''] = match;
  // A PKCS#1 key encrypted the old way has headers (Proc-Type, DEK-Info) whose line breaks matter.
  if (body.includes(':')) return { text: match[0], label };
  const lines = body.replace(/\s+/g, '').match(/.{1,64}/g) ?? [];
  return { text: `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`, label };
}

function openPrivateKey(block: { text: string; label: string }, passphrase: string | undefined): KeyObject {
  const encrypted = block.label.includes('ENCRYPTED') || block.text.includes('Proc-Type: 4,ENCRYPTED');
  if (encrypted && !passphrase) {
    throw new PrivateKeyError(
      'The private key is encrypted but the secret has no "privateKeyPassphrase": add the passphrase to the ' +
        'secret, or store the key unencrypted.',
    );
  }
  try {
    return createPrivateKey({ key: block.text, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch (error) {
    // The cause names an OpenSSL routine, never the key or the passphrase.
    throw new PrivateKeyError(
      encrypted
        ? 'The private key could not be decrypted with "privateKeyPassphrase": check that the passphrase is the ' +
            'one the key was encrypted with.'
        : `The private key block "${block.label}" could not be read as a private key: store the PKCS#8 file ` +
            '(rsa_key.p8) as generated, its line breaks written as \\n in the JSON.',
      { cause: error },
    );
  }
}
