// The AWS SDK for JavaScript v3 (@aws-sdk/client-ssm) against the SSM
// Parameter Store API of `envelope kms serve`.
//
// Usage: node ssm_sdk.mjs ENDPOINT ACCESS_KEY_ID SECRET_FILE
// (NODE_EXTRA_CA_CERTS names the server's certificate). Prints one line per
// failed check and a closing "N passed, N failed"; exits non-zero on any
// failure.
import { readFileSync } from 'node:fs'
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParametersCommand,
  GetParameterHistoryCommand, LabelParameterVersionCommand, DeleteParameterCommand,
  paginateGetParametersByPath
} from '@aws-sdk/client-ssm'
import { Checks } from './checks.mjs'

const [endpoint, accessKeyId, secretFile] = process.argv.slice(2)
const secretAccessKey = readFileSync(secretFile, 'utf8').trim()
const region = 'us-east-1'

const checks = new Checks('ssm sdk')
const check = checks.check.bind(checks)
const expectError = checks.expectError.bind(checks)

const ssm = new SSMClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 })

const put = await ssm.send(new PutParameterCommand({
  Name: '/js/db-password', Value: 'js-secret-1', Type: 'SecureString'
}))
check(put.Version === 1 && put.Tier === 'Standard', `PutParameter: ${JSON.stringify(put)}`)
const got = await ssm.send(new GetParameterCommand({ Name: '/js/db-password', WithDecryption: true }))
check(got.Parameter.Value === 'js-secret-1', 'GetParameter WithDecryption')
check(got.Parameter.LastModifiedDate instanceof Date, 'LastModifiedDate parses as a Date')
check(got.Parameter.ARN === 'arn:aws:ssm:us-east-1:111122223333:parameter/js/db-password', got.Parameter.ARN)
const sealed = await ssm.send(new GetParameterCommand({ Name: '/js/db-password' }))
check(sealed.Parameter.Value !== 'js-secret-1', 'without decryption: the ciphertext')
await expectError(ssm.send(new PutParameterCommand({ Name: '/js/db-password', Value: 'x', Type: 'SecureString' })),
  'ParameterAlreadyExists', 'PutParameter without Overwrite')
const second = await ssm.send(new PutParameterCommand({
  Name: '/js/db-password', Value: 'js-secret-2', Type: 'SecureString', Overwrite: true
}))
check(second.Version === 2, 'Overwrite adds version 2')
await ssm.send(new LabelParameterVersionCommand({ Name: '/js/db-password', ParameterVersion: 1, Labels: ['old'] }))
const old = await ssm.send(new GetParameterCommand({ Name: '/js/db-password:old', WithDecryption: true }))
check(old.Parameter.Value === 'js-secret-1', 'a label selects version 1')
const history = await ssm.send(new GetParameterHistoryCommand({ Name: '/js/db-password' }))
check(history.Parameters.length === 2 && history.Parameters[0].Labels[0] === 'old', 'GetParameterHistory')

for (let i = 0; i < 13; i++) {
  await ssm.send(new PutParameterCommand({ Name: `/js/many/p${String(i).padStart(2, '0')}`, Value: `v${i}`, Type: 'String' }))
}
const names = []
for await (const page of paginateGetParametersByPath({ client: ssm, pageSize: 5 }, { Path: '/js/many' })) {
  for (const p of page.Parameters) names.push(p.Name)
}
check(names.length === 13 && names[12] === '/js/many/p12', `paginated GetParametersByPath: ${names.length}`)
const both = await ssm.send(new GetParametersCommand({ Names: ['/js/many/p00', '/js/none'] }))
check(both.Parameters.length === 1 && both.InvalidParameters[0] === '/js/none', 'GetParameters')
await ssm.send(new DeleteParameterCommand({ Name: '/js/many/p00' }))
await expectError(ssm.send(new GetParameterCommand({ Name: '/js/many/p00' })), 'ParameterNotFound', 'deleted')

const wrong = new SSMClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 })
await expectError(wrong.send(new GetParameterCommand({ Name: '/js/db-password' })), 'InvalidSignatureException', 'a wrong secret')

checks.finish()
