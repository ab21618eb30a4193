import { describe, expect, it } from 'vitest';
import { ConnectionSettingsError, SecretMalformedError } from '../../handler/snowflake/client/errors';
import { httpsOrigin, parseConnectionSecret } from '../../handler/snowflake/client/settings';

const SECRET_ID = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:snowflake-abc';
const KEY = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';

function secret(fields: Record<string, unknown>): string {
  return JSON.stringify(fields);
}

describe('parseConnectionSecret', () => {
  it('reads a key-pair connection with its optional fields', () => {
    const text = secret({
      account: 'myorg-myaccount',
      user: 'trust_link_svc',
      privateKey: KEY,
      privateKeyPassphrase: 'pass',
      role: 'trust_link_role',
      warehouse: '"Mixed_WH"',
    });

    const settings = parseConnectionSecret(text, SECRET_ID);

    expect(settings).toEqual({
      account: { forJwt: 'MYORG-MYACCOUNT', host: 'myorg-myaccount.snowflakecomputing.com' },
      user: 'TRUST_LINK_SVC',
      role: 'TRUST_LINK_ROLE',
      warehouse: 'Mixed_WH',
      origin: 'https://myorg-myaccount.snowflakecomputing.com',
      credential: { kind: 'KEY_PAIR', privateKey: KEY, passphrase: 'pass' },
      source: `secret "${SECRET_ID}"`,
    });
  });

  it('reads a programmatic access token, and a PrivateLink host', () => {
    const text = secret({
      account: 'xy12345.us-east-1',
      user: 'svc',
      token: 'pat-value',
      host: 'xy12345.us-east-1.privatelink.snowflakecomputing.com',
    });

    const settings = parseConnectionSecret(text, SECRET_ID);

    expect(settings.credential).toEqual({ kind: 'PROGRAMMATIC_ACCESS_TOKEN', token: 'pat-value' });
    expect(settings.origin).toBe('https://xy12345.us-east-1.privatelink.snowflakecomputing.com');
    expect(settings.role).toBeUndefined();
  });

  it('treats empty and null optional fields as absent', () => {
    const text = secret({ account: 'a-b', user: 'u', token: 't', role: '', warehouse: null, privateKey: '' });

    const settings = parseConnectionSecret(text, SECRET_ID);

    expect(settings).not.toHaveProperty('role');
    expect(settings).not.toHaveProperty('warehouse');
    expect(settings.credential.kind).toBe('PROGRAMMATIC_ACCESS_TOKEN');
  });

  it.each([
    ['text that is not JSON', 'account=x', 'is not JSON'],
    ['a JSON list', '[1]', 'is not a JSON object'],
    ['a JSON string', '"x"', 'is not a JSON object'],
    ['no account', secret({ user: 'u', token: 't' }), 'has no "account"'],
    ['no user', secret({ account: 'a-b', token: 't' }), 'has no "user"'],
    ['a number for user', secret({ account: 'a-b', user: 7, token: 't' }), '"user" that is not a string'],
    ['both a key and a token', secret({ account: 'a-b', user: 'u', token: 't', privateKey: KEY }), 'both'],
    ['a password', secret({ account: 'a-b', user: 'u', password: 'p' }), 'has a "password"'],
    ['neither', secret({ account: 'a-b', user: 'u' }), 'neither "privateKey" nor "token".'],
    [
      'a misspelt key',
      secret({ account: 'a-b', user: 'u', private_key: KEY }),
      'unknown fields: private_key',
    ],
    ['a bad account', secret({ account: 'a b', user: 'u', token: 't' }), 'is not an account identifier'],
    ['a bad user', secret({ account: 'a-b', user: 'u x', token: 't' }), 'Snowflake user'],
    ['an http host', secret({ account: 'a-b', user: 'u', token: 't', host: 'http://h' }), 'must use HTTPS'],
  ])('refuses %s, naming the secret', (_, text, words) => {
    const read = () => parseConnectionSecret(text, SECRET_ID);

    expect(read).toThrow(SecretMalformedError);
    expect(read).toThrow(words);
    expect(read).toThrow(SECRET_ID);
  });

  it('never quotes the secret text when it is not JSON', () => {
    const text = `{"privateKey": "${KEY.replaceAll('\n', '')}" oops}`;

    expect(() => parseConnectionSecret(text, SECRET_ID)).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('AAAA') }),
    );
  });
});

describe('httpsOrigin', () => {
  it.each([
    ['h.example.com', 'https://h.example.com'],
    ['https://h.example.com', 'https://h.example.com'],
    ['https://h.example.com/', 'https://h.example.com'],
    ['h.example.com:8443', 'https://h.example.com:8443'],
  ])('reads %s as %s', (host, origin) => {
    expect(httpsOrigin(host)).toBe(origin);
  });

  it.each([
    ['http://h.example.com', 'must use HTTPS'],
    ['ftp://h.example.com', 'must use HTTPS'],
    ['h.example.com/path', 'host name only'],
    ['user:pw@h.example.com', 'host name only'],
    ['h.example.com?x=1', 'host name only'],
    ['bad host', 'is not a host name'],
  ])('refuses %s', (host, words) => {
    expect(() => httpsOrigin(host)).toThrow(ConnectionSettingsError);
    expect(() => httpsOrigin(host)).toThrow(words);
  });
});
