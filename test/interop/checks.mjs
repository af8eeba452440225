// checks.mjs: the pass/fail counting the AWS SDK interop scripts share
// (kms_sdk, ssm_sdk, secrets_sdk, service_authz_sdk): every check is
// counted, a failure is printed and the script exits 1 at the end.
export class Checks {
  constructor (name) {
    this.name = name
    this.passed = 0
    this.failed = 0
  }

  // check counts `condition`, printing `what` when it is false.
  check (condition, what) {
    if (condition) {
      this.passed++
    } else {
      this.failed++
      console.log(`FAILED: ${what}`)
    }
  }

  // expectError checks that `promise` fails with the error named `name`.
  async expectError (promise, name, what) {
    try {
      await promise
      this.check(false, `${what}: succeeded, expected ${name}`)
    } catch (e) {
      this.check(e.name === name, `${what}: ${e.name} (${e.message}), expected ${name}`)
    }
  }

  // finish prints the counts and exits: 0 when nothing failed.
  finish () {
    console.log(`${this.name}: ${this.passed} passed, ${this.failed} failed`)
    process.exit(this.failed === 0 ? 0 : 1)
  }
}
