//! putcheck: tests HTTP PUT endpoints from declarative YAML specs.
//!
//! Data flows one way: `spec` (files → model) → `plan` (which tests run) → `http`
//! (exchanges) → `check` (results) → `run` (events) → `report` (console, JUnit, JSON).

pub mod spec;
pub mod http;
pub mod check;
pub mod plan;
pub mod run;
pub mod demo;
