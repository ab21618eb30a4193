// Key pairs for the tests, made once per file: RSA generation takes a moment.

import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM, unencrypted. */
  pkcs8: string;
  /** PKCS#8 PEM encrypted with PASSPHRASE. */
  encryptedPkcs8: string;
  /** PKCS#1 PEM ("BEGIN RSA PRIVATE KEY"). */
  pkcs1: string;
}

export const PASSPHRASE = 'correct horse battery staple';

let cached: TestKeyPair | undefined;

/** One RSA-2048 key pair in every form a secret may hold. */
export function testKeyPair(): TestKeyPair {
  if (cached) return cached;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  cached = {
    privateKey,
    publicKey,
    pkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    encryptedPkcs8: privateKey
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASSPHRASE })
      .toString(),
    pkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  };
  return cached;
}
