//! The small subcommands: `serve`, `parse`, `suite` and `seeds`, each its arguments' call into
//! the library.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use h1spec::parse::{parse, parse_stream, Options};
use h1spec::report;

/// `h1spec serve`: the reference server on `addr` until interrupted.
pub fn serve(addr: &str, echo: bool) -> ExitCode {
    let listener = match std::net::TcpListener::bind(addr) {
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

/// `h1spec parse`: one verdict (or one per message with `stream`) on standard output.
pub fn parse_file(file: Option<&PathBuf>, options: &ParseOptions) -> ExitCode {
    let ParseOptions { response, request_method, user_agent, chunk_size, stream } = options.clone();
    let input = match read_input(file) {
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

/// The options of `h1spec parse`, as the command line gives them.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// A response, not a request.
    pub response: bool,
    /// The method the response answers.
    pub request_method: String,
    /// Read as a user agent.
    pub user_agent: bool,
    /// Feed pieces of this many bytes.
    pub chunk_size: Option<u64>,
    /// One verdict per message of a stream.
    pub stream: bool,
}

/// `h1spec suite`: the table by section; fails when a case fails.
pub fn suite(corpus: Option<PathBuf>) -> ExitCode {
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

/// `h1spec seeds`: fuzz seed folders under `out`.
pub fn seeds(out: &Path) -> ExitCode {
    let dir = h1spec::corpus::default_dir();
    let written = h1spec::corpus::load(&dir).map_err(|e| e.to_string()).and_then(|sections| {
        h1spec::seeds::write(&sections, &dir.join("../regressions"), out).map_err(|e| e.to_string())
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
