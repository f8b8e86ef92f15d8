//! The `h1spec` command.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use h1spec::parse::{parse, parse_stream, Options};
use h1spec::pipeline::Selection;
use h1spec::probe::{session, Timing};
use h1spec::report::{self, Style};

/// HTTP/1.1 conformance harness built on the strict h1wire codec.
///
/// With no command, probes the reference server built into h1spec (started on 127.0.0.1 with
/// an ephemeral port) and prints the report.
#[derive(Parser)]
#[command(name = "h1spec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Cases grouped by section, failures with requirement, expected and actual.
    Console,
    /// One JSON object (a stable contract: see `h1spec::report`).
    Json,
    /// JUnit XML, one suite per corpus section.
    Junit,
}

/// Options of a probe run.
#[derive(Args, Clone, Debug)]
struct ProbeArgs {
    /// The server: `127.0.0.1:8080`, or `http://host:port/path` where the path answers 200
    /// (default: the reference server built into h1spec, started for the run).
    #[arg(value_name = "ADDR")]
    addr: Option<String>,
    /// Run SHOULD-level cases too.
    #[arg(long)]
    strict: bool,
    /// Only cases citing this section, e.g. `6.1` (matches §6.1 and §6.1.x).
    #[arg(long, value_name = "N.N")]
    section: Option<String>,
    /// Only this case.
    #[arg(long, value_name = "ID")]
    case: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "console")]
    format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Connections in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
    /// The most one case may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    timeout: u64,
    /// The most the whole run may take, in seconds (cases not started by then are skipped).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    max_time: u64,
    /// How many times a desync risk is sent again before it is reported ("reproduced k/N"; a
    /// risk that does not show again is reported as unstable and not counted).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=20))]
    confirm: u8,
    /// List passing and skipped cases too.
    #[arg(short, long)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Test a live HTTP/1.1 server for conformance and request smuggling.
    ///
    /// Every request case of the corpus goes on a connection of its own; framing cases are
    /// followed by a canary request to detect desynchronisation. Exit status: 0 when every MUST
    /// case passes, no confirmed desync risk was found and the server kept answering, 1
    /// otherwise, 2 when the server cannot be reached or the arguments are wrong.
    Probe(ProbeArgs),
    /// Run the reference server built into h1spec on ADDR (port 0 picks one; the first line says
    /// which) until interrupted.
    Serve {
        /// Where to listen.
        #[arg(value_name = "ADDR", default_value = "127.0.0.1:0")]
        addr: String,
        /// Answer every request with its reading as JSON (the origin `h1spec diff` compares).
        #[arg(long)]
        echo: bool,
    },
    /// Parse the first HTTP/1.1 message of FILE (or standard input) and print one JSON verdict.
    ///
    /// The end of input counts as the peer closing the connection. Exit status 0 whenever a
    /// verdict is printed, accept or reject.
    Parse {
        /// Parse a response instead of a request.
        #[arg(long)]
        response: bool,
        /// The method of the request the response answers (HEAD and CONNECT change framing).
        #[arg(long, value_name = "METHOD", default_value = "GET")]
        request_method: String,
        /// Read the response as a user agent, which unfolds obs-fold (RFC 9112 §5.2); by default
        /// it is read as a proxy, which refuses it.
        #[arg(long, requires = "response")]
        user_agent: bool,
        /// Feed the parser pieces of N bytes instead of the whole input at once.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        chunk_size: Option<u64>,
        /// Read the input as one connection's stream of requests and print one verdict per
        /// message (the shim contract of `h1spec diff`, see peers/shims/README.md).
        #[arg(long, conflicts_with_all = ["response", "chunk_size"])]
        stream: bool,
        /// The message file; `-` or nothing for standard input.
        #[arg(value_name = "FILE|-")]
        file: Option<PathBuf>,
    },
    /// Run every conformance case of the corpus against h1wire and print a table by RFC section.
    ///
    /// The last line is exactly `N cases, P passed, F failed`; the exit status is 1 when any
    /// case fails.
    Suite {
        /// The corpus directory (default: corpus/cases).
        #[arg(long, value_name = "DIR")]
        corpus: Option<PathBuf>,
    },
    /// Compare how real HTTP/1.1 implementations read the same streams (differential testing).
    ///
    /// Starts the peers (parsers in process and behind shims, echo servers, proxies in front of
    /// a recording origin) on 127.0.0.1, reads every request case of the corpus (with a canary
    /// request after it) through each, then mutates streams for a bounded time, and reports
    /// the differences no quirk file explains, minimised. Every peer is stopped at the end,
    /// and on interrupt. Exit status 0 when the run completed (findings are the report's
    /// content, not errors), 2 when no two peers could run.
    Diff(DiffArgs),
    /// Append a finding of a `h1spec diff --format json` report to the corpus as a case whose
    /// expectation is h1wire's reading (review it).
    SaveFinding {
        /// The JSON report.
        #[arg(value_name = "REPORT.json")]
        report: PathBuf,
        /// The finding's number (F3 is 3).
        #[arg(value_name = "N")]
        number: usize,
        /// The case id (default: diff-<class>-<n>).
        #[arg(long)]
        id: Option<String>,
        /// The corpus file to append to.
        #[arg(long, value_name = "FILE", default_value = "corpus/cases/diff-findings.toml")]
        to: PathBuf,
    },
    /// Write fuzz seed corpora (one folder per fuzz target) from the conformance cases and the
    /// crash regressions in corpus/regressions/.
    Seeds {
        /// Where to write them.
        #[arg(long, value_name = "DIR", default_value = "fuzz/seeds")]
        out: PathBuf,
    },
}

/// Options of a differential run.
#[derive(Args, Clone, Debug)]
struct DiffArgs {
    /// The peers, comma-separated (default: every peer installed here). `--list` names them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    peers: Vec<String>,
    /// List the peers h1spec knows, whether each can run here, and exit.
    #[arg(long)]
    list: bool,
    /// Only corpus cases citing this section.
    #[arg(long, value_name = "N.N")]
    section: Option<String>,
    /// Only this corpus case.
    #[arg(long, value_name = "ID")]
    case: Option<String>,
    /// The most mutated streams.
    #[arg(long, default_value_t = 1000)]
    mutations: usize,
    /// The most seconds the mutation loop may take.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    mutation_time: u64,
    /// The most seconds minimisation may take, over all findings.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    minimise_time: u64,
    /// The mutation loop's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Streams read in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    jobs: u16,
    /// Report format.
    #[arg(long, value_enum, default_value = "console")]
    format: DiffFormat,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the JSON report here (the input of `h1spec save-finding`).
    #[arg(long, value_name = "FILE")]
    save_json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// The matrix and each finding, as text.
    Console,
    /// DIFFERENCES.md.
    Markdown,
    /// One JSON object.
    Json,
}

fn diff(args: DiffArgs) -> ExitCode {
    use h1spec::diff::{peers, session};
    use h1spec::report::diff as diff_report;
    if args.list {
        for spec in peers::ALL {
            let state =
                peers::missing(spec.name).map_or_else(|| "ready".to_owned(), |why| format!("{why} ({})", spec.install));
            println!("{:<16} {:<11} {:<44} {state}", spec.name, format!("{:?}", spec.role).to_lowercase(), spec.about);
        }
        return ExitCode::SUCCESS;
    }
    let plan = session::Plan {
        peers: args.peers.clone(),
        selection: Selection { strict: true, section: args.section.clone(), case: args.case.clone() },
        settings: h1spec::diff::run::Settings {
            mutations: args.mutations,
            mutation_time: Duration::from_secs(args.mutation_time),
            minimise_time: Duration::from_secs(args.minimise_time),
            seed: args.seed,
            jobs: usize::from(args.jobs),
            ..h1spec::diff::run::Settings::default()
        },
    };
    let outcome = match session::run(&plan, &|what| eprintln!("h1spec diff: {what}")) {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let command =
        std::env::args().map(|a| if a.contains(' ') { format!("'{a}'") } else { a }).collect::<Vec<_>>().join(" ");
    let text = match args.format {
        DiffFormat::Console => diff_report::console(&outcome),
        DiffFormat::Markdown => diff_report::markdown(&outcome, &command),
        DiffFormat::Json => diff_report::json(&outcome) + "\n",
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &text),
        None => std::io::stdout().write_all(text.as_bytes()),
    }
    .and_then(|()| match &args.save_json {
        Some(path) => std::fs::write(path, diff_report::json(&outcome) + "\n"),
        None => Ok(()),
    });
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn read_input(file: Option<&PathBuf>) -> std::io::Result<Vec<u8>> {
    match file {
        Some(path) if path.as_os_str() != "-" => std::fs::read(path),
        _ => {
            let mut input = Vec::new();
            std::io::stdin().read_to_end(&mut input)?;
            Ok(input)
        }
    }
}

/// Runs the probe and writes its report; the exit code says how it went.
fn probe(args: ProbeArgs) -> ExitCode {
    let sections = match h1spec::corpus::embedded() {
        Ok(sections) => sections,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let plan = session::Plan {
        addr: args.addr.clone(),
        selection: Selection { strict: args.strict, section: args.section.clone(), case: args.case.clone() },
        timing: Timing { deadline: Duration::from_millis(args.timeout), ..Timing::default() },
        confirm: usize::from(args.confirm),
        jobs: usize::from(args.jobs),
        max_time: Duration::from_secs(args.max_time),
    };
    let terminal = std::io::stderr().is_terminal() && args.output.is_none() && args.format == Format::Console;
    let total = sections.iter().flat_map(|s| &s.cases).filter(|c| plan.selection.selects(c)).count();
    let bar = if terminal { indicatif::ProgressBar::new(total as u64) } else { indicatif::ProgressBar::hidden() };
    let run = match session::run(&plan, &sections, &|_| bar.inc(1)) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    bar.finish_and_clear();
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && args.output.is_none()
        && std::io::stdout().is_terminal();
    let text = match args.format {
        Format::Console => {
            report::console(&run.name, &run.results, &run.notes, Style { colour, verbose: args.verbose })
        }
        Format::Json => report::json(&run.name, &run.results, &run.notes) + "\n",
        Format::Junit => report::junit(&run.name, &run.results),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    if run.is_failure() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    // No command: a probe of the reference server with every default.
    let Some(command) = Cli::parse().command.or(Cli::parse_from(["h1spec", "probe"]).command) else {
        return ExitCode::from(2);
    };
    match command {
        Command::Probe(args) => probe(args),
        Command::Diff(args) => diff(args),
        Command::SaveFinding { report, number, id, to } => {
            match h1spec::diff::save::save_finding(&report, number, id, &to) {
                Ok(id) => {
                    println!("saved case {id} to {}", to.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("h1spec: {e}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Serve { addr, echo } => {
            let listener = match std::net::TcpListener::bind(&addr) {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("h1spec: cannot listen on {addr}: {e}");
                    return ExitCode::from(2);
                }
            };
            match listener.local_addr() {
                Ok(a) => println!("listening on {a}"),
                Err(e) => {
                    eprintln!("h1spec: {e}");
                    return ExitCode::from(2);
                }
            }
            let _ = std::io::stdout().flush();
            let mode = if echo { h1spec::server::Mode::Echo } else { h1spec::server::Mode::Site };
            h1spec::server::serve_forever(&listener, mode);
            ExitCode::SUCCESS
        }
        Command::Parse { response, request_method, user_agent, chunk_size, stream, file } => {
            let input = match read_input(file.as_ref()) {
                Ok(input) => input,
                Err(e) => {
                    let name = file.map_or_else(|| "standard input".into(), |f| f.display().to_string());
                    eprintln!("h1spec: cannot read {name}: {e}");
                    return ExitCode::from(2);
                }
            };
            let chunk_size = chunk_size.map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            let options = Options { response, request_method, chunk_size, user_agent };
            if stream {
                for verdict in parse_stream(&input, &options) {
                    println!("{}", verdict.to_json());
                }
            } else {
                println!("{}", parse(&input, &options).to_json());
            }
            ExitCode::SUCCESS
        }
        Command::Suite { corpus } => {
            let dir = corpus.unwrap_or_else(h1spec::corpus::default_dir);
            let sections = match h1spec::corpus::load(&dir) {
                Ok(sections) => sections,
                Err(e) => {
                    eprintln!("h1spec: {e}");
                    return ExitCode::from(2);
                }
            };
            let report = report::table::Table::of(&h1spec::suite::run(&sections));
            print!("{}", report.render());
            if report.failed() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Seeds { out } => {
            let dir = h1spec::corpus::default_dir();
            let written = h1spec::corpus::load(&dir).map_err(|e| e.to_string()).and_then(|sections| {
                h1spec::seeds::write(&sections, &dir.join("../regressions"), &out).map_err(|e| e.to_string())
            });
            match written {
                Ok(counts) => {
                    for (target, n) in counts {
                        println!("{target}: {n} seeds in {}", out.join(&target).display());
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("h1spec: {e}");
                    ExitCode::from(2)
                }
            }
        }
    }
}
