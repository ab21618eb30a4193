// The web identity token STS issues from GetWebIdentityToken: a JWT signed RS256 with the lab's own
// key, its claims as AWS documents them for outbound identity federation (IAM User Guide,
// "Understanding token claims": iss, aud, sub = the caller's role ARN, iat, exp, jti, and AWS claims
// under the "https://sts.amazonaws.com/" namespace).
import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from 'node:crypto';

/** The issuer's signing key and its public half, as its JWKS would publish it. */
export interface TokenIssuer {
  /** The account's issuer URL: `iss` of every token. */
  issuer: string;
  keyId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** What one token says. */
export interface WebIdentityClaims {
  roleArn: string;
  audiences: readonly string[];
  durationSeconds: number;
  accountId: string;
  region: string;
  tags?: Readonly<Record<string, string>>;
}

/** A new issuer with a fresh RSA key, its URL shaped as AWS shapes it. */
export function newIssuer(): TokenIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    issuer: `https://${randomUUID()}.tokens.sts.global.api.aws`,
    keyId: randomUUID(),
    privateKey,
    publicKey,
  };
}

/** A signed token and when it expires. */
export function issueToken(
  issuer: TokenIssuer,
  claims: WebIdentityClaims,
  now = Date.now(),
): {
  token: string;
  expiration: Date;
} {
  const iat = Math.floor(now / 1000);
  const exp = iat + claims.durationSeconds;
  const payload = {
    iss: issuer.issuer,
    // A single audience is a string, as in AWS's sample token; several are a list.
    aud: claims.audiences.length === 1 ? claims.audiences[0] : claims.audiences,
    sub: claims.roleArn,
    iat,
    exp,
    jti: randomUUID(),
    'https://sts.amazonaws.com/': {
      aws_account: claims.accountId,
      source_region: claims.region,
      principal_id: claims.roleArn,
      ...(claims.tags === undefined ? {} : { request_tags: claims.tags }),
    },
  };
  const header = { alg: 'RS256', typ: 'JWT', kid: issuer.keyId };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = createSign('RSA-SHA256')
    .update(signingInput)
    .sign(issuer.privateKey)
    .toString('base64url');
  return { token: `${signingInput}.${signature}`, expiration: new Date(exp * 1000) };
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
