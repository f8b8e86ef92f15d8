//! `h1spec diff` and `h1spec save-finding`: the arguments, then [`h1spec::diff::session`] or
//! [`h1spec::diff::save`], then a report.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use h1spec::diff::run::Outcome;
use h1spec::diff::{peers, session};
use h1spec::pipeline::Selection;
use h1spec::report::diff as diff_report;

/// Options of a differential run.
#[derive(Args, Clone, Debug)]
pub struct DiffArgs {
    /// The peers, comma-separated (default: every peer installed here). `--list` names them.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub peers: Vec<String>,
    /// Render the JSON report of an earlier run (`--save-json`) instead of running: the same
    /// report in another format, or written again by this version of h1spec.
    #[arg(long, value_name = "REPORT.json", conflicts_with_all = ["peers", "list", "section", "case"])]
    pub from: Option<PathBuf>,
    /// List the peers h1spec knows, whether each can run here, and exit.
    #[arg(long)]
    pub list: bool,
    /// Only corpus cases citing this section.
    #[arg(long, value_name = "N.N")]
    pub section: Option<String>,
    /// Only this corpus case.
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// The most mutated streams.
    #[arg(long, default_value_t = 1000)]
    pub mutations: usize,
    /// The most seconds the mutation loop may take.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub mutation_time: u64,
    /// The most seconds minimisation may take, over all findings.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub minimise_time: u64,
    /// The mutation loop's seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Streams read in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub jobs: u16,
    /// Report format.
    #[arg(long, value_enum, default_value = "console")]
    pub format: DiffFormat,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the JSON report here (the input of `h1spec save-finding`).
    #[arg(long, value_name = "FILE")]
    pub save_json: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// The matrix and each finding, as text.
    Console,
    /// DIFFERENCES.md.
    Markdown,
    /// One JSON object.
    Json,
}

/// Runs the diff (or lists its peers) and writes its report.
pub fn run(args: DiffArgs) -> ExitCode {
    if args.list {
        for spec in peers::ALL {
            let state =
                peers::missing(spec.name).map_or_else(|| "ready".to_owned(), |why| format!("{why} ({})", spec.install));
            println!("{:<16} {:<11} {:<44} {state}", spec.name, format!("{:?}", spec.role).to_lowercase(), spec.about);
        }
        return ExitCode::SUCCESS;
    }
    let command =
        std::env::args().map(|a| if a.contains(' ') { format!("'{a}'") } else { a }).collect::<Vec<_>>().join(" ");
    let outcome = match &args.from {
        Some(path) => {
            let read = std::fs::read_to_string(path).map_err(|e| e.to_string());
            match read.and_then(|text| serde_json::from_str::<Outcome>(&text).map_err(|e| e.to_string())) {
                Ok(outcome) => outcome,
                Err(e) => {
                    eprintln!("h1spec: {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
        }
        None => match fresh(&args) {
            Ok(mut outcome) => {
                outcome.command = command;
                outcome
            }
            Err(e) => {
                eprintln!("h1spec: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let text = match args.format {
        DiffFormat::Console => diff_report::console(&outcome),
        DiffFormat::Markdown => diff_report::markdown(&outcome),
        DiffFormat::Json => diff_report::json(&outcome) + "\n",
    };
    write(&args, &text, &outcome)
}

/// A run as the arguments say.
fn fresh(args: &DiffArgs) -> Result<Outcome, String> {
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
    session::run(&plan, &|what| eprintln!("h1spec diff: {what}"))
}

/// Writes the report where the arguments say, and the JSON beside it when asked.
fn write(args: &DiffArgs, text: &str, outcome: &Outcome) -> ExitCode {
    let written = match &args.output {
        Some(path) => std::fs::write(path, text),
        None => std::io::stdout().write_all(text.as_bytes()),
    }
    .and_then(|()| match &args.save_json {
        Some(path) => std::fs::write(path, diff_report::json(outcome) + "\n"),
        None => Ok(()),
    });
    if let Err(e) = written {
        eprintln!("h1spec: cannot write the report: {e}");
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Appends finding `number` of a JSON report to a corpus file.
pub fn save_finding(report: &std::path::Path, number: usize, id: Option<String>, to: &std::path::Path) -> ExitCode {
    match h1spec::diff::save::save_finding(report, number, id, to) {
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
