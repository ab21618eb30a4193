import { describe, expect, it } from 'vitest';
import { authenticatorFor, type CredentialDeps } from '../../handler/snowflake/client/credentials';
import { PrivateKeyError } from '../../handler/snowflake/client/errors';
import { type ConnectionSettings, parseConnectionSecret } from '../../handler/snowflake/client/settings';
import { PASSPHRASE, testKeyPair } from './keys';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

function keyPairSettings(): ConnectionSettings {
  const { encryptedPkcs8 } = testKeyPair();
  const text = JSON.stringify({
    account: 'myorg-myaccount',
    user: 'svc',
    privateKey: encryptedPkcs8,
    privateKeyPassphrase: PASSPHRASE,
  });
  return parseConnectionSecret(text, 'snowflake');
}

function deps(overrides: Partial<CredentialDeps> = {}): CredentialDeps & { clock: { now: number } } {
  const clock = { now: NOW };
  return {
    clock,
    now: () => clock.now,
    ...overrides,
  };
}

function jwtPayload(headers: Record<string, string>): Record<string, unknown> {
  const jwt = headers.Authorization?.replace(/^Bearer /, '') ?? '';
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('authenticatorFor: key pair', () => {
  it('sends a key-pair JWT with its token type', async () => {
    const auth = authenticatorFor(keyPairSettings(), deps());

    const headers = await auth.headers();

    expect(headers['X-Snowflake-Authorization-Token-Type']).toBe('KEYPAIR_JWT');
    expect(jwtPayload(headers)).toMatchObject({ sub: 'MYORG-MYACCOUNT.SVC', iat: NOW / 1000 });
  });

  it('writes a quoted mixed-case user upper case in the JWT, as Snowflake requires', async () => {
    const settings = { ...keyPairSettings(), user: 'Mixed_Svc' };

    const headers = await authenticatorFor(settings, deps()).headers();

    expect(jwtPayload(headers).sub).toBe('MYORG-MYACCOUNT.MIXED_SVC');
  });

  it('shows the iss and the fingerprint, never the key', () => {
    const auth = authenticatorFor(keyPairSettings(), deps());

    expect(auth.diagnostics).toEqual({
      mode: 'KEY_PAIR',
      account: 'MYORG-MYACCOUNT',
      user: 'SVC',
      issuer: expect.stringMatching(/^MYORG-MYACCOUNT\.SVC\.SHA256:[A-Za-z0-9+/]{43}=$/),
      fingerprint: expect.stringMatching(/^SHA256:/),
    });
  });

  it('keeps the JWT while it has time left and signs a new one before it runs out', async () => {
    const clock = deps();
    const auth = authenticatorFor(keyPairSettings(), clock);
    const first = await auth.headers();

    clock.clock.now = NOW + 50 * 60_000;
    const later = await auth.headers();
    clock.clock.now = NOW + 55 * 60_000;
    const renewed = await auth.headers();

    expect(later.Authorization).toBe(first.Authorization);
    expect(renewed.Authorization).not.toBe(first.Authorization);
    expect(jwtPayload(renewed).iat).toBe((NOW + 55 * 60_000) / 1000);
  });

  it('fails at once on a key it cannot read', () => {
    const settings = { ...keyPairSettings(), credential: { kind: 'KEY_PAIR' as const, privateKey: 'nope' } };

    expect(() => authenticatorFor(settings, deps())).toThrow(PrivateKeyError);
  });
});

describe('authenticatorFor: programmatic access token', () => {
  it('sends the token as a bearer with its token type', async () => {
    const settings = parseConnectionSecret(JSON.stringify({ account: 'a-b', user: 'u', token: 'pat' }), 's');

    const auth = authenticatorFor(settings, deps());

    expect(await auth.headers()).toEqual({
      Authorization: 'Bearer pat',
      'X-Snowflake-Authorization-Token-Type': 'PROGRAMMATIC_ACCESS_TOKEN',
    });
    expect(auth.diagnostics).toEqual({ mode: 'PROGRAMMATIC_ACCESS_TOKEN', account: 'A-B', user: 'U' });
  });
});
