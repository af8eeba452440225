// The AWS SDK for JavaScript v3 (@aws-sdk/client-kms) and the ESDK for
// JavaScript's KMS keyring against `envelope kms serve`.
//
// Usage: node kms_sdk.mjs ENDPOINT ACCESS_KEY_ID SECRET_FILE
// (NODE_EXTRA_CA_CERTS names the server's certificate). Prints one line per
// check and a closing "N passed, N failed"; exits non-zero on any failure.
import { readFileSync } from 'node:fs'
import {
  KMS, KMSClient, CreateKeyCommand, CreateAliasCommand, EncryptCommand, DecryptCommand,
  GenerateDataKeyCommand, ReEncryptCommand, EnableKeyRotationCommand,
  RotateKeyOnDemandCommand, ListKeyRotationsCommand, DisableKeyCommand,
  ScheduleKeyDeletionCommand, DescribeKeyCommand, paginateListKeys
} from '@aws-sdk/client-kms'
import { KmsKeyringNode, buildClient, CommitmentPolicy } from '@aws-crypto/client-node'
import { Checks } from './checks.mjs'

const [endpoint, accessKeyId, secretFile] = process.argv.slice(2)
const secretAccessKey = readFileSync(secretFile, 'utf8').trim()
const region = 'us-east-1'

const checks = new Checks('node sdk')
const check = checks.check.bind(checks)
const expectError = checks.expectError.bind(checks)

const client = (secret = secretAccessKey, id = accessKeyId) =>
  new KMSClient({ endpoint, region, credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 })
const kms = client()

const created = await kms.send(new CreateKeyCommand({ Description: 'made by the JS SDK' }))
const keyId = created.KeyMetadata.KeyId
const keyArn = created.KeyMetadata.Arn
check(keyArn === `arn:aws:kms:${region}:111122223333:key/${keyId}`, `key ARN ${keyArn}`)
check(created.KeyMetadata.CreationDate instanceof Date, 'CreationDate parses as a Date')
await kms.send(new CreateAliasCommand({ AliasName: 'alias/js', TargetKeyId: keyId }))

const plaintext = Buffer.from('plaintext from node \u00e9\u0000')
const ct = await kms.send(new EncryptCommand({
  KeyId: 'alias/js', Plaintext: plaintext, EncryptionContext: { dept: 'A' }
}))
check(ct.KeyId === keyArn, 'Encrypt names the key ARN')
const pt = await kms.send(new DecryptCommand({
  CiphertextBlob: ct.CiphertextBlob, EncryptionContext: { dept: 'A' }
}))
check(Buffer.from(pt.Plaintext).equals(plaintext), 'Decrypt returns the plaintext')
await expectError(kms.send(new DecryptCommand({
  CiphertextBlob: ct.CiphertextBlob, EncryptionContext: { dept: 'B' }
})), 'InvalidCiphertextException', 'Decrypt with another context')

const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyArn, NumberOfBytes: 48 }))
check(dk.Plaintext.length === 48, 'GenerateDataKey with NumberOfBytes')
const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata.KeyId
const re = await kms.send(new ReEncryptCommand({
  CiphertextBlob: ct.CiphertextBlob, SourceEncryptionContext: { dept: 'A' }, DestinationKeyId: other
}))
check(re.SourceKeyId === keyArn && re.KeyId.endsWith(other), 'ReEncrypt')

await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 120 }))
await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))
const rotations = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))
check(rotations.Rotations.length === 1 && rotations.Rotations[0].RotationType === 'ON_DEMAND',
  'ListKeyRotations after RotateKeyOnDemand')

// The ESDK for JavaScript's KMS keyring, given a KMS client for this server.
const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
// (The keyring calls the aggregated client's methods, so it gets a KMS.)
const aggregated = new KMS({ endpoint, region, credentials: { accessKeyId, secretAccessKey } })
const keyring = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => aggregated })
const message = Buffer.from('an ESDK message whose data key our KMS wraps')
const { result } = await encrypt(keyring, message, { encryptionContext: { purpose: 'interop' } })
const opened = await decrypt(keyring, result)
check(Buffer.from(opened.plaintext).equals(message), 'ESDK KmsKeyringNode round trip through the server')
check(opened.messageHeader.encryptedDataKeys[0].providerId === 'aws-kms' &&
  opened.messageHeader.encryptedDataKeys[0].providerInfo === keyArn, 'the data key is aws-kms, under the key ARN')

let listed = 0
for await (const page of paginateListKeys({ client: kms, pageSize: 1 }, {})) listed += page.Keys.length
check(listed === 2, `paginateListKeys saw ${listed} keys`)

await kms.send(new DisableKeyCommand({ KeyId: keyId }))
await expectError(kms.send(new DecryptCommand({
  CiphertextBlob: ct.CiphertextBlob, EncryptionContext: { dept: 'A' }
})), 'DisabledException', 'Decrypt under a disabled key')
const deletion = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: other, PendingWindowInDays: 7 }))
check(deletion.KeyState === 'PendingDeletion', 'ScheduleKeyDeletion')

await expectError(client('x'.repeat(40)).send(new DescribeKeyCommand({ KeyId: keyId })),
  'InvalidSignatureException', 'a wrong secret')
await expectError(client(secretAccessKey, 'AKIAAAAAAAAAAAAAAAAA').send(new DescribeKeyCommand({ KeyId: keyId })),
  'UnrecognizedClientException', 'an unknown access key')
await expectError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/missing' })),
  'NotFoundException', 'an unknown alias')

checks.finish()
