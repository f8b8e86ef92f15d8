//! `h1spec client`: the arguments, then [`h1spec::client::session`], then a report.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use h1spec::client::proxy::{self, PROXIES};
use h1spec::client::session;
use h1spec::client::subject::{built_in, missing, Client, H1wire, Shim, BUILT_IN};
use h1spec::pipeline::{CaseResult, RunNotes, Summary};

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
