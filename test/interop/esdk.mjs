#!/usr/bin/env node
// test/interop/esdk.mjs: the AWS Encryption SDK for JavaScript side of the
// interop test. Encrypts or decrypts one file with a raw AES or raw RSA
// keyring, streaming, under the default commitment policy
// (REQUIRE_ENCRYPT_REQUIRE_DECRYPT).
//
//   node esdk.mjs encrypt|decrypt --in FILE --out FILE
//       --keyring aes --key-file FILE --key-namespace NS --key-name NAME
//     | --keyring rsa --public-key PEM --private-key PEM
//                     --padding oaep-sha1|oaep-sha256|oaep-sha384|oaep-sha512|pkcs1
//                     --key-namespace NS --key-name NAME
//       [--suite 0x0478|0x0578]      encrypt: the suite (default 0x0578);
//                                    decrypt: the suite the message must have
//       [--frame-length N]           encrypt only (default 4096)
//       [--context JSON | --context-file FILE]
//                                    encrypt: the encryption context;
//                                    decrypt: pairs the message must contain
//
// The output is written to a temporary file beside --out and renamed only on
// success, so a failure leaves nothing at --out. Exit status: 0 on success, 1
// on any failure (message on stderr), 2 for bad usage.
//
// Run `npm ci --prefix test/interop` once to install the pinned ESDK.

import { createReadStream, createWriteStream, readFileSync, renameSync, rmSync } from 'node:fs';
import { constants as cryptoConstants, privateDecrypt, publicEncrypt } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';

let esdk;
try {
  esdk = await import('@aws-crypto/client-node');
} catch (err) {
  process.stderr.write(
    `esdk.mjs: error: cannot load @aws-crypto/client-node (${err.message})\n` +
      'hint: run `npm ci --prefix test/interop`\n');
  process.exit(1);
}
const {
  AlgorithmSuiteIdentifier,
  CommitmentPolicy,
  RawAesKeyringNode,
  RawAesWrappingSuiteIdentifier,
  RawRsaKeyringNode,
  buildClient,
} = esdk;

const SUITES = {
  '0x0478': AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  '0x0578': AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384,
};

const AES_WRAPPING = {
  16: RawAesWrappingSuiteIdentifier.AES128_GCM_IV12_TAG16_NO_PADDING,
  24: RawAesWrappingSuiteIdentifier.AES192_GCM_IV12_TAG16_NO_PADDING,
  32: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
};

const RSA_PADDINGS = {
  'oaep-sha1': { padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
  'oaep-sha256': { padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
  'oaep-sha384': { padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha384' },
  'oaep-sha512': { padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha512' },
  pkcs1: { padding: cryptoConstants.RSA_PKCS1_PADDING, oaepHash: undefined },
};

class UsageError extends Error {}

const VALUE_OPTIONS = new Set([
  'in', 'out', 'keyring', 'key-file', 'key-namespace', 'key-name', 'public-key', 'private-key',
  'padding', 'suite', 'frame-length', 'context', 'context-file',
]);

function parseArgs(argv) {
  const [command, ...rest] = argv;
  if (command !== 'encrypt' && command !== 'decrypt') {
    throw new UsageError('the first argument must be "encrypt" or "decrypt"');
  }
  const opts = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--') || !VALUE_OPTIONS.has(arg.slice(2))) {
      throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
    if (i + 1 >= rest.length) throw new UsageError(`${arg} needs a value`);
    const name = arg.slice(2);
    if (name in opts) throw new UsageError(`${arg} given twice`);
    opts[name] = rest[++i];
  }
  for (const required of ['in', 'out', 'keyring', 'key-namespace', 'key-name']) {
    if (!(required in opts)) throw new UsageError(`--${required} is required`);
  }
  return { command, opts };
}

function readContext(opts) {
  if ('context' in opts && 'context-file' in opts) {
    throw new UsageError('give --context or --context-file, not both');
  }
  const text = 'context-file' in opts ? readFileSync(opts['context-file'], 'utf8')
             : 'context' in opts ? opts.context : '{}';
  let context;
  try {
    context = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the encryption context is not JSON: ${err.message}`);
  }
  if (context === null || typeof context !== 'object' || Array.isArray(context) ||
      !Object.values(context).every((v) => typeof v === 'string')) {
    throw new UsageError('the encryption context must be a JSON object of strings');
  }
  return context;
}

function makeKeyring(opts) {
  const keyNamespace = opts['key-namespace'];
  const keyName = opts['key-name'];
  if (opts.keyring === 'aes') {
    for (const bad of ['public-key', 'private-key', 'padding']) {
      if (bad in opts) throw new UsageError(`--${bad} is for --keyring rsa`);
    }
    if (!('key-file' in opts)) throw new UsageError('--keyring aes needs --key-file');
    const key = new Uint8Array(readFileSync(opts['key-file']));
    const wrappingSuite = AES_WRAPPING[key.length];
    if (wrappingSuite === undefined) {
      throw new Error(`the AES key file holds ${key.length} bytes; expected 16, 24 or 32`);
    }
    // utf8Sorting: sort the context by UTF-8 bytes as the specification says;
    // the default (locale order) breaks other implementations for non-ASCII keys.
    return new RawAesKeyringNode({
      keyNamespace, keyName, unencryptedMasterKey: key, wrappingSuite, utf8Sorting: true,
    });
  }
  if (opts.keyring === 'rsa') {
    if ('key-file' in opts) throw new UsageError('--key-file is for --keyring aes');
    const choice = RSA_PADDINGS[opts.padding ?? ''];
    if (choice === undefined) {
      throw new UsageError(`--padding must be one of ${Object.keys(RSA_PADDINGS).join(', ')}`);
    }
    const rsaKey = {};
    if ('public-key' in opts) rsaKey.publicKey = readFileSync(opts['public-key'], 'utf8');
    if ('private-key' in opts) rsaKey.privateKey = readFileSync(opts['private-key'], 'utf8');
    if (!rsaKey.publicKey && !rsaKey.privateKey) {
      throw new UsageError('--keyring rsa needs --public-key and/or --private-key');
    }
    if (rsaKey.privateKey && choice.padding === cryptoConstants.RSA_PKCS1_PADDING) {
      checkPkcs1Decrypt(rsaKey.privateKey);
    }
    return new RawRsaKeyringNode({ keyNamespace, keyName, rsaKey, ...choice });
  }
  throw new UsageError('--keyring must be "aes" or "rsa"');
}

// checkPkcs1Decrypt fails clearly where Node refuses PKCS#1 v1.5 private
// decryption (the Marvin attack fix, CVE-2023-46809): the ESDK would only say
// "unencryptedDataKey has not been set".
function checkPkcs1Decrypt(privateKey) {
  const padding = cryptoConstants.RSA_PKCS1_PADDING;
  try {
    privateDecrypt({ key: privateKey, padding },
                   publicEncrypt({ key: privateKey, padding }, Buffer.alloc(32)));
  } catch (err) {
    throw new Error(`node ${process.version} cannot decrypt RSA PKCS#1 v1.5: ${err.message}`);
  }
}

function parseSuite(text) {
  const suite = SUITES[text.toLowerCase()];
  if (suite === undefined) throw new UsageError('--suite must be 0x0478 or 0x0578');
  return suite;
}

async function run({ command, opts }) {
  const keyring = makeKeyring(opts);
  const context = readContext(opts);
  const { encryptStream, decryptStream } =
    buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT);
  const tmp = join(dirname(opts.out), `.${basename(opts.out)}.${process.pid}.tmp`);
  try {
    if (command === 'encrypt') {
      if (!('suite' in opts)) opts.suite = '0x0578';
      const frameLength = Number(opts['frame-length'] ?? 4096);
      if (!Number.isInteger(frameLength) || frameLength < 1 || frameLength > 0xffffffff) {
        throw new UsageError('--frame-length must be an integer from 1 to 2^32-1');
      }
      await pipeline(
        createReadStream(opts.in),
        encryptStream(keyring, { suiteId: parseSuite(opts.suite), encryptionContext: context,
                                 frameLength }),
        createWriteStream(tmp));
    } else {
      if ('frame-length' in opts) throw new UsageError('--frame-length is for encrypt');
      const wantSuite = 'suite' in opts ? parseSuite(opts.suite) : undefined;
      const stream = decryptStream(keyring);
      let header;
      stream.once('MessageHeader', (h) => { header = h; });
      await pipeline(createReadStream(opts.in), stream, createWriteStream(tmp));
      if (header === undefined) throw new Error('no message header was parsed');
      if (wantSuite !== undefined && header.suiteId !== wantSuite) {
        throw new Error(`message suite is 0x${header.suiteId.toString(16).padStart(4, '0')}, ` +
                        `expected ${opts.suite}`);
      }
      for (const [k, v] of Object.entries(context)) {
        if (header.encryptionContext[k] !== v) {
          throw new Error(`encryption context pair ${JSON.stringify(k)} is missing or differs`);
        }
      }
    }
    renameSync(tmp, opts.out);
  } finally {
    rmSync(tmp, { force: true });
  }
}

let parsed;
try {
  parsed = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`esdk.mjs: error: ${err.message}\n`);
  process.exit(2);
}
try {
  await run(parsed);
} catch (err) {
  process.stderr.write(`esdk.mjs ${parsed.command}: error: ${err.message ?? err}\n`);
  process.exit(err instanceof UsageError ? 2 : 1);
}
