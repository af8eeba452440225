// Round-trip times of the AWS SDK for JavaScript v3 against a KMS endpoint
// (bench/client_rtt.py runs it): the time to load the SDK, the first
// GenerateDataKey (a new TLS connection), then N more on the kept-alive
// connection. Prints one line of JSON with milliseconds.
//
// Usage: node kms_rtt.mjs ENDPOINT ACCESS_KEY_ID SECRET_FILE KEY_ID [N]
// (NODE_EXTRA_CA_CERTS names the server's certificate).
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

const t0 = performance.now()
const { KMSClient, GenerateDataKeyCommand } = await import('@aws-sdk/client-kms')
const loaded = performance.now()

const [endpoint, accessKeyId, secretFile, keyId, n = '20'] = process.argv.slice(2)
const secretAccessKey = readFileSync(secretFile, 'utf8').trim()
const client = new KMSClient({
  endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }
})
const call = () => client.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }))

let start = performance.now()
const first = await call()
if (first.Plaintext.length !== 32) throw new Error('no 32-byte data key')
const firstMs = performance.now() - start
const warm = []
for (let i = 0; i < Number(n); i++) {
  start = performance.now()
  await call()
  warm.push(performance.now() - start)
}
warm.sort((a, b) => a - b)
const median = warm[Math.floor(warm.length / 2)]
console.log(JSON.stringify({
  client: 'node @aws-sdk/client-kms',
  load_sdk_ms: +(loaded - t0).toFixed(2),
  first_call_ms: +firstMs.toFixed(2),
  warm_calls: warm.length,
  warm_median_ms: +median.toFixed(2),
  warm_min_ms: +warm[0].toFixed(2)
}))
