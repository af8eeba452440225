#!/usr/bin/env python3
"""Where a client's time goes, for one AWS KMS call against `envelope kms
serve`: starts a server on a free loopback port with a fresh keystore (one
access key, one key), then times

  - the AWS CLI (Debian's v2 at /usr/bin/aws, and the pip v1 if present):
    `aws --version` (the interpreter and the CLI starting, no request) and
    `aws kms generate-data-key` (start-up, a TLS connection, one signed
    request), each run N times;
  - the AWS SDK for JavaScript v3 (test/interop/kms_rtt.mjs): loading the
    SDK, the first GenerateDataKey (new TLS connection) and warm calls on
    the kept-alive connection;
  - our own signed request on a kept-alive connection (bench/kms_load, one
    connection, 2 seconds) for the server's side of a call.

Prints one JSON line per client, medians in milliseconds.

  bench/client_rtt.py BUILD_DIR [--runs 10]
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "test", "service"))
from aws_cli_test import AWS, find_aws_v1, client_env  # noqa: E402


def timed(cmd, env, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        times.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd[:3])}: {r.stderr[-500:]}")
    return round(statistics.median(times), 1), round(min(times), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--runs", type=int, default=10)
    args = ap.parse_args()
    envelope = os.path.join(args.build, "tools", "envelope")
    with tempfile.TemporaryDirectory() as work:
        home = os.path.join(work, "ks")
        env = dict(os.environ, ENVELOPE_HOME=home)
        secret_file = os.path.join(work, "secret")
        akid = subprocess.run([envelope, "kms", "access-keys", "create", "--secret-file",
                               secret_file], env=env, check=True, capture_output=True,
                              text=True).stdout.strip()
        with open(secret_file) as f:
            secret = f.read().strip()
        key = json.loads(subprocess.run([envelope, "keys", "create", "--json"], env=env,
                                        check=True, capture_output=True,
                                        text=True).stdout)["key_id"]
        server = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0"],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            url = server.stdout.readline().decode().split(" at ")[1].split(" ")[0]
            cert = server.stdout.readline().decode().split("tls certificate ")[1].split(" ")[0]
            cenv = client_env(work, AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret,
                              AWS_DEFAULT_REGION="us-east-1", AWS_CA_BUNDLE=cert)
            clis = [("aws-cli v2 (Debian)", AWS)]
            v1 = find_aws_v1()
            if v1:
                clis.append(("aws-cli v1 (pip)", v1))
            for name, aws in clis:
                start_med, start_min = timed([aws, "--version"], cenv, args.runs)
                call_med, call_min = timed([aws, "kms", "generate-data-key", "--endpoint-url", url,
                                            "--key-id", key, "--key-spec", "AES_256"],
                                           cenv, args.runs)
                print(json.dumps({"client": name, "runs": args.runs,
                                  "version_only_median_ms": start_med,
                                  "generate_data_key_median_ms": call_med,
                                  "generate_data_key_min_ms": call_min,
                                  "call_minus_startup_ms": round(call_med - start_med, 1)}),
                      flush=True)
            nenv = client_env(work, NODE_EXTRA_CA_CERTS=cert)
            script = os.path.join(ROOT, "test", "interop", "kms_rtt.mjs")
            t = time.perf_counter()
            r = subprocess.run(["node", script, url, akid, secret_file, key, "20"], env=nenv,
                               capture_output=True, text=True, cwd=os.path.dirname(script))
            whole = (time.perf_counter() - t) * 1000
            if r.returncode != 0:
                raise SystemExit(f"node: {r.stderr[-800:]}")
            line = json.loads(r.stdout)
            line["whole_process_ms"] = round(whole, 1)
            print(json.dumps(line), flush=True)
            load = os.path.join(args.build, "bench", "kms_load")
            r = subprocess.run([load, "--url", url, "--ca", cert, "--access-key-id", akid,
                                "--key-id", key, "--op", "GenerateDataKey", "--connections", "1",
                                "--seconds", "2"],
                               env=dict(os.environ, ENVELOPE_LOAD_SECRET_FILE=secret_file),
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise SystemExit(f"kms_load: {r.stderr[-500:]}")
            line = json.loads(r.stdout)
            print(json.dumps({"client": "bench/kms_load (C++, kept-alive TLS)",
                              "p50_ms": line["p50_ms"], "p99_ms": line["p99_ms"]}), flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
