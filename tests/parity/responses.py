"""Reads each raw response of tests/fixtures/responses.json through Python's requests, for
tests/integration/response_parity.rs. argv: the manifest, the base URL of the server that serves case
NAME at /NAME. Each case is one PUT of `{}` with redirects off, on its own connection.

Output (stdout, one JSON object): {"requests", "urllib3": versions, "results": {name:
{"error": exception class} or {"status", "reason", "headers": {lower-case name: values
joined with ", "}, "body": hex}}}.
"""

import json
import sys

import requests
import urllib3


def read(base, name):
    try:
        r = requests.put(
            f"{base}/{name}",
            data=b"{}",
            headers={"Content-Type": "application/json", "Connection": "close"},
            allow_redirects=False,
            timeout=10,
        )
        body = r.content
    except requests.RequestException as e:
        return {"error": type(e).__name__}
    return {
        "status": r.status_code,
        "reason": r.reason,
        "headers": {k.lower(): v for k, v in r.headers.items()},
        "body": body.hex(),
    }


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    base = sys.argv[2]
    results = {c["name"]: read(base, c["name"]) for c in cases}
    json.dump(
        {"requests": requests.__version__, "urllib3": urllib3.__version__, "results": results},
        sys.stdout,
    )


main()
