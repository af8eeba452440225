// The AWS SDK for JavaScript v3 (@aws-sdk/client-secrets-manager) against
// the Secrets Manager API of `envelope kms serve`.
//
// Usage: node secrets_sdk.mjs ENDPOINT ACCESS_KEY_ID SECRET_FILE
// (NODE_EXTRA_CA_CERTS names the server's certificate). Prints one line per
// failed check and a closing "N passed, N failed"; exits non-zero on any
// failure.
import { readFileSync } from 'node:fs'
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand,
  DescribeSecretCommand, DeleteSecretCommand, RestoreSecretCommand, RotateSecretCommand,
  paginateListSecrets
} from '@aws-sdk/client-secrets-manager'
import { Checks } from './checks.mjs'

const [endpoint, accessKeyId, secretFile] = process.argv.slice(2)
const secretAccessKey = readFileSync(secretFile, 'utf8').trim()
const region = 'us-east-1'

const checks = new Checks('secrets sdk')
const check = checks.check.bind(checks)
const expectError = checks.expectError.bind(checks)

const sm = new SecretsManagerClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 })

// The SDK fills in ClientRequestToken itself: a retry is idempotent.
const created = await sm.send(new CreateSecretCommand({ Name: 'js/api-token', SecretString: 'tok-1' }))
check(created.ARN.startsWith('arn:aws:secretsmanager:us-east-1:111122223333:secret:js/api-token-'), created.ARN)
const got = await sm.send(new GetSecretValueCommand({ SecretId: 'js/api-token' }))
check(got.SecretString === 'tok-1' && got.VersionId === created.VersionId, 'GetSecretValue')
check(got.CreatedDate instanceof Date, 'CreatedDate parses as a Date')
const token = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee'
const put = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'tok-2', ClientRequestToken: token }))
check(put.VersionId === token && put.VersionStages[0] === 'AWSCURRENT', 'PutSecretValue')
const again = await sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'tok-2', ClientRequestToken: token }))
check(again.VersionId === token, 'the same token and value again: idempotent')
await expectError(sm.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: 'tok-3', ClientRequestToken: token })),
  'ResourceExistsException', 'the same token, another value')
const prev = await sm.send(new GetSecretValueCommand({ SecretId: 'js/api-token', VersionStage: 'AWSPREVIOUS' }))
check(prev.SecretString === 'tok-1', 'AWSPREVIOUS')

const binary = await sm.send(new CreateSecretCommand({ Name: 'js/key', SecretBinary: new Uint8Array([0, 1, 2, 255]) }))
const bin = await sm.send(new GetSecretValueCommand({ SecretId: binary.ARN }))
check(bin.SecretBinary.length === 4 && bin.SecretBinary[3] === 255, 'SecretBinary round trip')

const described = await sm.send(new DescribeSecretCommand({ SecretId: 'js/api-token' }))
check(Object.keys(described.VersionIdsToStages).length === 2, 'DescribeSecret versions')
await expectError(sm.send(new RotateSecretCommand({ SecretId: 'js/api-token', RotationLambdaARN: 'arn:aws:lambda:us-east-1:111122223333:function:f' })),
  'InvalidParameterException', 'a request cannot name a rotation function')

for (let i = 0; i < 5; i++) await sm.send(new CreateSecretCommand({ Name: `js/many/${i}`, SecretString: `m${i}` }))
const names = []
for await (const page of paginateListSecrets({ client: sm, pageSize: 2 }, {})) {
  for (const s of page.SecretList) names.push(s.Name)
}
check(names.length === 7, `paginated ListSecrets: ${names.length}`)

const deleted = await sm.send(new DeleteSecretCommand({ SecretId: 'js/api-token', RecoveryWindowInDays: 7 }))
check(deleted.DeletionDate instanceof Date, 'DeleteSecret DeletionDate')
await expectError(sm.send(new GetSecretValueCommand({ SecretId: 'js/api-token' })), 'InvalidRequestException', 'deleted')
await sm.send(new RestoreSecretCommand({ SecretId: 'js/api-token' }))
check((await sm.send(new GetSecretValueCommand({ SecretId: 'js/api-token' }))).SecretString === 'tok-2', 'restored')
await sm.send(new DeleteSecretCommand({ SecretId: 'js/key', ForceDeleteWithoutRecovery: true }))
await expectError(sm.send(new GetSecretValueCommand({ SecretId: 'js/key' })), 'ResourceNotFoundException', 'force-deleted')

checks.finish()
