import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PrivateKeyError } from '../../handler/snowflake/client/errors';
import { publicKeyFingerprint, readSigningKey, signKeyPairJwt } from '../../handler/snowflake/client/jwt';
import { PASSPHRASE, testKeyPair } from './keys';

function decodePart(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8'));
}

function expectedFingerprint(): string {
  const der = testKeyPair().publicKey.export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64')}`;
}

describe('readSigningKey', () => {
  it.each([
    ['an unencrypted PKCS#8 key', () => testKeyPair().pkcs8, undefined],
    ['an encrypted PKCS#8 key with its passphrase', () => testKeyPair().encryptedPkcs8, PASSPHRASE],
    ['a PKCS#1 key', () => testKeyPair().pkcs1, undefined],
    ['a key whose line breaks became spaces', () => testKeyPair().pkcs8.replaceAll('\n', ' '), undefined],
    [
      'a key whose line breaks became a literal \\n',
      () => testKeyPair().pkcs8.replaceAll('\n', '\\n'),
      undefined,
    ],
    ['an unencrypted key given a passphrase anyway', () => testKeyPair().pkcs8, 'unused'],
  ])('reads %s and computes the fingerprint DESC USER shows', (_, pem, passphrase) => {
    const key = readSigningKey(pem(), passphrase);

    expect(key.fingerprint).toBe(expectedFingerprint());
    expect(key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}=$/);
  });

  it('reads an old-style encrypted PKCS#1 key, whose headers keep their line breaks', () => {
    const pem = testKeyPair()
      .privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE })
      .toString();

    expect(readSigningKey(pem, PASSPHRASE).fingerprint).toBe(expectedFingerprint());
  });

  it.each([
    [
      'an encrypted key without a passphrase',
      () => testKeyPair().encryptedPkcs8,
      undefined,
      'privateKeyPassphrase',
    ],
    [
      'an encrypted key with the wrong passphrase',
      () => testKeyPair().encryptedPkcs8,
      'wrong',
      'could not be decrypted',
    ],
    ['text that is not PEM', () => 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC', undefined, 'not in PEM form'],
    [
      'a PEM block that holds no key',
      () => '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      undefined,
      'could not be read',
    ],
    [
      'an EC key',
      () =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      undefined,
      'needs an RSA key',
    ],
    [
      'an RSA key of 1024 bits',
      () =>
        generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ type: 'pkcs8', format: 'pem' })
          .toString(),
      undefined,
      'at least 2048 bits',
    ],
  ])('refuses %s with a message that says what to do', (_, pem, passphrase, words) => {
    const read = () => readSigningKey(pem(), passphrase);

    expect(read).toThrow(PrivateKeyError);
    expect(read).toThrow(words);
  });

  it('never puts the key or the passphrase in its message', () => {
    const { encryptedPkcs8 } = testKeyPair();
    let message = '';
    try {
      readSigningKey(encryptedPkcs8, 'not-the-passphrase');
    } catch (error) {
      message = `${(error as Error).message} ${String((error as Error).cause)}`;
    }

    expect(message).not.toBe('');
    expect(message).not.toContain('not-the-passphrase');
    expect(message).not.toContain(encryptedPkcs8.split('\n')[1]);
  });
});

describe('publicKeyFingerprint', () => {
  it('gives the same fingerprint from the private and the public key', () => {
    const { privateKey, publicKey } = testKeyPair();

    expect(publicKeyFingerprint(privateKey)).toBe(publicKeyFingerprint(publicKey));
  });
});

describe('signKeyPairJwt', () => {
  const identity = { account: 'MYORG-MYACCOUNT', user: 'TRUST_LINK_SVC' };
  const now = Date.UTC(2026, 10, 29, 12, 0, 0);

  it('signs RS256 with the claims Snowflake reads', () => {
    const key = readSigningKey(testKeyPair().pkcs8);

    const jwt = signKeyPairJwt(identity, key, now);

    const [header, payload, signature] = jwt.token.split('.');
    expect(decodePart(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(decodePart(payload)).toEqual({
      iss: `MYORG-MYACCOUNT.TRUST_LINK_SVC.${expectedFingerprint()}`,
      sub: 'MYORG-MYACCOUNT.TRUST_LINK_SVC',
      iat: now / 1000,
      exp: now / 1000 + 59 * 60,
    });
    const signed = Buffer.from(`${header}.${payload}`);
    expect(verify('sha256', signed, testKeyPair().publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(
      true,
    );
    expect(jwt.issuer).toBe(`MYORG-MYACCOUNT.TRUST_LINK_SVC.${expectedFingerprint()}`);
    expect(jwt.expiresAt).toBe(now + 59 * 60 * 1000);
  });

  it('never asks for more than an hour', () => {
    const key = readSigningKey(testKeyPair().pkcs8);

    const jwt = signKeyPairJwt(identity, key, now, 7200);

    const payload = decodePart(jwt.token.split('.')[1]);
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
  });
});
