// The ESDK for JavaScript's KmsKeyringNode against `envelope kms serve`, for
// interoperability with envelope's AWS KMS keyrings both ways
// (test/aws_kms/aws_kms_cli_test.py drives it).
//
// Usage (NODE_EXTRA_CA_CERTS names the server's certificate; the access key
// comes from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY):
//   node esdk_kms_interop.mjs encrypt ENDPOINT OUT_DIR PLAINTEXT_FILE GENERATOR_ARN [CHILD_ARN...]
//     writes OUT_DIR/js-0x0478.msg and OUT_DIR/js-0x0578.msg
//   node esdk_kms_interop.mjs decrypt ENDPOINT MESSAGE PLAINTEXT_FILE KEY_ARN|discovery
//     exits 0 when MESSAGE decrypts to PLAINTEXT_FILE's bytes with the
//     context purpose=interop, printing the EDKs' key ARNs
import { readFileSync, writeFileSync } from 'node:fs'
import { KMS } from '@aws-sdk/client-kms'
import {
  KmsKeyringNode, buildClient, CommitmentPolicy, AlgorithmSuiteIdentifier
} from '@aws-crypto/client-node'

const [mode, endpoint, ...rest] = process.argv.slice(2)
const credentials = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID,
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY
}
// One client per region, all pointed at the same server.
const clientProvider = (region) => new KMS({ endpoint, region: region || 'us-east-1', credentials })
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
const suites = {
  '0x0478': AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY,
  '0x0578': AlgorithmSuiteIdentifier.ALG_AES256_GCM_IV12_TAG16_HKDF_SHA512_COMMIT_KEY_ECDSA_P384
}

try {
  if (mode === 'encrypt') {
    const [outDir, plaintextFile, generatorKeyId, ...keyIds] = rest
    const keyring = new KmsKeyringNode({ generatorKeyId, keyIds, clientProvider })
    const plaintext = readFileSync(plaintextFile)
    for (const [name, suiteId] of Object.entries(suites)) {
      const { result } = await encrypt(keyring, plaintext, {
        suiteId, encryptionContext: { purpose: 'interop' }
      })
      writeFileSync(`${outDir}/js-${name}.msg`, result)
    }
    console.log('esdk-js: wrote 2 messages')
  } else if (mode === 'decrypt') {
    const [messageFile, plaintextFile, key] = rest
    const keyring = key === 'discovery'
      ? new KmsKeyringNode({ discovery: true, clientProvider })
      : new KmsKeyringNode({ keyIds: [key], clientProvider })
    const { plaintext, messageHeader } = await decrypt(keyring, readFileSync(messageFile))
    if (!Buffer.from(plaintext).equals(readFileSync(plaintextFile))) {
      throw new Error('the plaintext differs')
    }
    if (messageHeader.encryptionContext.purpose !== 'interop') {
      throw new Error('the encryption context differs')
    }
    const arns = messageHeader.encryptedDataKeys.map(e => `${e.providerId}:${e.providerInfo}`)
    console.log(`esdk-js: decrypted; suite ${messageHeader.suiteId}; edks ${arns.join(' ')}`)
  } else {
    throw new Error(`unknown mode ${mode}`)
  }
} catch (e) {
  console.log(`esdk-js: FAILED: ${e.name}: ${e.message}`)
  process.exit(1)
}
