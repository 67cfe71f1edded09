mod cli;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use putcheck::coverage::{self, ApiDoc};
use putcheck::demo::{bundle, DemoServer};
use putcheck::http::{Client, EnvProxies};
use putcheck::plan::{self, Filter};
use putcheck::report::console::{Console, ConsoleOptions};
use putcheck::report::file::FileReport;
use putcheck::report::html::Html;
use putcheck::report::json::Json;
use putcheck::report::junit::JunitXml;
use putcheck::report::Reporters;
use putcheck::run::{self, RunConfig};
use putcheck::spec::{LoadContext, Verify};
use putcheck::{exit, output, signals};

use cli::{AnnotationsMode, Cli, ColorWhen, Command, ImportSource, OpenapiArgs, RunArgs};

// Loading allocates ~150 small values per spec file, and a run more per exchange, on
// many threads: mimalloc takes ~8% off a fast run's CPU next to glibc's malloc
// (BENCHMARKS.md). Without transparent huge pages (`no_thp`), which tripled peak RSS.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Some(Command::Serve { addr }) => serve(&addr),
        Some(Command::Demo { failing, run }) => demo(*run, failing),
        Some(Command::Completions { shell }) => completions(shell),
        Some(Command::Man) => man(),
        Some(Command::Schema) => emit(putcheck::spec::schema::json_schema(), "the JSON Schema"),
        Some(Command::Import { source }) => import(source),
        Some(Command::MergeReports {
            files,
            json,
            junit,
            html,
        }) => merge_reports(&files, json, junit, html),
        Some(Command::Coverage {
            document,
            report,
            openapi,
            json,
        }) => coverage(&document, &report, &openapi, json.as_deref()),
        None => run_specs(cli.run, HashMap::new()),
    };
    ExitCode::from(code)
}

fn fail(message: impl std::fmt::Display) -> u8 {
    output::say(format!("error: {message}"));
    exit::USAGE
}

fn serve(addr: &str) -> u8 {
    match DemoServer::start(addr) {
        Ok(server) => {
            output::say(format!(
                "putcheck demo API listening on {}",
                server.base_url()
            ));
            output::say(format!(
                "try: BASE_URL={} putcheck specs/",
                server.base_url()
            ));
            server.wait();
            exit::OK
        }
        Err(e) => fail(e),
    }
}

fn import(source: ImportSource) -> u8 {
    use putcheck::import::{self, har::HarOptions};
    let told = match source {
        ImportSource::Curl {
            command,
            keep_secrets,
        } => import::curl::import(&command, keep_secrets).and_then(|spec| {
            // The spec is the output (printed below, as the lines of the other imports
            // are); what to set goes to stderr.
            let text = spec.render()?;
            if let Some(hint) = import::variables_hint(&spec.secrets.to_set()) {
                output::say(hint);
            }
            Ok(vec![text.strip_suffix('\n').unwrap_or(&text).to_string()])
        }),
        ImportSource::Openapi { file, out, force } => {
            import::openapi::import(&file).and_then(|i| i.write_to(&out, force))
        }
        ImportSource::Har {
            file,
            out,
            force,
            all,
            cookies,
            keep_secrets,
        } => {
            let options = HarOptions {
                all,
                cookies,
                keep_secrets,
            };
            import::har::import(&file, &options).and_then(|i| i.write_to(&out, force))
        }
    };
    match told {
        Ok(lines) => {
            let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
            emit(text, "the output")
        }
        Err(e) => fail(e),
    }
}

fn merge_reports(
    files: &[PathBuf],
    json: Option<String>,
    junit: Option<String>,
    html: Option<String>,
) -> u8 {
    use putcheck::report::merge;
    let to_stdout = json.as_deref() == Some("-");
    let outputs = merge::Outputs { json, junit, html };
    let merged = match merge::merge(files) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    for note in &merged.notes {
        output::say(note);
    }
    if let Err(e) = merge::write(&merged, &outputs) {
        return fail(e);
    }
    // What the merged report says, where a person reads the job's log.
    let line = format!(
        "merged {} report(s): {}",
        files.len(),
        putcheck::report::console::summary_line(&merged.summary)
    );
    if to_stdout {
        output::say(line);
        exit::OK
    } else {
        emit(format!("{line}\n"), "the summary")
    }
}

fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics when its writer fails.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "putcheck", &mut script);
    emit(script, "the completion script")
}

fn man() -> u8 {
    let command = <Cli as clap::CommandFactory>::command();
    let mut page = Vec::new();
    match clap_mangen::Man::new(command).render(&mut page) {
        Ok(()) => emit(page, "the man page"),
        Err(e) => fail(format!("cannot write the man page: {e}")),
    }
}

/// A document on stdout; a reader that went away ends it quietly (`output`).
fn emit(text: impl AsRef<[u8]>, what: &str) -> u8 {
    match output::print(text) {
        Ok(()) => exit::OK,
        Err(e) => fail(format!("cannot write {what}: {e}")),
    }
}

fn demo(mut args: RunArgs, failing: bool) -> u8 {
    let server = match DemoServer::start("127.0.0.1:0") {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    // Kept alive until the run ends: the bundled specs are read from it.
    let mut _bundle_dir = None;
    let mut running = String::new();
    if args.paths.is_empty() {
        // Report paths mean the user's folder, not the one the examples unpack into.
        if let Ok(here) = std::env::current_dir() {
            let reports = [&mut args.junit, &mut args.json, &mut args.html];
            for path in reports.into_iter().flatten() {
                if path != "-" {
                    *path = here.join(&*path).display().to_string();
                }
            }
        }
        match bundle::extract() {
            Ok(dir) => {
                if let Err(e) = std::env::set_current_dir(dir.path()) {
                    return fail(format!("cannot enter the bundled examples' folder: {e}"));
                }
                let (folder, what) = if failing {
                    (bundle::FAILING_DIR, "failing examples")
                } else {
                    (bundle::SPECS_DIR, "example specs")
                };
                args.paths = vec![PathBuf::from(folder)];
                running =
                    format!("; running the bundled {what} ({folder}/; give PATHS to run your own)");
                _bundle_dir = Some(dir);
            }
            Err(e) => return fail(format!("cannot unpack the bundled example specs: {e}")),
        }
    }
    let mut vars = HashMap::new();
    vars.insert("BASE_URL".to_string(), server.base_url());
    output::say(format!("demo API on {}{running}", server.base_url()));
    run_specs(args, vars)
}

fn run_specs(args: RunArgs, defaults: HashMap<String, String>) -> u8 {
    let color = match args.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from("specs")]
    } else {
        args.paths.clone()
    };
    let files = match plan::discover(&paths) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    let mut cli_vars = defaults;
    cli_vars.extend(args.vars.iter().cloned());
    cli_vars.extend(args.secrets.iter().cloned());
    let env = |name: &str| std::env::var(name).ok();
    let ctx = LoadContext {
        cli_vars: &cli_vars,
        env: &env,
        listing: args.list,
    };
    let filter = Filter {
        substrings: args.filter.clone(),
        regexes: args.filter_regex.clone(),
    };
    let plan = plan::build(&files, &ctx, args.partition, &filter);
    let o = &args.openapi_options;
    let api = match &args.openapi {
        Some(doc) => match ApiDoc::load(doc, o.openapi_prefix.as_deref()) {
            Ok(api) => Some(api),
            Err(e) => return fail(e),
        },
        None if o.openapi_strict || o.openapi_prefix.is_some() || !o.min_coverage.is_empty() => {
            return fail("--openapi-strict, --openapi-prefix and --min-coverage measure the run against an OpenAPI document: give it with --openapi DOC");
        }
        _ => None,
    };
    if args.list {
        let code = list(&plan, color);
        exit_keeping(plan);
        return code;
    }
    // An empty shard is no mistake: `hash:K/N` may place no file in shard K. It runs
    // nothing and writes its (empty) reports, for `merge-reports` and the CI's artifacts.
    let empty_shard = args.partition.is_some() && filter.is_empty();
    if plan.test_count() == 0 && plan.invalid.is_empty() && empty_shard {
        output::say(format!(
            "note: this shard holds none of the {} spec file(s); its reports are empty",
            files.len()
        ));
    } else if plan.test_count() == 0 && plan.invalid.is_empty() {
        let why = if filter.is_empty() {
            ""
        } else {
            " matches the filters"
        };
        return fail(format!("no test{why} in {} spec file(s)", files.len()));
    }
    let insecure = plan
        .suites
        .iter()
        .flat_map(|s| s.selected.iter().map(move |&i| &s.suite.tests[i]))
        .filter(|t| t.request.verify == Verify::Off)
        .count();
    if insecure > 0 {
        output::say(format!(
            "warning: TLS certificate verification is off (`verify: false`) for {insecure} test(s); their servers' identity is not checked"
        ));
    }
    let jobs = args.jobs.map(usize::from).unwrap_or(run::DEFAULT_JOBS);
    let interrupt = run::Interrupt::new();
    if let Err(e) = signals::listen(interrupt.clone()) {
        output::say(format!("warning: cannot listen for SIGINT/SIGTERM ({e}); an interrupt ends the run without reports"));
    }
    let config = RunConfig {
        jobs,
        repeat: args.repeat,
        retries: args.retries,
        fail_fast: args.fail_fast,
        cli_vars: cli_vars.clone(),
        cli_secrets: args.secrets.clone(),
        interrupt: interrupt.clone(),
        // Only these two show a test's request as a curl command.
        shell_commands: args.curl || args.junit.is_some(),
        seed: args.seed.unwrap_or_else(fresh_seed),
        generate_budget: putcheck::run::GenerateBudget::new(args.generate_budget),
        ..RunConfig::default()
    };
    let client = Client::new(
        jobs,
        args.max_body.saturating_mul(1024 * 1024),
        EnvProxies::from_env(),
    )
    .with_http_version(if args.http2 {
        putcheck::http::HttpVersion::Http2
    } else {
        putcheck::http::HttpVersion::Http11
    });
    // A report written to stdout (`--json -`, `--html -`) keeps stdout to itself.
    let report_to_stdout = [&args.json, &args.junit, &args.html]
        .iter()
        .any(|p| p.as_deref() == Some("-"));
    let console = Console::new(
        color,
        ConsoleOptions {
            verbosity: args.verbose,
            curl: args.curl,
            progress: !args.no_progress && std::io::stderr().is_terminal() && !report_to_stdout,
            to_stderr: report_to_stdout,
            quiet: args.quiet,
            ordered: args.ordered,
        },
    );
    let mut reporters = Reporters(vec![Box::new(console)]);
    if let Some(path) = &args.junit {
        reporters
            .0
            .push(Box::new(FileReport::new(path, JunitXml::default())));
    }
    if let Some(path) = &args.json {
        reporters
            .0
            .push(Box::new(FileReport::new(path, Json::default())));
    }
    if let Some(path) = &args.html {
        reporters
            .0
            .push(Box::new(FileReport::new(path, Html::default())));
    }
    ci_reporters(&args, report_to_stdout, &mut reporters);
    let mut observer = api
        .as_ref()
        .map(|api| coverage::Observer::new(api, o.openapi_strict, o.min_coverage.clone()));
    let mut listener = Listening {
        reporters: &mut reporters,
        observer: observer.as_mut(),
    };
    let mut summary = match run::execute(&plan, &config, &client, &mut listener) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let below_min_coverage = match &observer {
        Some(observer) => {
            observer.adjust(&mut summary);
            observer
                .coverage()
                .is_some_and(|c| c.unmet().next().is_some())
        }
        None => false,
    };
    exit_keeping(plan);
    let report_errors = reporters.finish();
    for e in &report_errors {
        output::say(format!("error: {e}"));
    }
    if let Some(signal) = interrupt.signal() {
        return signals::exit_code(signal);
    }
    match exit::code(&summary, !report_errors.is_empty()) {
        exit::OK if below_min_coverage => exit::TEST_FAILED,
        code => code,
    }
}

/// `putcheck coverage DOC REPORT.json`: the table on stdout (or the JSON with `--json -`).
fn coverage(
    document: &std::path::Path,
    report: &std::path::Path,
    o: &OpenapiArgs,
    json: Option<&str>,
) -> u8 {
    let api = match ApiDoc::load(document, o.openapi_prefix.as_deref()) {
        Ok(api) => api,
        Err(e) => return fail(e),
    };
    let text = match std::fs::read_to_string(report) {
        Ok(t) => t,
        Err(e) => {
            return fail(format!(
                "cannot read the JSON report `{}`: {e}",
                report.display()
            ))
        }
    };
    let path = report.display().to_string();
    let c = match coverage::from_report(&api, &text, &path, o.openapi_strict, &o.min_coverage) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let table = coverage::table::text(&c);
    let written = match json {
        Some(path) => {
            let text = serde_json::to_string_pretty(&c).unwrap_or_default() + "\n";
            if path == "-" {
                output::say(table.trim_end());
                output::print(text).map_err(|e| format!("cannot write the coverage: {e}"))
            } else {
                output::print(&table)
                    .map_err(|e| format!("cannot write the coverage: {e}"))
                    .and_then(|()| {
                        std::fs::write(path, text)
                            .map_err(|e| format!("cannot write the coverage JSON to `{path}`: {e}"))
                    })
            }
        }
        None => output::print(&table).map_err(|e| format!("cannot write the coverage: {e}")),
    };
    if let Err(e) = written {
        return fail(e);
    }
    if c.unmet().next().is_some() || (o.openapi_strict && !c.conformance.is_empty()) {
        exit::TEST_FAILED
    } else {
        exit::OK
    }
}

/// GitHub Actions annotations and the job summary, when asked for or under Actions.
fn ci_reporters(args: &RunArgs, report_to_stdout: bool, reporters: &mut Reporters) {
    use putcheck::report::annotations::Annotations;
    let summary = args.summary.clone().or_else(|| {
        std::env::var_os("GITHUB_STEP_SUMMARY")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    });
    let annotations = args.annotations.unwrap_or(
        if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            AnnotationsMode::Github
        } else {
            AnnotationsMode::None
        },
    );
    if annotations == AnnotationsMode::Github {
        let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
        reporters.0.push(Box::new(Annotations::new(
            workspace,
            report_to_stdout,
            summary.is_some(),
        )));
    }
    if let Some(path) = summary {
        reporters
            .0
            .push(Box::new(putcheck::report::summary::JobSummary::new(path)));
    }
}

/// The process ends right after this: the plan's memory goes back with it, without
/// freeing every suite one by one first (a visible part of a 10,000-file run's CPU).
fn exit_keeping(plan: plan::Plan) {
    std::mem::forget(plan);
}

fn list(plan: &plan::Plan, color: anstream::ColorChoice) -> u8 {
    use std::io::Write;
    let mut err = anstream::AutoStream::new(std::io::stderr(), color);
    for (_, errors) in &plan.invalid {
        for e in errors {
            let _ = write!(err, "{}", e.render());
        }
    }
    // Buffered: stdout alone writes line by line, a system call per test.
    let mut out = std::io::BufWriter::new(output::stdout());
    for s in &plan.suites {
        for &i in &s.selected {
            let _ = writeln!(out, "{}", plan::test_id(&s.suite, &s.suite.tests[i].name));
        }
        for f in &s.suite.finally {
            let _ = writeln!(out, "{} (finally)", plan::test_id(&s.suite, &f.name));
        }
    }
    let _ = out.flush();
    if plan.invalid.is_empty() {
        exit::OK
    } else {
        exit::USAGE
    }
}

/// A new seed per run (the clock's nanoseconds and the process id, mixed): printed, so a
/// failing run of generated bodies can be repeated with `--seed`.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // Short enough to type: the low 32 bits.
    (nanos ^ u64::from(std::process::id()).rotate_left(17)) & 0xffff_ffff
}

/// The run's listener: every event to the reporters, through the coverage observer
/// under `--openapi` (which may turn a test failed), and the flush hint to the reporters.
struct Listening<'a, 'api> {
    reporters: &'a mut Reporters,
    observer: Option<&'a mut coverage::Observer<'api>>,
}

impl run::Listener for Listening<'_, '_> {
    fn event(&mut self, event: &run::Event) {
        match &mut self.observer {
            Some(observer) => observer.pass(event, self.reporters),
            None => self.reporters.report(event),
        }
    }

    fn flush(&mut self) {
        self.reporters.flush();
    }
}
