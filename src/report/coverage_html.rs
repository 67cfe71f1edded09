//! The HTML report's OpenAPI section (`--openapi`): the totals, then the operations as
//! rows and putcheck's PUT checks as columns, the unexercised operations first; then the
//! undocumented requests and the conformance problems. Escaped by maud like the rest.

use maud::{html, Markup};

use crate::coverage::Coverage;
use crate::run::SemanticCheck;

pub const CSS: &str = r#"
#coverage table td.check { text-align: center; }
#coverage tr.unexercised td.op { color: var(--fail); }
#coverage tr.exercised td.op { color: var(--pass); }
#coverage .threshold.unmet { color: var(--fail); font-weight: bold; }
"#;

pub fn section(c: &Coverage) -> Markup {
    let t = &c.totals;
    html! {
        section #coverage {
            h2 { "OpenAPI coverage" }
            p.meta {
                code { (c.document.path) } " · " (c.document.title) " " (c.document.version)
                " · OpenAPI " (c.document.openapi)
                @if !c.base_paths.is_empty() { " · base path " code { (c.base_paths.join(", ")) } }
            }
            p {
                b { (t.exercised) " of " (t.operations) } " operations exercised ("
                (format!("{:.1}", t.percent)) "%); PUT: " b { (t.put_exercised) " of " (t.put_operations) }
                " (" (format!("{:.1}", t.put_percent)) "%); "
                (t.requests) " requests, " (t.undocumented_requests) " undocumented"
            }
            @for th in &c.min_coverage {
                p.threshold.unmet[!th.met] { (th.message) }
            }
            table #operations {
                thead {
                    tr {
                        th scope="col" { "operation" }
                        th scope="col" .num { "requests" }
                        th scope="col" { "statuses seen" }
                        th scope="col" { "not seen" }
                        @for check in SemanticCheck::ALL {
                            th scope="col" { (check.name()) }
                        }
                    }
                }
                tbody {
                    @for o in &c.operations {
                        tr.(if o.exercised { "exercised" } else { "unexercised" }) data-method=(o.method) {
                            td.op {
                                (if o.exercised { "✓ " } else { "✗ " }) code { (o.method) " " (o.path) }
                                @if let Some(id) = &o.operation_id { " " span.tag { (id) } }
                            }
                            td.num { (o.requests) }
                            td { (o.statuses_seen.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")) }
                            td { (o.statuses_not_seen.join(", ")) }
                            @for check in SemanticCheck::ALL {
                                td.check {
                                    @if o.method == "PUT" {
                                        @if o.checks.contains(&check) { "✓" } @else { "·" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !c.undocumented.is_empty() {
                h3 { "Undocumented requests" }
                ul #undocumented {
                    @for u in &c.undocumented {
                        li { code { (u.method) " " (u.path) } " — " (u.message) " (" (u.requests) "×, from " (u.tests.join(", ")) ")" }
                    }
                }
            }
            @if !c.conformance.is_empty() {
                h3 { "Conformance " (if c.strict { "failures" } else { "warnings" }) }
                ul #conformance {
                    @for i in &c.conformance {
                        li { code { (i.test) } ": " (i.line()) }
                    }
                }
            }
            @for n in &c.notes {
                p.note { (n) }
            }
        }
    }
}
