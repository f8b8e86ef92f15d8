//! `h1spec client`: the arguments, then [`h1spec::client::session`], then a report.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use h1spec::client::proxy::{self, PROXIES};
use h1spec::client::session;
use h1spec::client::subject::{built_in, missing, version, Client, H1wire, Shim, BUILT_IN};
use h1spec::corpus::Section;
use h1spec::pipeline::{CaseResult, RunNotes, Selection, Summary};
use h1spec::report::clients::{markdown, Kind, NotRun, Run};
use h1spec::report::summary_line;

use crate::probe::CaseArgs;

/// Options of a client run.
#[derive(Args, Clone, Debug)]
pub struct ClientArgs {
    /// The client: `h1wire` (its own client connection, in process; the default), or a shim in
    /// peers/clients/: `curl`, `python-http-client`, `urllib3`, `h11`, `aiohttp`, `node-http`, `node-fetch`, `go`, `hyper`. After
    /// `--`, any program instead, run with the two URLs appended (the shim contract,
    /// peers/clients/README.md).
    #[arg(value_name = "NAME", default_value = "h1wire")]
    pub name: String,
    /// A shim to run as the client: the program and its first arguments.
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
    /// Test a proxy on the way back instead of a client: `nginx`, `haproxy` or `apache2`, started
    /// in front of the hostile origin (config in peers/proxies/back/), read by h1wire's client.
    #[arg(long, value_name = "PROXY", conflicts_with = "command")]
    pub proxy: Option<String>,
    /// Run h1wire, every built-in client and every proxy that can run here, one after the
    /// other, and print them side by side (or write CLIENTS.md with `--markdown`).
    #[arg(long, conflicts_with_all = ["command", "proxy"])]
    pub all: bool,
    /// With `--all`: write the side-by-side report as Markdown to this file.
    #[arg(long, value_name = "FILE", requires = "all")]
    pub markdown: Option<std::path::PathBuf>,
    /// List the built-in clients and proxies, whether each can run here, and exit.
    #[arg(long)]
    pub list: bool,
    #[command(flatten)]
    pub cases: CaseArgs,
    /// Cases in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// List passing and skipped cases too.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Runs the client cases and writes the report. Exit status: 0 when every MUST case passes and
/// no desync risk shows, 1 otherwise, 2 on a usage error or an origin that cannot start.
pub fn run(args: ClientArgs) -> ExitCode {
    if args.list {
        let mut text = format!("{:<20} ready (in process)\n", "h1wire");
        for client in BUILT_IN {
            let state = missing(client.name).unwrap_or_else(|| "ready".into());
            text.push_str(&format!("{:<20} {state} ({})\n", client.name, client.source()));
        }
        for p in PROXIES {
            let state = proxy::missing(p.name).unwrap_or_else(|| "ready".into());
            text.push_str(&format!("{:<20} {state} (proxy, peers/proxies/{})\n", p.name, p.setup.template));
        }
        // A reader that stops early (`| head`) is no error.
        let _ = std::io::stdout().write_all(text.as_bytes());
        return ExitCode::SUCCESS;
    }
    let sections = match h1spec::corpus::embedded() {
        Ok(all) => session::sections(all),
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let selection = args.cases.selection();
    if args.all {
        return all(&args, &sections, &selection);
    }
    if let Some(name) = &args.proxy {
        let Some(p) = proxy::proxy(name) else {
            let names: Vec<&str> = PROXIES.iter().map(|p| p.name).collect();
            eprintln!("h1spec: no proxy is called {name} ({})", names.join(", "));
            return ExitCode::from(2);
        };
        let results = match session::run_through(p, &sections, &selection, &|_| {}) {
            Ok(results) => results,
            Err(e) => {
                eprintln!("h1spec: {e}");
                return ExitCode::from(2);
            }
        };
        return finish(&args, &format!("{name} (proxy)"), &results);
    }
    let client: Box<dyn Client> = match args.command.split_first() {
        Some((program, rest)) => {
            Box::new(Shim { name: args.command.join(" "), program: program.clone(), args: rest.to_vec() })
        }
        None if args.name == "h1wire" => Box::new(H1wire),
        None => match built_in(&args.name) {
            Ok(shim) => Box::new(shim),
            Err(e) => {
                eprintln!("h1spec: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let results = match session::run(client.as_ref(), &sections, &selection, usize::from(args.jobs), &|_| {}) {
        Ok(results) => results,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    finish(&args, &client.name(), &results)
}

/// Writes the report; fails the run on a MUST failure or a desync risk.
fn finish(args: &ClientArgs, name: &str, results: &[CaseResult]) -> ExitCode {
    let summary = Summary::of(results);
    let failed = results.iter().any(|r| r.is_must_failure()) || summary.desync_risks > 0;
    args.cases.finish("client", name, results, &RunNotes::default(), args.verbose, failed)
}

/// `--all`: every subject that can run here, one after the other, side by side.
fn all(args: &ClientArgs, sections: &[Section], selection: &Selection) -> ExitCode {
    let (mut runs, mut not_run) = (Vec::new(), Vec::new());
    let mut record = |name: &str, kind: Kind, results: Result<Vec<CaseResult>, String>| match results {
        Ok(results) => {
            eprintln!("{name:<20} {}", summary_line(&Summary::of(&results)));
            runs.push(Run { name: name.into(), kind, version: version(name), results });
        }
        Err(why) => {
            eprintln!("{name:<20} not run: {why}");
            not_run.push(NotRun { name: name.into(), why });
        }
    };
    let jobs = usize::from(args.jobs);
    record("h1wire", Kind::Client, session::run(&H1wire, sections, selection, jobs, &|_| {}));
    for client in BUILT_IN {
        let results = match missing(client.name) {
            Some(why) => Err(why),
            None => built_in(client.name).and_then(|shim| session::run(&shim, sections, selection, jobs, &|_| {})),
        };
        record(client.name, Kind::Client, results);
    }
    for p in PROXIES {
        let results = match proxy::missing(p.name) {
            Some(why) => Err(why),
            None => session::run_through(p, sections, selection, &|_| {}),
        };
        record(p.name, Kind::Proxy, results);
    }
    let text = match &args.markdown {
        Some(_) => markdown(&runs, &not_run, "just clients"),
        None => {
            let mut text = String::new();
            for run in &runs {
                text.push_str(&format!("{:<20} {}\n", run.name, summary_line(&Summary::of(&run.results))));
            }
            text
        }
    };
    let written = match &args.markdown {
        Some(path) => std::fs::write(path, &text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    // The report is the result: clients with failures are what it shows, not a failed run.
    ExitCode::SUCCESS
}
