//! `--html`: one self-contained file, read in a real browser (headless Chromium) after
//! its script ran, and readable without the script.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::common::*;
use serde_json::json;

/// A suite with a pass, an idempotency failure (a diff), an expectation failure
/// (expected/actual), a transport error, a flaky test, and a name that is markup.
fn run_suite(specs: &Specs) -> (std::process::Output, TestServer) {
    let calls = Arc::new(AtomicU64::new(0));
    let flaky = Arc::new(AtomicU64::new(0));
    let server = TestServer::start(move |r| match r.path() {
        "/bump" => {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            Action::json(200, json!({"name": "widget", "version": n}))
        }
        "/flaky" if flaky.fetch_add(1, Ordering::SeqCst) == 0 => Action::json(503, json!({})),
        _ => Action::json(200, json!({"name": "widget", "echo": r.body_text()})),
    });
    let refused = RefusedPort::new();
    specs.write(
        "specs/items.yaml",
        &format!(
            r#"name: items
base_url: {base}
secrets: [API_TOKEN]
tests:
  - name: "<b>fine</b> & dandy"
    put: /ok
  - name: bumps a version
    put: /bump
    headers: {{ Authorization: "Bearer ${{API_TOKEN:-tok-fallback-99}}" }}
    json: {{ name: widget }}
  - name: wrong name
    put: /ok
    idempotency: false
    expect:
      json:
        $.name: gadget
  - name: refused
    put: {refused}/x
    idempotency: false
  - name: flaky
    put: /flaky
    idempotency: false
    expect: {{ status: 200 }}
    retry: {{ count: 1, interval: 10ms }}
"#,
            base = server.base(),
            refused = refused.url(),
        ),
    );
    let out = specs.run(&["specs", "--html", "out/report.html"]);
    (out, server)
}

/// The opening tag of each results row, in order.
fn rows(dom: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"<tr class="test"[^>]*>"#).expect("regex");
    re.find_iter(dom).map(|m| m.as_str().to_string()).collect()
}

#[test]
fn the_html_report_is_self_contained_escaped_and_masks_secrets() {
    let specs = Specs::new();
    let (out, _server) = run_suite(&specs);
    assert_exit(&out, 1);
    let html = std::fs::read_to_string(specs.path("out/report.html")).expect("report written");
    // Nothing to fetch: no external scripts, styles, fonts or images.
    for external in ["<script src", "<link", "@import", "url(", "<img"] {
        assert!(!html.contains(external), "{external} in the report");
    }
    // Names are text, never markup.
    assert!(
        html.contains("&lt;b&gt;fine&lt;/b&gt; &amp; dandy"),
        "{html}"
    );
    assert!(!html.contains("<b>fine</b>"));
    // A secret's fallback value is a secret too.
    assert!(!html.contains("tok-fallback-99"), "{html}");
    assert!(html.contains("Authorization: ***"), "{html}");
    // Readable without JavaScript: every row is there and the filters (which need the
    // script) start hidden.
    assert_eq!(rows(&html).len(), 5);
    assert!(html.contains(r#"<div id="filters" hidden"#), "{html}");
}

#[test]
fn the_html_report_renders_in_chromium_with_filters_and_details() {
    let Some(browser) = chromium() else {
        missing_component(
            "the_html_report_renders_in_chromium_with_filters_and_details",
            "chromium",
            "apt-get install chromium; .ci/run installs it",
        );
        return;
    };
    let specs = Specs::new();
    let (out, _server) = run_suite(&specs);
    assert_exit(&out, 1);
    let file = specs.path("out/report.html");

    let dom = rendered_dom(browser, &file, "");
    assert!(
        dom.contains(r#"data-script="ready""#),
        "the script ran: {dom}"
    );
    assert!(
        !dom.contains(r#"<div id="filters" hidden"#),
        "the script shows the filters"
    );
    // The summary bar.
    for count in [
        r#"data-count="passed"><b>1</b> passed"#,
        r#"data-count="failed"><b>2</b> failed"#,
        r#"data-count="errored"><b>1</b> error<"#,
        r#"data-count="flaky"><b>1</b> flaky"#,
        r#"data-count="time"><b>"#,
    ] {
        assert!(dom.contains(count), "missing {count} in {dom}");
    }
    // Every test in the table, none hidden.
    let all = rows(&dom);
    assert_eq!(all.len(), 5, "{dom}");
    assert!(all.iter().all(|r| !r.contains("hidden")), "{all:?}");
    // A failure shows what the console shows: where, expected/actual, JSONPaths, the
    // diff with the changed words marked, and the exchange.
    for part in [
        "items.yaml::bumps a version",
        "--&gt; <code>",
        r#"<dd class="expected"><code>"gadget" (string)</code></dd>"#,
        r#"<dd class="actual"><code>"widget" (string)</code></dd>"#,
        r#"<code class="path">$.version</code>"#,
        "<mark>0</mark>",
        "<mark>1</mark>",
        "response to send 2",
        "HTTP/1.1 200 OK",
        "passed on attempt 2 of a retried test",
        "no response:",
    ] {
        assert!(dom.contains(part), "missing {part} in {dom}");
    }
    assert!(!dom.contains("tok-fallback-99"));

    // Filtering (from the address, as a link to the failures would): only failed and
    // errored rows stay visible.
    let dom = rendered_dom(browser, &file, "#filter=problems");
    assert!(dom.contains(r#"data-filter="problems""#), "{dom}");
    let shown: Vec<String> = rows(&dom)
        .into_iter()
        .filter(|r| !r.contains("hidden"))
        .collect();
    assert_eq!(shown.len(), 3, "{shown:?}");
    assert!(
        shown
            .iter()
            .all(|r| r.contains(r#"data-outcome="failed""#)
                || r.contains(r#"data-outcome="errored""#))
    );

    // Sorting by time: slowest first.
    let dom = rendered_dom(browser, &file, "#sort=time");
    let times: Vec<f64> = rows(&dom)
        .iter()
        .map(|r| {
            let t = r.split("data-time=\"").nth(1).expect("data-time");
            t[..t.find('"').expect("quote")].parse().expect("a number")
        })
        .collect();
    assert_eq!(times.len(), 5);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    assert!(dom.contains(r#"aria-sort="descending""#));
}
