#!/usr/bin/env node
// test/interop/esdk_diff.mjs: the AWS Encryption SDK for JavaScript side of
// the differential fuzz test (fuzz/esdk_diff.py). Decrypts every file of the
// given folders, one-shot, with the keys the message fuzz harnesses hold
// (fuzz/fuzz_keys.h: the ESDK vectors' "aes-256" raw AES key as generator
// and "rsa-4096-private" with OAEP-SHA-512, namespace
// aws-raw-vectors-persistant), under FORBID_ENCRYPT_ALLOW_DECRYPT (every
// suite is read, as in the harnesses).
//
//   node esdk_diff.mjs --keys VECTORS/esdk/v4-Net-4.0.1/keys.json DIR...
//
// Prints one line per file, sorted by name: "<folder>/<name> ok <sha-256 of
// the plaintext>" or "<folder>/<name> fail <error message>". Exit status 0
// unless the setup failed.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

let esdk;
try {
  esdk = await import('@aws-crypto/client-node');
} catch (err) {
  process.stderr.write(
    `esdk_diff.mjs: error: cannot load @aws-crypto/client-node (${err.message})\n` +
      'hint: run `npm ci --prefix test/interop`\n');
  process.exit(1);
}
const {
  CommitmentPolicy, MultiKeyringNode, RawAesKeyringNode, RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode, buildClient,
} = esdk;
import { constants as cryptoConstants } from 'node:crypto';

const args = process.argv.slice(2);
if (args.length < 3 || args[0] !== '--keys') {
  process.stderr.write('usage: node esdk_diff.mjs --keys KEYS_JSON DIR...\n');
  process.exit(2);
}
const keys = JSON.parse(readFileSync(args[1], 'utf8')).keys;
const namespace = 'aws-raw-vectors-persistant';
const aes = new RawAesKeyringNode({
  keyNamespace: namespace,
  keyName: 'aes-256',
  unencryptedMasterKey: new Uint8Array(Buffer.from(keys['aes-256'].material, 'base64')),
  wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
  utf8Sorting: true,
});
const rsa = new RawRsaKeyringNode({
  keyNamespace: namespace,
  keyName: 'rsa-4096-private',
  rsaKey: { privateKey: keys['rsa-4096-private'].material },
  padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING,
  oaepHash: 'sha512',
});
const keyring = new MultiKeyringNode({ generator: aes, children: [rsa] });
const { decrypt } = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT);

const lines = [];
for (const dir of args.slice(2)) {
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile()).sort();
  for (const name of names) {
    const input = readFileSync(join(dir, name));
    const label = `${basename(dir)}/${name}`;
    try {
      const { plaintext } = await decrypt(keyring, input);
      lines.push(`${label} ok ${createHash('sha256').update(plaintext).digest('hex')}`);
    } catch (err) {
      lines.push(`${label} fail ${String(err.message ?? err).replace(/\s+/g, ' ')}`);
    }
  }
}
process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
