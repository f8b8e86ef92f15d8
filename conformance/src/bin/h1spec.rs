//! The `h1spec` command.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use h1spec::parse::{parse, Options};

/// HTTP/1.1 conformance harness built on the strict h1wire codec.
#[derive(Parser)]
#[command(name = "h1spec", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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

fn main() -> ExitCode {
    match Cli::parse().command {
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
