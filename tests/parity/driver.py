"""Sends each case of a parity run through Python's requests, for tests/integration/requests_parity.rs.

Input (the file named by argv[1]): {"cases": [case, ...]}, each case an *intent* in the
spec's own key names: {"id", "method", "url", "defaults"?, "params"?, "headers"?,
"cookies"?, "json"?, "data"?, "files"?, "auth"?, "proxies"?, "allow_redirects"?}.
`defaults` become a requests.Session's settings, as putcheck's `defaults:` are meant to.

Output (stdout, one JSON object): {"python", "requests", "urllib3": versions, "results":
{id: {"error": str | null, "json_default": str | null, "json_compact": str | null}}},
where the json_* fields are json.dumps of the `json` intent as requests writes it and in
the compact UTF-8 form putcheck promises, for the comparison of JSON bodies.
"""

import json
import os
import sys

import requests
import urllib3


def files_arg(files, base):
    out = []
    for part in files:
        field = part["field"]
        if "path" in part:
            path = os.path.join(base, part["path"])
            with open(path, "rb") as f:
                content = f.read()
            name = part.get("filename", os.path.basename(path))
        else:
            content = part["content"].encode("utf-8")
            name = part.get("filename", field)
        if "content_type" in part:
            out.append((field, (name, content, part["content_type"])))
        else:
            out.append((field, (name, content)))
    return out


def send(case, base):
    session = requests.Session()
    session.trust_env = False
    defaults = case.get("defaults", {})
    if "headers" in defaults:
        session.headers.update(defaults["headers"])
    if "params" in defaults:
        session.params = dict(defaults["params"])
    if "cookies" in defaults:
        for k, v in defaults["cookies"].items():
            session.cookies.set(k, v)
    kwargs = {}
    for key in ("params", "cookies", "proxies", "allow_redirects"):
        if key in case:
            kwargs[key] = case[key]
    headers = dict(case.get("headers", {}))
    if "json" in case:
        kwargs["json"] = case["json"]
    if "data" in case:
        kwargs["data"] = case["data"]
    if "files" in case:
        kwargs["files"] = files_arg(case["files"], base)
    auth = case.get("auth")
    if auth and "basic" in auth:
        kwargs["auth"] = tuple(auth["basic"])
    elif auth and "bearer" in auth:
        headers["Authorization"] = "Bearer " + auth["bearer"]
    if headers:
        kwargs["headers"] = headers
    kwargs["timeout"] = 10
    session.request(case["method"], case["url"], **kwargs)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    base = os.path.dirname(os.path.abspath(sys.argv[1]))
    results = {}
    for case in cases:
        result = {"error": None, "json_default": None, "json_compact": None}
        if "json" in case:
            result["json_default"] = json.dumps(case["json"], allow_nan=False)
            result["json_compact"] = json.dumps(
                case["json"], separators=(",", ":"), ensure_ascii=False, allow_nan=False
            )
        try:
            send(case, base)
        except Exception as e:  # a refused CONNECT, for one: the request is what counts
            result["error"] = "%s: %s" % (type(e).__name__, e)
        results[case["id"]] = result
    json.dump(
        {
            "python": sys.version.split()[0],
            "requests": requests.__version__,
            "urllib3": urllib3.__version__,
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
