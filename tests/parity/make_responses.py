"""Writes tests/fixtures/responses.json: the raw responses that tests/integration/response_parity.rs
serves to Python's requests and to putcheck (and that seed the response reader's property
test). Run it from the repository root after changing a case: python3 tests/parity/make_responses.py

Each case: {"name", "raw": the response bytes as a Latin-1 string, "note": what it
exercises, and one of: (nothing) both read it the same; "error": {"requests": exception
class, "putcheck": HttpErrorKind} both refuse it; "differs": words that
docs/coming-from-requests.md must contain, where putcheck departs from requests on purpose}.
"""

import gzip
import json
import zlib

CRLF = "\r\n"


def resp(status_line, headers, body=b""):
    head = status_line + CRLF + "".join(h + CRLF for h in headers) + CRLF
    return head.encode("latin-1") + body


def ok(status_line, headers, body=b""):
    return resp(status_line, headers + [f"Content-Length: {len(body)}"], body)


JSON = "Content-Type: application/json"
GZ = gzip.compress(b'{"a":1}', mtime=0)
ZL = zlib.compress(b'{"a":1}')
RAW_DEFLATE = zlib.compress(b'{"a":1}')[2:-4]
BIG = b"x" * 100_000

cases = [
    ("content-length", ok("HTTP/1.1 200 OK", [JSON], b'{"a":1}'), "the plain case"),
    ("no-reason", ok("HTTP/1.1 200", [], b"{}"), "a status line without a reason phrase"),
    ("empty-reason", ok("HTTP/1.1 200 ", [], b"{}"), "a reason phrase that is empty"),
    ("custom-reason", ok("HTTP/1.1 299 Fine By Me", [], b"{}"), "an unregistered status and its own reason"),
    ("latin1-reason", ok("HTTP/1.1 200 Tr\xe8s bien", [], b"{}"), "a reason with a byte above 0x7F"),
    ("spaced-status-line", ok("HTTP/1.1  200  OK", [], b"{}"), "several spaces between the status line's parts"),
    ("status-999", ok("HTTP/1.1 999 Weird", [], b"{}"), "the highest three-digit status"),
    ("http10-close", resp("HTTP/1.0 200 OK", [JSON], b'{"a":1}'), "an HTTP/1.0 body that runs to the close"),
    ("http10-length", ok("HTTP/1.0 200 OK", [JSON, "Connection: keep-alive"], b'{"a":1}'), "HTTP/1.0 with a length"),
    ("http11-close-delimited", resp("HTTP/1.1 200 OK", [JSON, "Connection: close"], b'{"a":1}'), "HTTP/1.1 without a length, to the close"),
    ("connection-close", ok("HTTP/1.1 200 OK", ["Connection: close"], b"{}"), "a length and Connection: close"),
    ("bare-lf", b"HTTP/1.1 200 OK\nContent-Length: 2\n\n{}", "line ends without CR"),
    ("chunked", resp("HTTP/1.1 200 OK", [JSON, "Transfer-Encoding: chunked"], b'4\r\n{"a"\r\n3\r\n:1}\r\n0\r\n\r\n'), "a chunked body"),
    ("chunked-extensions", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b'2;name=value;x\r\n{}\r\n0;last\r\n\r\n'), "chunk extensions"),
    ("chunked-trailers", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\nX-Checksum: 1\r\nX-Other: 2\r\n\r\n"), "trailer fields"),
    ("chunked-uppercase-hex", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"A\r\n0123456789\r\n0\r\n\r\n"), "an upper-case hex size"),
    ("chunked-leading-zeros", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"0002\r\n{}\r\n0000\r\n\r\n"), "sizes with leading zeros"),
    ("chunked-many", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"1\r\na\r\n" * 200 + b"0\r\n\r\n"), "many one-byte chunks"),
    ("chunked-no-trailer-end", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\n"), "the close instead of the blank line after the last chunk"),
    ("chunked-uppercase-coding", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: Chunked"], b"2\r\n{}\r\n0\r\n\r\n"), "the coding's name in another case"),
    ("chunked-over-length", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked", "Content-Length: 3"], b"2\r\n{}\r\n0\r\n\r\n"), "Transfer-Encoding and Content-Length: chunked wins"),
    ("chunked-http10", resp("HTTP/1.0 200 OK", ["Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\n\r\n"), "Transfer-Encoding in HTTP/1.0"),
    ("transfer-coding-not-chunked", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: x-custom"], b"raw until close"), "a transfer coding other than chunked: to the close"),
    ("length-list-same", ok("HTTP/1.1 200 OK", ["Content-Length: 2"], b"{}").replace(b"Content-Length: 2", b"Content-Length: 2, 2"), "a list of one length twice"),
    ("length-fields-same", resp("HTTP/1.1 200 OK", ["Content-Length: 2", "Content-Length: 2"], b"{}"), "two fields of the same length"),
    ("length-longer-than-needed", resp("HTTP/1.1 200 OK", ["Content-Length: 2"], b"{}trailing garbage"), "bytes after the announced length"),
    ("big-body", ok("HTTP/1.1 200 OK", [], BIG), "100 kB with a length"),
    ("no-content", resp("HTTP/1.1 204 No Content", []), "204, no body"),
    ("no-content-announcing", resp("HTTP/1.1 204 No Content", ["Content-Length: 5"], b""), "204 that announces a length"),
    ("not-modified", resp("HTTP/1.1 304 Not Modified", ['ETag: "v1"']), "304, no body"),
    ("interim-continue", resp("HTTP/1.1 100 Continue", []) + ok("HTTP/1.1 201 Created", [], b"{}"), "100 Continue, then the answer"),
    ("redirect-not-followed", ok("HTTP/1.1 301 Moved Permanently", ["Location: /elsewhere"], b""), "a 3xx, with redirects off"),
    ("folded-header", ok("HTTP/1.1 200 OK", ["X-Folded: a", " b", "\tc"], b"{}"), "an obsolete line fold"),
    ("header-latin1", ok("HTTP/1.1 200 OK", ["X-Name: caf\xe9"], b"{}"), "a Latin-1 header value"),
    ("header-empty", ok("HTTP/1.1 200 OK", ["X-Empty:"], b"{}"), "an empty header value"),
    ("header-spaces", ok("HTTP/1.1 200 OK", ["X-Spaced:    value with  spaces   "], b"{}"), "whitespace around a value"),
    ("header-no-space", ok("HTTP/1.1 200 OK", ["X-Tight:value"], b"{}"), "no space after the colon"),
    ("header-repeated", ok("HTTP/1.1 200 OK", ["Set-Cookie: a=1", "Set-Cookie: b=2", "X-Multi: x", "X-Multi: y"], b"{}"), "repeated fields"),
    ("header-case", ok("HTTP/1.1 200 OK", ["x-lower: 1", "X-UPPER: 2", "X-MiXeD: 3"], b"{}"), "names in any case"),
    ("gzip", ok("HTTP/1.1 200 OK", [JSON, "Content-Encoding: gzip"], GZ), "a gzip body"),
    ("gzip-chunked", resp("HTTP/1.1 200 OK", [JSON, "Content-Encoding: gzip", "Transfer-Encoding: chunked"], b"%x\r\n" % len(GZ) + GZ + b"\r\n0\r\n\r\n"), "a gzip body in chunks"),
    ("deflate-zlib", ok("HTTP/1.1 200 OK", [JSON, "Content-Encoding: deflate"], ZL), "deflate as RFC 9110 says (zlib)"),
    ("deflate-raw", ok("HTTP/1.1 200 OK", [JSON, "Content-Encoding: deflate"], RAW_DEFLATE), "deflate as some servers send it (raw)"),
    ("gzip-no-content", resp("HTTP/1.1 204 No Content", ["Content-Encoding: gzip"]), "204 with a Content-Encoding"),
    ("gzip-empty", ok("HTTP/1.1 200 OK", ["Content-Encoding: gzip"], b""), "an empty body with a Content-Encoding"),
    ("transfer-encoding-split", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: x-custom", "Transfer-Encoding: chunked"], b"2\r\n{}\r\n0\r\n\r\n"), "Transfer-Encoding over two fields: chunked last"),
    ("identity-encoding", ok("HTTP/1.1 200 OK", ["Content-Encoding: identity"], b"{}"), "the identity coding"),
    # Both refuse these.
    ("length-conflict", resp("HTTP/1.1 200 OK", ["Content-Length: 2", "Content-Length: 9"], b"{}"), "two lengths",
     {"error": {"requests": "InvalidHeader", "putcheck": "protocol"}}),
    ("length-cut-short", resp("HTTP/1.1 200 OK", ["Content-Length: 9"], b"{}"), "fewer bytes than announced, then the close",
     {"error": {"requests": "ChunkedEncodingError", "putcheck": "io"}}),
    ("chunked-cut-short", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"5\r\nab"), "a chunk cut off by the close",
     {"error": {"requests": "ChunkedEncodingError", "putcheck": "io"}}),
    ("chunked-bad-size", resp("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], b"zz\r\nab\r\n"), "a chunk size that is not hex",
     {"error": {"requests": "ChunkedEncodingError", "putcheck": "protocol"}}),
    ("gzip-corrupt", ok("HTTP/1.1 200 OK", ["Content-Encoding: gzip"], b"not gzip at all"), "a body that is not the coding it says",
     {"error": {"requests": "ContentDecodingError", "putcheck": "encoding"}}),
    ("not-http", b"SSH-2.0-OpenSSH_9.6\r\n", "another protocol",
     {"error": {"requests": "ConnectionError", "putcheck": "protocol"}}),
    ("nothing", b"", "the close before any byte",
     {"error": {"requests": "ConnectionError", "putcheck": "io"}}),
    ("status-two-digits", ok("HTTP/1.1 20 OK", [], b"{}"), "a status of two digits",
     {"error": {"requests": "ConnectionError", "putcheck": "protocol"}}),
    ("http2-status-line", ok("HTTP/2.0 200 OK", [], b"{}"), "an HTTP/2 status line over HTTP/1.1",
     {"error": {"requests": "ConnectionError", "putcheck": "protocol"}}),
    ("head-cut-short", b"HTTP/1.1 200 OK\r\nContent-Le", "the close in the middle of the head",
     {"differs": "a head cut off by the close"}),
    ("interim-processing", resp("HTTP/1.1 102 Processing", []) + ok("HTTP/1.1 200 OK", [], b"{}"), "102, then the answer",
     {"differs": "interim responses other than 100"}),
    ("interim-two", resp("HTTP/1.1 100 Continue", []) + resp("HTTP/1.1 103 Early Hints", ["Link: </s.css>; rel=preload"]) + ok("HTTP/1.1 200 OK", [], b"{}"), "two interim responses",
     {"differs": "interim responses other than 100"}),
    # putcheck departs from requests on purpose (docs/coming-from-requests.md says why).
    ("length-signed", resp("HTTP/1.1 200 OK", ["Content-Length: +2"], b"{}"), "a sign before the length",
     {"differs": "a `Content-Length` that is not all digits"}),
    ("length-not-a-number", resp("HTTP/1.1 200 OK", ["Content-Length: two"], b"{}"), "a length that is not a number",
     {"differs": "a `Content-Length` that is not all digits"}),
    ("utf8-reason", ok("HTTP/1.1 200 Tr\xc3\xa8s bien", [], b"{}"), "a reason phrase in UTF-8",
     {"differs": "reason phrases and header values that are valid UTF-8"}),
    ("header-utf8", ok("HTTP/1.1 200 OK", ["X-Name: caf\xc3\xa9"], b"{}"), "a UTF-8 header value",
     {"differs": "reason phrases and header values that are valid UTF-8"}),
]

out = []
for case in cases:
    name, raw, note = case[0], case[1], case[2]
    entry = {"name": name, "note": note, "raw": raw.decode("latin-1")}
    if len(case) > 3:
        entry.update(case[3])
    out.append(entry)

with open("tests/fixtures/responses.json", "w", encoding="utf-8") as f:
    json.dump({"cases": out}, f, indent=1, ensure_ascii=True)
    f.write("\n")
print(f"{len(out)} cases")
