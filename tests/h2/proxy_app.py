"""An ASGI app for hypercorn (tests/integration/http2.rs): it forwards every request to the demo
server named by PUTCHECK_DEMO (host:port) over HTTP/1.1 and answers with the demo's
response, adding `x-served-over: <the version hypercorn received it on>`; `/served-over`
answers that version as JSON. So the widget store's semantics are the demo's, while the
protocol the client spoke is hypercorn's to tell.
"""

import asyncio
import http.client
import json
import os

DEMO = os.environ["PUTCHECK_DEMO"]
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "content-length"}


def forward(method, target, headers, body):
    conn = http.client.HTTPConnection(DEMO, timeout=10)
    conn.request(method, target, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
    conn.close()
    return response.status, out, data


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    version = scope["http_version"]
    if scope["path"] == "/served-over":
        status, headers, data = 200, [("content-type", "application/json")], json.dumps({"version": version}).encode()
    else:
        target = scope["raw_path"].decode("latin-1")
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        fields = {}
        for k, v in scope["headers"]:
            name = k.decode("latin-1")
            if name in ("host",) or name.startswith(":"):
                continue
            fields[name] = f"{fields[name]}, {v.decode('latin-1')}" if name in fields else v.decode("latin-1")
        status, headers, data = await asyncio.to_thread(forward, scope["method"], target, fields, body)
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    headers.append((b"x-served-over", version.encode()))
    headers.append((b"content-length", str(len(data)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
