//! `h1spec probe`: the arguments, then [`h1spec::probe::session`], then a report.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use h1spec::pipeline::{CaseResult, RunNotes, Selection};
use h1spec::probe::{session, Timing};
use h1spec::report::{self, Style};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Cases grouped by section, failures with requirement, expected and actual.
    Console,
    /// One JSON object (a stable contract: see `h1spec::report`).
    Json,
    /// JUnit XML, one suite per corpus section.
    Junit,
}

/// Which cases run and where the report goes: the options `probe` and `client` share.
#[derive(Args, Clone, Debug)]
pub struct CaseArgs {
    /// Run SHOULD-level cases too.
    #[arg(long)]
    pub strict: bool,
    /// Only cases citing this section, e.g. `6.1` (matches §6.1 and §6.1.x).
    #[arg(long, value_name = "N.N")]
    pub section: Option<String>,
    /// Only this case.
    #[arg(long, value_name = "ID")]
    pub case: Option<String>,
    /// Report format.
    #[arg(long, value_enum, default_value = "console")]
    pub format: Format,
    /// Write the report here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl CaseArgs {
    /// The cases these options select.
    pub fn selection(&self) -> Selection {
        Selection { strict: self.strict, section: self.section.clone(), case: self.case.clone() }
    }

    /// Writes the report of `h1spec COMMAND` on `name` where these options say, and says how
    /// the run went: 1 when `failed`, 2 when the report cannot be written, 0 otherwise.
    pub fn finish(
        &self,
        command: &str,
        name: &str,
        results: &[CaseResult],
        notes: &RunNotes,
        verbose: bool,
        failed: bool,
    ) -> ExitCode {
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && self.output.is_none()
            && std::io::stdout().is_terminal();
        let title = format!("h1spec {command} {name}");
        let text = match self.format {
            Format::Console => report::console(&title, results, notes, Style { colour, verbose }),
            Format::Json => report::json(name, results, notes) + "\n",
            Format::Junit => report::junit(&title, results),
        };
        let written = match &self.output {
            Some(path) => std::fs::write(path, &text),
            None => std::io::stdout().write_all(text.as_bytes()),
        };
        if let Err(e) = written {
            eprintln!("h1spec: cannot write the report: {e}");
            return ExitCode::from(2);
        }
        if failed {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Options of a probe run.
#[derive(Args, Clone, Debug)]
pub struct ProbeArgs {
    /// The server: `127.0.0.1:8080`, or `http://host:port/path` where the path answers 200
    /// (default: the reference server built into h1spec, started for the run).
    #[arg(value_name = "ADDR")]
    pub addr: Option<String>,
    #[command(flatten)]
    pub cases: CaseArgs,
    /// Connections in parallel.
    #[arg(short = 'j', long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// The most one case may take, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub timeout: u64,
    /// The most the whole run may take, in seconds (cases not started by then are skipped).
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub max_time: u64,
    /// How many times a desync risk is sent again before it is reported ("reproduced k/N"; a
    /// risk that does not show again is reported as unstable and not counted).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u8).range(0..=20))]
    pub confirm: u8,
    /// List passing and skipped cases too.
    #[arg(short, long)]
    pub verbose: bool,
}

/// Runs the probe and writes its report; the exit code says how it went.
pub fn run(args: ProbeArgs) -> ExitCode {
    let sections = match h1spec::corpus::embedded() {
        Ok(sections) => sections,
        Err(e) => {
            eprintln!("h1spec: {e}");
            return ExitCode::from(2);
        }
    };
    let plan = session::Plan {
        addr: args.addr.clone(),
        selection: args.cases.selection(),
        timing: Timing { deadline: Duration::from_millis(args.timeout), ..Timing::default() },
        confirm: usize::from(args.confirm),
        jobs: usize::from(args.jobs),
        max_time: Duration::from_secs(args.max_time),
    };
    let terminal =
        std::io::stderr().is_terminal() && args.cases.output.is_none() && args.cases.format == Format::Console;
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
    args.cases.finish("probe", &run.name, &run.results, &run.notes, args.verbose, run.is_failure())
}
