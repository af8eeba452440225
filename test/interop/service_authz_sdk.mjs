// ssm:* and secretsmanager:* authorization of `envelope kms serve` through
// the AWS SDK for JavaScript v3 (@aws-sdk/client-ssm and
// @aws-sdk/client-secrets-manager), with the users and identity policies of
// test/service/aws_service_authz_test.py: alice may ssm:GetParameter on
// /app/*, bob secretsmanager:GetSecretValue without kms:Decrypt, eve
// anything but app/db (an explicit deny).
//
// Usage: node service_authz_sdk.mjs ENDPOINT USERS_JSON, USERS_JSON mapping
// "root", "alice", "bob" and "eve" to {accessKeyId, secretAccessKey}
// (NODE_EXTRA_CA_CERTS names the server's certificate). Prints one line per
// failed check and a closing "N passed, N failed"; exits non-zero on any
// failure.
import { readFileSync } from 'node:fs'
import {
  SSMClient, PutParameterCommand, GetParameterCommand, GetParametersCommand, DeleteParameterCommand
} from '@aws-sdk/client-ssm'
import {
  SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand, DescribeSecretCommand,
  ListSecretsCommand, DeleteSecretCommand
} from '@aws-sdk/client-secrets-manager'
import { Checks } from './checks.mjs'

const [endpoint, usersFile] = process.argv.slice(2)
const users = JSON.parse(readFileSync(usersFile, 'utf8'))
const region = 'us-east-1'
const account = '111122223333'
const value = 's3cr3t-app-value'

const checks = new Checks('service authz sdk')
const check = checks.check.bind(checks)

// expectDenied checks that `promise` fails with AccessDeniedException, its
// HTTP status 400 and, when given, `message`.
async function expectDenied (promise, message, what) {
  try {
    await promise
    check(false, `${what}: succeeded, expected AccessDeniedException`)
  } catch (e) {
    check(e.name === 'AccessDeniedException' && e.$metadata.httpStatusCode === 400,
      `${what}: ${e.name} ${e.$metadata?.httpStatusCode} (${e.message})`)
    if (message !== undefined) check(e.message === message, `${what}: "${e.message}", expected "${message}"`)
  }
}

function denied (user, action, resource, why) {
  return `User: arn:aws:iam::${account}:user/${user} is not authorized to perform: ${action} ` +
    `on resource: ${resource} ${why ?? `because no identity-based policy allows the ${action} action`}`
}

const explicit = 'with an explicit deny in an identity-based policy'
const ssm = {}
const sm = {}
for (const [name, credentials] of Object.entries(users)) {
  ssm[name] = new SSMClient({ endpoint, region, credentials, maxAttempts: 1 })
  sm[name] = new SecretsManagerClient({ endpoint, region, credentials, maxAttempts: 1 })
}
const parameterArn = `arn:aws:ssm:${region}:${account}:parameter`

for (const Name of ['/app/x', '/app/db', '/other/y']) {
  await ssm.root.send(new PutParameterCommand({ Name, Value: value, Type: 'SecureString' }))
}
const got = await ssm.alice.send(new GetParameterCommand({ Name: '/app/x', WithDecryption: true }))
check(got.Parameter.Value === value, 'alice reads /app/x')
await expectDenied(ssm.alice.send(new GetParameterCommand({ Name: '/other/y' })),
  denied('alice', 'ssm:GetParameter', `${parameterArn}/other/y`), 'alice reads /other/y')
await expectDenied(ssm.alice.send(new PutParameterCommand({ Name: '/app/x', Value: 'x', Type: 'SecureString', Overwrite: true })),
  denied('alice', 'ssm:PutParameter', `${parameterArn}/app/x`), 'alice writes /app/x')
await expectDenied(ssm.alice.send(new GetParametersCommand({ Names: ['/app/x', '/app/db'] })),
  denied('alice', 'ssm:GetParameters', `${parameterArn}/app/x`), 'alice: GetParameters needs its own action')
const still = await ssm.root.send(new GetParameterCommand({ Name: '/app/x', WithDecryption: true }))
check(still.Parameter.Version === 1 && still.Parameter.Value === value, 'the refused put changed nothing')

const some = await ssm.eve.send(new GetParametersCommand({ Names: ['/app/x', '/other/y'], WithDecryption: true }))
check(some.Parameters.length === 2, 'eve reads two parameters at once')
await expectDenied(ssm.eve.send(new GetParametersCommand({ Names: ['/app/x', '/app/db'] })),
  denied('eve', 'ssm:GetParameters', `${parameterArn}/app/db`, explicit), 'eve: one denied name refuses GetParameters')
await expectDenied(ssm.eve.send(new DeleteParameterCommand({ Name: '/app/db' })),
  denied('eve', 'ssm:DeleteParameter', `${parameterArn}/app/db`, explicit), 'eve deletes /app/db')

const created = await sm.root.send(new CreateSecretCommand({ Name: 'app/db', SecretString: value }))
await sm.root.send(new CreateSecretCommand({ Name: 'app/web', SecretString: value }))
await expectDenied(sm.bob.send(new GetSecretValueCommand({ SecretId: 'app/db' })),
  'Access to KMS is not allowed', 'bob may GetSecretValue but not kms:Decrypt')
await expectDenied(sm.bob.send(new ListSecretsCommand({})),
  denied('bob', 'secretsmanager:ListSecrets', '*'), 'bob lists secrets')
await expectDenied(sm.bob.send(new DescribeSecretCommand({ SecretId: 'app/db' })),
  denied('bob', 'secretsmanager:DescribeSecret', created.ARN), 'bob describes app/db')
const web = await sm.eve.send(new GetSecretValueCommand({ SecretId: 'app/web' }))
check(web.SecretString === value, 'eve reads app/web')
await expectDenied(sm.eve.send(new GetSecretValueCommand({ SecretId: created.ARN })),
  denied('eve', 'secretsmanager:GetSecretValue', created.ARN, explicit), 'eve reads app/db')
await expectDenied(sm.eve.send(new DeleteSecretCommand({ SecretId: 'app/db', ForceDeleteWithoutRecovery: true })),
  denied('eve', 'secretsmanager:DeleteSecret', created.ARN, explicit), 'eve deletes app/db')
const after = await sm.root.send(new GetSecretValueCommand({ SecretId: 'app/db' }))
check(after.SecretString === value, 'the refused delete changed nothing')

checks.finish()
