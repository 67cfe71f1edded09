//! A request to an operation: the path past the base path, matched against every path
//! template; the most specific template that has the request's method wins.

use super::document::ApiDoc;
use super::template::{request_segments, Rank};

/// Where a request lands in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// The index of the operation in `ApiDoc::operations`.
    Operation(usize),
    Undocumented(Why),
}

/// Why a request matches no operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    /// The path is not under any of the document's base paths.
    OutsideBase,
    /// No path template matches.
    NoPath,
    /// A path matches (this one, as written in the document) but has no such method.
    NoMethod(String),
}

impl Why {
    pub fn describe(&self, doc: &ApiDoc) -> String {
        match self {
            Why::OutsideBase => format!(
                "outside the document's base path {}",
                doc.base_paths
                    .iter()
                    .map(|b| format!("`{b}`"))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
            Why::NoPath => "no such path in the document".into(),
            Why::NoMethod(path) => format!("`{path}` documents no such method"),
        }
    }

    /// `outside_base_path`, `no_path`, `no_method`: the JSON report's reason.
    pub fn code(&self) -> &'static str {
        match self {
            Why::OutsideBase => "outside_base_path",
            Why::NoPath => "no_path",
            Why::NoMethod(_) => "no_method",
        }
    }
}

/// The path of a request URL (percent-encoded, as sent), without query or fragment.
pub fn url_path(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.path().to_string(),
        Err(_) => {
            let path = url.split(['?', '#']).next().unwrap_or("");
            if path.starts_with('/') {
                path.to_string()
            } else {
                format!("/{path}")
            }
        }
    }
}

/// The operation `method` on `path` (a URL path as sent) belongs to.
pub fn route(doc: &ApiDoc, method: &str, path: &str) -> Route {
    let rest = if doc.base_paths.is_empty() {
        path
    } else {
        let under = doc.base_paths.iter().find_map(|base| {
            let rest = path.strip_prefix(base.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some(rest)
        });
        match under {
            Some("") => "/",
            Some(rest) => rest,
            None => return Route::Undocumented(Why::OutsideBase),
        }
    };
    let mut segments = request_segments(rest);
    let mut candidates = matching(doc, &segments);
    if candidates.is_empty() {
        // `/items/` for `/items`, and `/items` for `/items/`.
        if segments.len() > 1 && segments.last().is_some_and(String::is_empty) {
            segments.pop();
        } else {
            segments.push(String::new());
        }
        candidates = matching(doc, &segments);
    }
    let method = method.to_ascii_uppercase();
    for &(template, _) in &candidates {
        if let Some(i) = doc
            .operations
            .iter()
            .position(|o| o.template == template && o.method == method)
        {
            return Route::Operation(i);
        }
    }
    match candidates.first() {
        Some(&(template, _)) => Route::Undocumented(Why::NoMethod(
            doc.operations
                .iter()
                .find(|o| o.template == template)
                .map(|o| o.path.clone())
                .unwrap_or_default(),
        )),
        None => Route::Undocumented(Why::NoPath),
    }
}

/// The templates matching `segments`, the most specific first (document order breaks
/// ties).
fn matching(doc: &ApiDoc, segments: &[String]) -> Vec<(usize, Rank)> {
    let mut out: Vec<(usize, Rank)> = doc
        .templates
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.matches(segments).map(|rank| (i, rank)))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn doc(servers: &str, paths: &[(&str, &str)]) -> ApiDoc {
        let mut text =
            format!("openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\n{servers}paths:\n");
        for (path, methods) in paths {
            text.push_str(&format!("  '{path}':\n"));
            for m in methods.split(',') {
                text.push_str(&format!(
                    "    {m}: {{responses: {{'200': {{description: ok}}}}}}\n"
                ));
            }
        }
        ApiDoc::parse(Path::new("api.yaml"), &text, None).unwrap()
    }

    /// `METHOD path` of the operation a request lands on, or why it lands nowhere.
    fn lands(doc: &ApiDoc, method: &str, url: &str) -> String {
        match route(doc, method, &url_path(url)) {
            Route::Operation(i) => {
                let o = &doc.operations[i];
                format!("{} {}", o.method, o.path)
            }
            Route::Undocumented(why) => format!("undocumented: {}", why.code()),
        }
    }

    #[test]
    fn a_literal_path_wins_over_a_template_that_also_matches() {
        // Either order in the document.
        for paths in [
            [("/items/{id}", "get,put"), ("/items/search", "get")],
            [("/items/search", "get"), ("/items/{id}", "get,put")],
        ] {
            let d = doc("", &paths);
            assert_eq!(
                lands(&d, "GET", "http://h/items/search"),
                "GET /items/search"
            );
            assert_eq!(lands(&d, "GET", "http://h/items/42"), "GET /items/{id}");
            // `/items/search` has no PUT: the template that has one takes it.
            assert_eq!(lands(&d, "PUT", "http://h/items/search"), "PUT /items/{id}");
            assert_eq!(
                lands(&d, "DELETE", "http://h/items/42"),
                "undocumented: no_method"
            );
            assert_eq!(
                lands(&d, "GET", "http://h/items/42/parts"),
                "undocumented: no_path"
            );
            assert_eq!(lands(&d, "GET", "http://h/items"), "undocumented: no_path");
        }
    }

    #[test]
    fn the_leftmost_literal_decides_between_templates() {
        let d = doc(
            "",
            &[
                ("/{kind}/{id}", "get"),
                ("/users/{id}", "get"),
                ("/users/me", "get"),
                ("/{kind}/me", "get"),
                ("/files/{name}.{ext}", "get"),
                ("/files/{name}", "get"),
            ],
        );
        assert_eq!(lands(&d, "get", "http://h/users/me"), "GET /users/me");
        assert_eq!(lands(&d, "get", "http://h/users/7"), "GET /users/{id}");
        assert_eq!(lands(&d, "get", "http://h/teams/me"), "GET /{kind}/me");
        assert_eq!(lands(&d, "get", "http://h/teams/7"), "GET /{kind}/{id}");
        assert_eq!(
            lands(&d, "get", "http://h/files/a.tar.gz"),
            "GET /files/{name}.{ext}"
        );
        assert_eq!(
            lands(&d, "get", "http://h/files/README"),
            "GET /files/{name}"
        );
        // An empty segment is no parameter value.
        assert_eq!(
            lands(&d, "get", "http://h/users//"),
            "undocumented: no_path"
        );
    }

    #[test]
    fn a_trailing_slash_matches_the_path_without_one_and_back() {
        let d = doc(
            "",
            &[
                ("/items", "get"),
                ("/things/", "get"),
                ("/both", "get"),
                ("/both/", "put"),
            ],
        );
        assert_eq!(lands(&d, "GET", "http://h/items/"), "GET /items");
        assert_eq!(lands(&d, "GET", "http://h/things"), "GET /things/");
        // Where the document has both, each is its own path.
        assert_eq!(lands(&d, "GET", "http://h/both"), "GET /both");
        assert_eq!(lands(&d, "PUT", "http://h/both/"), "PUT /both/");
        assert_eq!(lands(&d, "PUT", "http://h/both"), "undocumented: no_method");
        let root = doc("", &[("/", "get")]);
        assert_eq!(lands(&root, "GET", "http://h/"), "GET /");
        assert_eq!(lands(&root, "GET", "http://h"), "GET /");
    }

    #[test]
    fn the_servers_base_path_comes_off_first() {
        let d = doc(
            "servers: [{url: 'https://api.example.com/api/v3'}, {url: /api}]\n",
            &[("/pet/{id}", "get"), ("/", "get")],
        );
        assert_eq!(
            lands(&d, "GET", "http://127.0.0.1:1/api/v3/pet/1"),
            "GET /pet/{id}"
        );
        assert_eq!(
            lands(&d, "GET", "http://127.0.0.1:1/api/pet/1"),
            "GET /pet/{id}"
        );
        assert_eq!(lands(&d, "GET", "http://127.0.0.1:1/api/v3"), "GET /");
        assert_eq!(lands(&d, "GET", "http://127.0.0.1:1/api/v3/"), "GET /");
        assert_eq!(
            lands(&d, "GET", "http://127.0.0.1:1/pet/1"),
            "undocumented: outside_base_path"
        );
        // A base path ends at a segment boundary.
        assert_eq!(
            lands(&d, "GET", "http://127.0.0.1:1/apix/pet/1"),
            "undocumented: outside_base_path"
        );
        // --openapi-prefix: the server under test has the paths at its root.
        let text = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: /api/v3}]\npaths: {'/pet/{id}': {get: {responses: {}}}}\n";
        let at_root = ApiDoc::parse(Path::new("a.yaml"), text, Some("/")).unwrap();
        assert_eq!(lands(&at_root, "GET", "http://h/pet/1"), "GET /pet/{id}");
    }

    #[test]
    fn percent_encoded_segments_are_compared_decoded() {
        let d = doc(
            "",
            &[
                ("/files/{path}", "get"),
                ("/files/a b", "put"),
                ("/caf\u{e9}", "get"),
            ],
        );
        // An encoded slash stays inside its segment: one parameter value.
        assert_eq!(
            lands(&d, "GET", "http://h/files/dir%2Fname.txt"),
            "GET /files/{path}"
        );
        assert_eq!(lands(&d, "PUT", "http://h/files/a%20b"), "PUT /files/a b");
        assert_eq!(lands(&d, "GET", "http://h/caf%C3%A9"), "GET /caf\u{e9}");
        assert_eq!(
            lands(&d, "GET", "http://h/files/dir/name.txt"),
            "undocumented: no_path"
        );
        assert_eq!(
            lands(&d, "GET", "http://h/files/x?q=%2F#frag"),
            "GET /files/{path}"
        );
    }
}
