//! The `h1spec` command: one module per subcommand, each parsing its arguments and calling the
//! library.

mod client;
mod diff;
mod probe;
mod small;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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

#[derive(Subcommand)]
enum Command {
    /// Test a live HTTP/1.1 server for conformance and request smuggling.
    ///
    /// Every request case of the corpus goes on a connection of its own; framing cases are
    /// followed by a canary request to detect desynchronisation. Exit status: 0 when every MUST
    /// case passes, no confirmed desync risk was found and the server kept answering, 1
    /// otherwise, 2 when the server cannot be reached or the arguments are wrong.
    Probe(probe::ProbeArgs),
    /// Test an HTTP client's response handling, and response smuggling, against a hostile
    /// origin.
    ///
    /// Starts an origin on 127.0.0.1 that serves each response case of the corpus on a path of
    /// its own and holds a canary response back until the client asks for its next response.
    /// The client fetches each case's URL, then the canary's, on one connection where it
    /// reuses connections. Exit status: 0 when every MUST case passes and no desync risk
    /// shows, 1 otherwise, 2 on a usage error.
    Client(client::ClientArgs),
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
    Diff(diff::DiffArgs),
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

fn main() -> ExitCode {
    // No command: a probe of the reference server with every default.
    let Some(command) = Cli::parse().command.or(Cli::parse_from(["h1spec", "probe"]).command) else {
        return ExitCode::from(2);
    };
    match command {
        Command::Probe(args) => probe::run(args),
        Command::Client(args) => client::run(args),
        Command::Diff(args) => diff::run(args),
        Command::SaveFinding { report, number, id, to } => diff::save_finding(&report, number, id, &to),
        Command::Serve { addr, echo } => small::serve(&addr, echo),
        Command::Parse { response, request_method, user_agent, chunk_size, stream, file } => {
            let options = small::ParseOptions { response, request_method, user_agent, chunk_size, stream };
            small::parse_file(file.as_ref(), &options)
        }
        Command::Suite { corpus } => small::suite(corpus),
        Command::Seeds { out } => small::seeds(&out),
    }
}
