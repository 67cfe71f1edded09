//! Real HTTP against the embedded demo server.

use std::sync::{Arc, Barrier};

use putcheck::demo::DemoServer;
use serde_json::{json, Value};

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        let found = self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name));
        found.map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn start() -> DemoServer {
    DemoServer::start("127.0.0.1:0").unwrap()
}

/// Sends a request and returns the response whatever its status (ureq 2 makes ≥ 400 an `Err`).
fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Resp {
    let mut request = ureq::request(method, url);
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let result = match body {
        Some(body) => request.send_bytes(body),
        None => request.call(),
    };
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {url}: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = response.header(&n).unwrap_or_default().to_string();
            (n, v)
        })
        .collect();
    Resp {
        status,
        headers,
        body: response.into_string().unwrap(),
    }
}

fn put_json(url: &str, body: &Value) -> Resp {
    let body = body.to_string();
    send(
        "PUT",
        url,
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    )
}

fn get(url: &str) -> Resp {
    send("GET", url, &[], None)
}

#[test]
fn bind_error_names_the_address() {
    let first = start();
    let taken = first.addr().to_string();
    let err = DemoServer::start(&taken).err().unwrap().to_string();
    assert!(
        err.contains(&format!("`{taken}`")) && err.contains("another process"),
        "{err}"
    );
    assert_eq!(first.base_url(), format!("http://{taken}"));
}

#[test]
fn echo_args_json_and_headers() {
    let server = start();
    let url = format!("{}/put?a=1&b=x%20y&a=2", server.base_url());
    let r = send(
        "PUT",
        &url,
        &[
            ("content-type", "application/json"),
            ("x-custom-thing", "v"),
        ],
        Some(br#"{"k": [1, 2]}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    let echo = r.json();
    assert_eq!(echo["args"], json!({"a": ["1", "2"], "b": "x y"}));
    assert_eq!(echo["json"], json!({"k": [1, 2]}));
    assert_eq!(echo["data"], r#"{"k": [1, 2]}"#);
    assert_eq!(echo["headers"]["X-Custom-Thing"], "v");
    assert_eq!(echo["headers"]["Content-Type"], "application/json");
    assert_eq!(echo["origin"], "127.0.0.1");
    assert_eq!(
        echo["url"],
        format!("http://{}/put?a=1&b=x%20y&a=2", server.addr())
    );
    assert_eq!(
        (echo["form"].clone(), echo["files"].clone()),
        (json!({}), json!({}))
    );

    let text = send("PUT", &url, &[], Some(b"not json"));
    assert_eq!(
        (text.json()["json"].clone(), text.json()["data"].clone()),
        (Value::Null, json!("not json"))
    );
}

#[test]
fn echo_routes_and_methods() {
    let server = start();
    let base = server.base_url();
    for (method, path) in [
        ("POST", "/post"),
        ("PATCH", "/patch"),
        ("DELETE", "/delete"),
        ("GET", "/get"),
    ] {
        assert_eq!(
            send(method, &format!("{base}{path}"), &[], None).status,
            200,
            "{path}"
        );
    }
    for method in ["GET", "PUT", "OPTIONS"] {
        assert_eq!(
            send(method, &format!("{base}/anything/x/y"), &[], None).status,
            200
        );
    }
    let wrong = send("GET", &format!("{base}/put"), &[], None);
    assert_eq!((wrong.status, wrong.header("Allow")), (405, Some("PUT")));
    let wrong = send("POST", &format!("{base}/items/1"), &[], None);
    assert_eq!(
        (wrong.status, wrong.header("Allow")),
        (405, Some("GET, PUT, DELETE, HEAD"))
    );
    let missing = get(&format!("{base}/nope"));
    assert_eq!(
        (missing.status, missing.json()),
        (404, json!({"error": "not found"}))
    );
    let index = get(&format!("{base}/"));
    assert!(index.json()["endpoints"]["/racy/{id}"].is_string());
}

#[test]
fn echo_form_and_multipart() {
    let server = start();
    let url = format!("{}/post", server.base_url());
    let form = send(
        "POST",
        &url,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        Some(b"name=J%C3%BCrgen+X&tag=a&tag=b"),
    );
    assert_eq!(
        form.json()["form"],
        json!({"name": "Jürgen X", "tag": ["a", "b"]})
    );

    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n\
        --XyZ\r\nContent-Disposition: form-data; name=\"doc\"; filename=\"a.txt\"\r\n\
        Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
    let multipart = send(
        "POST",
        &url,
        &[("Content-Type", "multipart/form-data; boundary=XyZ")],
        Some(body),
    );
    assert_eq!(multipart.status, 200);
    let echo = multipart.json();
    assert_eq!(echo["form"], json!({"title": "Hello"}));
    assert_eq!(echo["files"], json!({"doc": "line1\r\nline2"}));

    let truncated = &body[..body.len() - 12];
    let bad = send(
        "POST",
        &url,
        &[("Content-Type", "multipart/form-data; boundary=XyZ")],
        Some(truncated),
    );
    assert_eq!(bad.status, 400);
    assert!(
        bad.json()["error"].as_str().unwrap().contains("multipart"),
        "{}",
        bad.body
    );
    let no_boundary = send(
        "POST",
        &url,
        &[("Content-Type", "multipart/form-data")],
        Some(body),
    );
    assert_eq!(no_boundary.status, 400);
    // The server must still be alive after malformed input.
    assert_eq!(get(&format!("{}/get", server.base_url())).status, 200);
}

#[test]
fn items_follow_put_semantics() {
    let server = start();
    let url = format!("{}/items/42", server.base_url());
    let body = json!({"name": "Widget", "price": 3});

    let created = put_json(&url, &body);
    assert_eq!(created.status, 201);
    assert_eq!(created.header("Location"), Some("/items/42"));
    assert_eq!(
        created.json(),
        json!({"id": "42", "name": "Widget", "price": 3})
    );
    let etag = created.header("ETag").unwrap().to_string();

    let replaced = put_json(&url, &json!({"price": 3, "name": "Widget"}));
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.header("Location"), None);
    assert_eq!(
        replaced.header("ETag"),
        Some(etag.as_str()),
        "key order must not change the ETag"
    );

    let fetched = get(&url);
    assert_eq!(
        (fetched.status, fetched.header("ETag")),
        (200, Some(etag.as_str()))
    );
    assert_eq!(fetched.json()["name"], "Widget");

    let stale = send("PUT", &url, &[("If-Match", "\"0000\"")], Some(b"{}"));
    assert_eq!(stale.status, 412);
    let fresh = send(
        "PUT",
        &url,
        &[("If-Match", &etag)],
        Some(br#"{"name": "Gadget"}"#),
    );
    assert_eq!(fresh.status, 200);
    assert_ne!(fresh.header("ETag"), Some(etag.as_str()));
    assert_eq!(
        send("DELETE", &url, &[("If-Match", &etag)], None).status,
        412
    );

    assert_eq!(send("DELETE", &url, &[], None).status, 204);
    assert_eq!(get(&url).status, 404);
    assert_eq!(send("DELETE", &url, &[], None).status, 404);
    assert_eq!(
        send("PUT", &url, &[("If-Match", "*")], Some(b"{}")).status,
        412
    );

    assert_eq!(send("PUT", &url, &[], Some(b"{oops")).status, 400);
    assert_eq!(send("PUT", &url, &[], Some(b"[1]")).status, 400);
    let huge = vec![b' '; (1 << 20) + 1];
    assert_eq!(send("PUT", &url, &[], Some(&huge)).status, 413);
}

#[test]
fn status_endpoint() {
    let server = start();
    let base = server.base_url();
    let teapot = send("PATCH", &format!("{base}/status/418"), &[], None);
    assert_eq!(
        (teapot.status, teapot.json()),
        (418, json!({"status": 418}))
    );
    let created = send("PUT", &format!("{base}/status/201"), &[], Some(b"{}"));
    assert_eq!(created.status, 201);
    let empty = get(&format!("{base}/status/204"));
    assert_eq!((empty.status, empty.body.as_str()), (204, ""));
    assert_eq!(get(&format!("{base}/status/600")).status, 400);
    assert_eq!(get(&format!("{base}/status/abc")).status, 400);
}

#[test]
fn versioned_increments_on_every_put() {
    let server = start();
    let url = format!("{}/versioned/v1", server.base_url());
    let body = json!({"name": "x"});
    let versions: Vec<_> = (0..3)
        .map(|_| put_json(&url, &body).json()["version"].clone())
        .collect();
    assert_eq!(versions, [json!(1), json!(2), json!(3)]);
    assert_eq!(
        get(&url).json(),
        json!({"id": "v1", "name": "x", "version": 3})
    );
}

#[test]
fn stamped_changes_on_every_put() {
    let server = start();
    let url = format!("{}/stamped/s1", server.base_url());
    let body = json!({"name": "x"});
    let first = put_json(&url, &body);
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = put_json(&url, &body);
    assert_eq!((first.status, second.status), (201, 200));
    let (a, b) = (first.json(), second.json());
    assert_ne!(a["updated_at"], b["updated_at"]);
    assert_ne!(a["request_id"], b["request_id"]);
    assert_eq!(
        (a["name"].clone(), b["name"].clone()),
        (json!("x"), json!("x"))
    );
    let stamp = a["updated_at"].as_str().unwrap();
    assert!(
        stamp.len() == 24 && stamp.ends_with('Z') && stamp.as_bytes()[19] == b'.',
        "{stamp}"
    );
}

#[test]
fn lossy_get_disagrees_with_put() {
    let server = start();
    let url = format!("{}/lossy/l1", server.base_url());
    let body = json!({"name": "Widget", "tags": ["a"], "price": 3});
    let put = put_json(&url, &body);
    assert_eq!(put.status, 201);
    assert_eq!(
        put.json(),
        json!({"id": "l1", "name": "Widget", "tags": ["a"], "price": 3})
    );
    assert_eq!(
        get(&url).json(),
        json!({"id": "l1", "name": "widget", "price": 3})
    );
}

#[test]
fn unstable_etag_changes_every_time() {
    let server = start();
    let url = format!("{}/unstable-etag/u1", server.base_url());
    let body = json!({"name": "x"});
    let tags = [put_json(&url, &body), put_json(&url, &body), get(&url)]
        .map(|r| r.header("ETag").unwrap().to_string());
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );
}

#[test]
fn racy_is_idempotent_only_one_at_a_time() {
    let server = start();
    let body = json!({"name": "x"});

    let url = format!("{}/racy/sequential", server.base_url());
    let first = put_json(&url, &body);
    let second = put_json(&url, &body);
    assert_eq!((first.status, second.status), (201, 200));
    assert_eq!(get(&url).json()["revision"], 1);

    let url = format!("{}/racy/concurrent", server.base_url());
    let barrier = Arc::new(Barrier::new(2));
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (barrier, url, body) = (Arc::clone(&barrier), url.clone(), body.clone());
            std::thread::spawn(move || {
                barrier.wait();
                put_json(&url, &body).json()["revision"].clone()
            })
        })
        .collect();
    let mut revisions: Vec<_> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    revisions.sort_by_key(|r| r.as_u64());
    assert_eq!(revisions, [json!(1), json!(2)]);
    assert_eq!(get(&url).json()["revision"], 2);
}

#[test]
fn drop_stops_the_server() {
    let server = start();
    let addr = server.addr();
    drop(server);
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(2))
        .build();
    assert!(agent.get(&format!("http://{addr}/")).call().is_err());
}

#[test]
fn widgets_replace_validate_and_honour_preconditions() {
    let server = start();
    let url = format!("{}/widgets/w1", server.base_url());
    let body = json!({"name": "gadget", "size": 3});
    let created = put_json(&url, &body);
    assert_eq!(created.status, 201);
    let created_at = created.json()["created_at"].clone();
    assert!(created_at.is_string());
    // A replacement keeps the server's own field and drops what was not sent.
    let replaced = put_json(&url, &json!({"name": "other"}));
    assert_eq!(replaced.status, 200);
    assert_eq!(
        get(&url).json(),
        json!({"id": "w1", "name": "other", "created_at": created_at})
    );
    let bad = put_json(&url, &json!({"name": "other", "size": "three"}));
    assert_eq!(bad.status, 422);
    assert_eq!(get(&url).json()["name"], "other");
    let json_type = ("Content-Type", "application/json");
    let stale = send(
        "PUT",
        &url,
        &[json_type, ("If-Match", "\"putcheck-stale\"")],
        Some(br#"{"name":"stale"}"#),
    );
    assert_eq!(stale.status, 412);
    let exists = send(
        "PUT",
        &url,
        &[json_type, ("If-None-Match", "*")],
        Some(br#"{"name":"again"}"#),
    );
    assert_eq!(exists.status, 412);
    assert_eq!(get(&url).json()["name"], "other");
}

#[test]
fn each_broken_probe_endpoint_breaks_its_probe() {
    let server = start();
    let base = server.base_url();
    // Merging keeps a field the next PUT left out.
    put_json(&format!("{base}/merging/m"), &json!({"a": 1, "b": 2}));
    put_json(&format!("{base}/merging/m"), &json!({"a": 3}));
    assert_eq!(get(&format!("{base}/merging/m")).json()["b"], 2);
    // Recreating answers 201 every time.
    for _ in 0..2 {
        assert_eq!(
            put_json(&format!("{base}/recreating/r"), &json!({})).status,
            201
        );
    }
    // Ignores-if-match accepts a stale If-Match.
    let url = format!("{base}/ignores-if-match/i");
    put_json(&url, &json!({"a": 1}));
    let stale = send(
        "PUT",
        &url,
        &[("Content-Type", "application/json"), ("If-Match", "\"x\"")],
        Some(br#"{"a":2}"#),
    );
    assert_eq!(stale.status, 200);
    // Lenient refuses a bad size, and stores it.
    let url = format!("{base}/lenient/l");
    put_json(&url, &json!({"size": 1}));
    assert_eq!(put_json(&url, &json!({"size": "x"})).status, 422);
    assert_eq!(get(&url).json()["size"], "x");
}

#[test]
fn orders_replay_by_idempotency_key() {
    let server = start();
    let post = |path: &str, key: &str, body: &str| {
        send(
            "POST",
            &format!("{}{path}", server.base_url()),
            &[
                ("Content-Type", "application/json"),
                ("Idempotency-Key", key),
            ],
            Some(body.as_bytes()),
        )
    };
    let first = post("/orders", "k1", r#"{"q":1}"#);
    assert_eq!(first.status, 201);
    let again = post("/orders", "k1", r#"{"q":1}"#);
    assert_eq!((again.status, again.json()), (201, first.json()));
    assert_eq!(post("/orders", "k1", r#"{"q":2}"#).status, 422);
    assert_ne!(post("/orders", "k2", r#"{"q":1}"#).json(), first.json());
    let a = post("/orders-unkeyed", "k1", r#"{"q":1}"#);
    let b = post("/orders-unkeyed", "k1", r#"{"q":1}"#);
    assert_ne!(a.json()["id"], b.json()["id"]);
}

#[test]
fn delay_answers_no_sooner_than_asked_with_the_echo_and_refuses_a_bad_delay() {
    let server = start();
    let started = std::time::Instant::now();
    let r = put_json(&format!("{}/delay/60", server.base_url()), &json!({"a": 1}));
    // A lower bound only (the endpoint's promise); how close it comes is a benchmark's
    // business (bench/compare.sh).
    assert!(started.elapsed() >= std::time::Duration::from_millis(60));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["json"], json!({"a": 1}));
    for bad in ["soon", "10001"] {
        let r = get(&format!("{}/delay/{bad}", server.base_url()));
        assert_eq!(r.status, 400, "/delay/{bad}");
    }
}
