#!/usr/bin/env python3
"""ssm:* and secretsmanager:* authorization against `envelope kms serve`,
through real clients: Debian's AWS CLI v2 and the AWS SDK for JavaScript v3
(@aws-sdk/client-ssm and -secrets-manager, test/interop/service_authz_sdk.mjs),
each against a server of its own on a free loopback port.

Three users of the keystore's account, with identity policies:
  alice  ssm:GetParameter on parameter/app/* (and kms:Decrypt)
  bob    secretsmanager:GetSecretValue on * (no kms:Decrypt)
  eve    ssm:* and secretsmanager:* on *, denied explicitly on /app/db and
         the secret app/db
Checks what the CLI prints for each refusal (AWS's AccessDeniedException
lines), that a refused write changes nothing, and that each refusal is one
audit line with its error code.

Usage: aws_service_authz_test.py BUILD_DIR SERVICE_AUTHZ_SDK_MJS
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_cli_test as h  # noqa: E402

VALUE = "s3cr3t-app-value"
POLICIES = {
    "alice": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "ssm:GetParameter",
         "Resource": "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"},
        {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"}]},
    "bob": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]},
    "eve": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ssm:*", "secretsmanager:*", "kms:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": ["ssm:*", "secretsmanager:*"], "Resource": [
            "arn:aws:ssm:us-east-1:111122223333:parameter/app/db",
            "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-??????"]}]},
}


def new_users(envelope, work, name):
    """A keystore with a root access key and the three users: (home, env,
    {user: (access key id, secret file)}, "" naming the root)."""
    home, env, root_key, root_secret = h.new_keystore(envelope, work, name)
    users = {"": (root_key, root_secret)}
    for user, policy in POLICIES.items():
        subprocess.run([envelope, "kms", "users", "create", user], env=env, check=True,
                       capture_output=True)
        policy_file = os.path.join(work, f"{name}-{user}.json")
        with open(policy_file, "w") as f:
            json.dump(policy, f)
        subprocess.run([envelope, "kms", "users", "put-policy", user, "--policy-file",
                        policy_file], env=env, check=True, capture_output=True)
        secret = os.path.join(work, f"{name}-{user}.secret")
        key = subprocess.run([envelope, "kms", "access-keys", "create", "--user", user,
                              "--secret-file", secret], env=env, check=True, capture_output=True,
                             text=True).stdout.strip()
        users[user] = (key, secret)
    return home, env, users


def denied(user, action, resource, why=None):
    """AWS's AccessDeniedException message."""
    why = why or f"because no identity-based policy allows the {action} action"
    return (f"User: arn:aws:iam::111122223333:user/{user} is not authorized to perform: "
            f"{action} on resource: {resource} {why}")


def run_cli(envelope, work):
    home, env, users = new_users(envelope, work, "ks-cli")
    server = h.Server(envelope, home)
    try:
        def aws(user, service, *args, ok=True):
            key, secret = users[user]
            aws_env = h.client_env(work, AWS_ACCESS_KEY_ID=key,
                                   AWS_SECRET_ACCESS_KEY=open(secret).read().strip(),
                                   AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                                   AWS_PAGER="")  # default retries: the line AWS users see
            r = subprocess.run([h.AWS, "--endpoint-url", server.url, "--output", "json", service] +
                               list(args), env=aws_env, capture_output=True, text=True, cwd=work,
                               timeout=120)
            what = f"{user or 'root'}: aws {service} {' '.join(args)}"
            if ok:
                h.check(r.returncode == 0, f"{what}: {r.stderr}")
                return json.loads(r.stdout) if r.stdout.strip() else {}
            h.check(r.returncode != 0, f"{what} must fail")
            return r.stderr.strip()

        def refused(user, service, operation, message, *args):
            err = aws(user, service, *args, ok=False)
            expected = (f"An error occurred (AccessDeniedException) when calling the {operation} "
                        f"operation: {message}")
            h.check(err == expected, f"{err!r}\n  expected {expected!r}")

        with open(os.path.join(work, "value.txt"), "w") as f:
            f.write(VALUE)
        for name in ("/app/x", "/app/db", "/other/y"):
            aws("", "ssm", "put-parameter", "--name", name, "--type", "SecureString",
                "--value", "file://value.txt")
        arn = "arn:aws:ssm:us-east-1:111122223333:parameter"

        # alice: get of /app/x works; /other/y and a put are refused.
        got = aws("alice", "ssm", "get-parameter", "--name", "/app/x", "--with-decryption")
        h.check(got["Parameter"]["Value"] == VALUE, got)
        refused("alice", "ssm", "GetParameter",
                denied("alice", "ssm:GetParameter", f"{arn}/other/y"),
                "get-parameter", "--name", "/other/y")
        refused("alice", "ssm", "PutParameter",
                denied("alice", "ssm:PutParameter", f"{arn}/app/x"),
                "put-parameter", "--name", "/app/x", "--type", "SecureString", "--value", "x",
                "--overwrite")
        refused("alice", "ssm", "GetParametersByPath",
                denied("alice", "ssm:GetParametersByPath", f"{arn}/app"),
                "get-parameters-by-path", "--path", "/app")
        h.check(aws("", "ssm", "get-parameter", "--name", "/app/x")["Parameter"]["Version"] == 1,
                "the refused put changed nothing")

        # eve: allowed everything but /app/db, where the explicit deny wins.
        h.check(aws("eve", "ssm", "get-parameter", "--name", "/other/y",
                    "--with-decryption")["Parameter"]["Value"] == VALUE, "eve reads /other/y")
        refused("eve", "ssm", "GetParameter",
                denied("eve", "ssm:GetParameter", f"{arn}/app/db",
                       "with an explicit deny in an identity-based policy"),
                "get-parameter", "--name", "/app/db")
        refused("eve", "ssm", "DeleteParameter",
                denied("eve", "ssm:DeleteParameter", f"{arn}/app/db",
                       "with an explicit deny in an identity-based policy"),
                "delete-parameter", "--name", "/app/db")

        # Secrets: bob may call GetSecretValue but not decrypt under the key.
        created = aws("", "secretsmanager", "create-secret", "--name", "app/db",
                      "--secret-string", "file://value.txt")
        aws("", "secretsmanager", "create-secret", "--name", "app/web", "--secret-string",
            "file://value.txt")
        err = aws("bob", "secretsmanager", "get-secret-value", "--secret-id", "app/db", ok=False)
        h.check(err == "An error occurred (AccessDeniedException) when calling the GetSecretValue "
                "operation: Access to KMS is not allowed", err)
        refused("bob", "secretsmanager", "ListSecrets",
                denied("bob", "secretsmanager:ListSecrets", "*"), "list-secrets")
        refused("bob", "secretsmanager", "DescribeSecret",
                denied("bob", "secretsmanager:DescribeSecret", created["ARN"]),
                "describe-secret", "--secret-id", "app/db")
        h.check(aws("eve", "secretsmanager", "get-secret-value", "--secret-id",
                    "app/web")["SecretString"] == VALUE, "eve reads app/web")
        refused("eve", "secretsmanager", "DeleteSecret",
                denied("eve", "secretsmanager:DeleteSecret", created["ARN"],
                       "with an explicit deny in an identity-based policy"),
                "delete-secret", "--secret-id", "app/db")
        h.check("DeletedDate" not in aws("", "secretsmanager", "describe-secret", "--secret-id",
                                         "app/db"), "the refused delete changed nothing")

        h.check(server.stop() == 0, "the server exits 0 on SIGTERM")
        lines = [json.loads(x) for x in open(os.path.join(home, "audit.log"))]
        refusals = [(x["eventSource"], x["eventName"], x["userIdentity"].get("userName"))
                    for x in lines if x.get("errorCode") == "AccessDeniedException"]
        expected = [("ssm.amazonaws.com", "GetParameter", "alice"),
                    ("ssm.amazonaws.com", "PutParameter", "alice"),
                    ("ssm.amazonaws.com", "GetParametersByPath", "alice"),
                    ("ssm.amazonaws.com", "GetParameter", "eve"),
                    ("ssm.amazonaws.com", "DeleteParameter", "eve"),
                    ("kms.amazonaws.com", "Decrypt", "bob"),
                    ("secretsmanager.amazonaws.com", "GetSecretValue", "bob"),
                    ("secretsmanager.amazonaws.com", "ListSecrets", "bob"),
                    ("secretsmanager.amazonaws.com", "DescribeSecret", "bob"),
                    ("secretsmanager.amazonaws.com", "DeleteSecret", "eve")]
        h.check(refusals == expected, f"the refusals in the audit log: {refusals}")
        h.check(VALUE not in open(os.path.join(home, "audit.log")).read(),
                "no value in the audit log")
        verify = subprocess.run([envelope, "audit", "verify"], env=env, capture_output=True,
                                text=True)
        h.check(verify.returncode == 0, f"the audit chain verifies: {verify.stdout}{verify.stderr}")
        print("aws cli: ok")
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def run_node(envelope, work, script):
    home, _, users = new_users(envelope, work, "ks-node")
    server = h.Server(envelope, home)
    try:
        credentials = os.path.join(work, "users.json")
        with open(credentials, "w") as f:
            json.dump({user or "root": {"accessKeyId": key,
                                        "secretAccessKey": open(secret).read().strip()}
                       for user, (key, secret) in users.items()}, f)
        node_env = h.client_env(work, NODE_EXTRA_CA_CERTS=server.cert)
        r = subprocess.run(["node", os.path.abspath(script), server.url, credentials],
                           env=node_env, capture_output=True, text=True, timeout=300,
                           cwd=os.path.dirname(os.path.abspath(script)))
        sys.stdout.write(r.stdout)
        h.check(r.returncode == 0, f"node {script}: {r.stdout[-2000:]} {r.stderr[-2000:]}")
    finally:
        h.check(server.stop() == 0, "the node test's server exits 0 on SIGTERM")


def main():
    build = sys.argv[1]
    envelope = os.path.abspath(os.path.join(build, "tools", "envelope"))
    h.check(os.path.exists(h.AWS), "Debian's awscli is installed (apt-get install awscli)")
    work = tempfile.mkdtemp(prefix="envelope-aws-authz-")
    try:
        run_cli(envelope, work)
        run_node(envelope, work, sys.argv[2])
        print(f"ssm and secretsmanager authorization: {h.passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"ssm and secretsmanager authorization: {h.passed} passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
