//! Reports: the one layer that holds prose about results. A report renders judged results and
//! decides nothing; every format of every mode is here.
//!
//! | mode | formats | module |
//! | --- | --- | --- |
//! | `probe`, `suite` (JSON per case) | console, JSON, JUnit | [`cases`] (re-exported here) |
//! | `suite` (by section) | the table `h1spec suite` prints | [`table`] |
//! | `diff` | console, Markdown (DIFFERENCES.md), JSON | [`diff`] |
//! | `client --all` | Markdown (CLIENTS.md) | [`clients`] |

pub mod cases;
pub mod clients;
pub mod diff;
pub mod table;

pub use cases::{class_table, console, json, junit, summary_line, Style};
