//! The coverage as console text (no colour): the totals, the operations table, the
//! undocumented requests, the conformance warnings and the `--min-coverage` verdicts.

use std::fmt::Write;

use super::Coverage;

/// Above this many operations the table lists the exercised ones only (the JSON and HTML
/// reports list them all).
pub const MAX_LISTED: usize = 40;

pub fn text(c: &Coverage) -> String {
    let t = &c.totals;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "OpenAPI coverage of {} ({} {}): {} of {} operations exercised ({:.1}%); PUT: {} of {} ({:.1}%)",
        c.document.path,
        c.document.title,
        c.document.version,
        t.exercised,
        t.operations,
        t.percent,
        t.put_exercised,
        t.put_operations,
        t.put_percent
    );
    let listed: Vec<_> = if c.operations.len() > MAX_LISTED {
        c.operations.iter().filter(|o| o.exercised).collect()
    } else {
        c.operations.iter().collect()
    };
    if !listed.is_empty() {
        let rows: Vec<[String; 5]> = listed
            .iter()
            .map(|o| {
                [
                    format!(
                        "{} {} {}",
                        if o.exercised { "✓" } else { "✗" },
                        o.method,
                        o.path
                    ),
                    o.requests.to_string(),
                    join_or_dash(o.statuses_seen.iter().map(u16::to_string)),
                    join_or_dash(o.statuses_not_seen.iter().cloned()),
                    if o.method == "PUT" {
                        join_or_dash(o.checks.iter().map(|c| c.name().to_string()))
                    } else {
                        String::new()
                    },
                ]
            })
            .collect();
        let head = ["operation", "requests", "seen", "not seen", "PUT checks"];
        let mut widths = head.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut l = format!(
                "  {:<w0$}  {:>w1$}  {:<w2$}  {:<w3$}  {}",
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                cells[4],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2],
                w3 = widths[3],
            );
            l.truncate(l.trim_end().len());
            l
        };
        let _ = writeln!(out, "{}", line(head));
        for row in &rows {
            let _ = writeln!(
                out,
                "{}",
                line([&row[0], &row[1], &row[2], &row[3], &row[4]])
            );
        }
        if listed.len() < c.operations.len() {
            let _ = writeln!(
                out,
                "  ... and {} operations not exercised (listed in the JSON and HTML reports)",
                c.operations.len() - listed.len()
            );
        }
    }
    let by_method: Vec<String> = t
        .by_method
        .iter()
        .map(|m| format!("{} {}/{}", m.method, m.exercised, m.operations))
        .collect();
    let _ = writeln!(out, "  by method: {}", by_method.join(", "));
    if t.put_operations > 0 {
        let checks: Vec<String> = t
            .put_checks
            .iter()
            .map(|c| {
                format!(
                    "{} {}/{}",
                    c.check.name(),
                    c.put_operations,
                    t.put_operations
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "  PUT operations with each check: {}",
            checks.join(", ")
        );
    }
    if !c.undocumented.is_empty() {
        let _ = writeln!(
            out,
            "undocumented: {} request(s) match no operation",
            t.undocumented_requests
        );
        for u in &c.undocumented {
            let _ = writeln!(
                out,
                "  {} {} ({}) x{}, from {}",
                u.method,
                u.path,
                u.message,
                u.requests,
                u.tests.join(", ")
            );
        }
    }
    if !c.conformance.is_empty() {
        let what = if c.strict { "failure(s)" } else { "warning(s)" };
        let _ = writeln!(out, "conformance: {} {what}", c.conformance.len());
        for i in &c.conformance {
            let _ = writeln!(out, "  {}: {}", i.test, i.line());
        }
    }
    if c.unvalidated_bodies > 0 {
        let _ = writeln!(
            out,
            "note: {} JSON bod(ies) larger than the recorded 4 KiB were not validated",
            c.unvalidated_bodies
        );
    }
    for n in &c.notes {
        let _ = writeln!(out, "note: {n}");
    }
    for th in &c.min_coverage {
        let _ = writeln!(out, "{}", th.message);
    }
    out
}

fn join_or_dash(items: impl Iterator<Item = String>) -> String {
    let v: Vec<String> = items.collect();
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}
