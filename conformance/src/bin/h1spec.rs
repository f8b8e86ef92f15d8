//! The `h1spec` command.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use h1spec::parse::{parse, Options};
use h1spec::pipeline::{self, CaseResult, Selection};
use h1spec::probe::{Live, Target, Timing};
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
    /// case passes and no desync risk was found, 1 otherwise, 2 when the server cannot be reached
    /// or the arguments are wrong.
    Probe(ProbeArgs),
    /// Run the reference server built into h1spec on ADDR (port 0 picks one; the first line says
    /// which) until interrupted.
    Serve {
        /// Where to listen.
        #[arg(value_name = "ADDR", default_value = "127.0.0.1:0")]
        addr: String,
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
    /// Write fuzz seed corpora (one folder per fuzz target) from the conformance cases and the
    /// crash regressions in corpus/regressions/.
    Seeds {
        /// Where to write them.
        #[arg(long, value_name = "DIR", default_value = "fuzz/seeds")]
        out: PathBuf,
    },
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
    // No address: the reference server, for the length of the run.
    let (_reference, addr) = match &args.addr {
        Some(addr) => (None, addr.clone()),
        None => match std::net::TcpListener::bind("127.0.0.1:0").and_then(h1spec::server::start) {
            Ok(running) => {
                let addr = running.addr().to_string();
                (Some(running), addr)
            }
            Err(e) => {
                eprintln!("h1spec: cannot start the reference server: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let target = match Target::parse(&addr) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let timing = Timing { deadline: Duration::from_millis(args.timeout), ..Timing::default() };
    let live = match Live::connect(target, timing) {
        Ok(live) => live,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let selection = Selection { strict: args.strict, section: args.section.clone(), case: args.case.clone() };
    let terminal = std::io::stderr().is_terminal() && args.output.is_none() && args.format == Format::Console;
    let total = sections.iter().flat_map(|s| &s.cases).filter(|c| selection.selects(c)).count();
    let bar = if terminal { indicatif::ProgressBar::new(total as u64) } else { indicatif::ProgressBar::hidden() };
    let started = std::time::Instant::now();
    let bound = Duration::from_secs(args.max_time);
    let results =
        pipeline::run(&Bounded { live: &live, started, bound }, &sections, &selection, usize::from(args.jobs), &|_| {
            bar.inc(1)
        });
    bar.finish_and_clear();
    let name = if args.addr.is_some() { addr } else { format!("{addr} (the reference server)") };
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && args.output.is_none()
        && std::io::stdout().is_terminal();
    let text = match args.format {
        Format::Console => report::console(&name, &results, Style { colour, verbose: args.verbose }),
        Format::Json => report::json(&name, &results) + "\n",
        Format::Junit => report::junit(&name, &results),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, &text),
        None => std::io::stdout().write_all(text.as_bytes()),
    };
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    let bad = results.iter().any(|r| r.is_must_failure() || r.is_desync_risk());
    if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The live subject, stopped at the run's time bound: cases not started by then are skipped.
struct Bounded<'a> {
    live: &'a Live,
    started: std::time::Instant,
    bound: Duration,
}

impl pipeline::Subject for Bounded<'_> {
    fn name(&self) -> String {
        self.live.name()
    }

    fn run(&self, section: &h1spec::corpus::Section, case: &h1spec::corpus::Case) -> CaseResult {
        if self.started.elapsed() > self.bound {
            let why = format!("the run's bound of {} s was reached", self.bound.as_secs());
            return CaseResult::new(section, case, pipeline::Judgment::Skip, String::new(), why);
        }
        self.live.run(section, case)
    }
}

fn main() -> ExitCode {
    // No command: a probe of the reference server with every default.
    let Some(command) = Cli::parse().command.or(Cli::parse_from(["h1spec", "probe"]).command) else {
        return ExitCode::from(2);
    };
    match command {
        Command::Probe(args) => probe(args),
        Command::Serve { addr } => {
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
            h1spec::server::accept_loop(&listener, &std::sync::atomic::AtomicBool::new(false));
            ExitCode::SUCCESS
        }
        Command::Parse { response, request_method, user_agent, chunk_size, file } => {
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
            println!("{}", parse(&input, &options).to_json());
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
            let report = h1spec::suite::run(&sections);
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
