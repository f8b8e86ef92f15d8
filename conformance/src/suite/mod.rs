//! `h1spec suite`: every corpus case against h1wire, in process, as a table by RFC section.
//!
//! | layer | module |
//! | --- | --- |
//! | subject | [`subject`]: h1wire through the harness, whole and split everywhere ([`InProcess`]) |
//! | judge | [`expectation`]: the case's full expectation ([`Expectation`], [`Case::check`](crate::corpus::Case::check)) |
//! | report | [`crate::report::table`] |

pub mod expectation;
pub mod subject;

pub use expectation::{Checked, Expectation};
pub use subject::{InProcess, Observed};

use crate::corpus::Section;
use crate::pipeline::{self, CaseResult, Selection};

/// Runs every case of `sections` against h1wire, on all cores, in corpus order.
pub fn run(sections: &[Section]) -> Vec<CaseResult> {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let selection = Selection { strict: true, ..Selection::default() };
    pipeline::run(&InProcess, &Expectation, sections, &selection, jobs, &|_| {})
}
