//! Known, accepted differences: one TOML file per peer in `peers/quirks/` (`nginx.toml`, …),
//! each entry with the reason it is accepted, the way rustls's BoGo configuration lists its
//! divergences. A difference one of its two sides explains is counted as known and not
//! reported as a finding; everything else is reported.
//!
//! ```toml
//! [[quirk]]
//! class = "accept-refuse"        # the class (required)
//! with = "h1wire"                # only against this peer (optional)
//! part = "fields"                # for interpretation: the part (optional)
//! error = "HPE_INVALID"          # text in this peer's refusal (optional)
//! rule = "bare-lf"               # this peer's refusal is named exactly this (optional)
//! other_error = "bare-lf"        # text in the other side's refusal (optional)
//! says = "HTTP/1.1"              # text in what this peer read (optional)
//! reason = "llhttp refuses … (RFC 9112 §2.2 allows either)"
//! ```
//!
//! Text is matched case-insensitively, with `_` and spaces read as `-`, so `content-length`
//! matches h1wire's `invalid-content-length`, llhttp's `HPE_INVALID_CONTENT_LENGTH` and Go's
//! `Content-Length`. `rule` is matched whole against the name the peer gives its error (typed
//! data: h1wire's rule, a shim's `error` field, httparse's error variant; never a word of the
//! prose), so that `bare-lf` (RFC 9112 §2.2, a MAY) does not also explain `chunk-line-bare-lf`
//! (§7.1, a MUST).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::compare::{Class, Difference, Side};

/// One known difference of a peer.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quirk {
    /// The class.
    pub class: String,
    /// Only against this peer.
    pub with: Option<String>,
    /// Only on this part.
    pub part: Option<String>,
    /// Text the peer's own refusal holds.
    pub error: Option<String>,
    /// The name the peer's own refusal gives its error, exactly.
    pub rule: Option<String>,
    /// Text the other side's refusal holds.
    pub other_error: Option<String>,
    /// Text in what this peer read.
    pub says: Option<String>,
    /// Why it is accepted.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    quirk: Vec<Quirk>,
}

/// Every peer's quirks.
#[derive(Clone, Debug, Default)]
pub struct Quirks {
    by_peer: BTreeMap<String, Vec<Quirk>>,
}

impl Quirks {
    /// Reads every `*.toml` in `dir` (the file's stem is the peer's name). A missing folder is
    /// no quirks.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or parsed, or names an unknown class.
    pub fn load(dir: &Path) -> Result<Quirks, String> {
        let mut by_peer = BTreeMap::new();
        let Ok(entries) = std::fs::read_dir(dir) else { return Ok(Quirks::default()) };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "toml") {
                continue;
            }
            let name = path.file_stem().unwrap_or_default().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            by_peer.insert(name, Quirks::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        Ok(Quirks { by_peer })
    }

    /// Parses one peer's file.
    ///
    /// # Errors
    ///
    /// Bad TOML, or a class that does not exist.
    pub fn parse(text: &str) -> Result<Vec<Quirk>, String> {
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        for q in &file.quirk {
            if Class::from_name(&q.class).is_none() {
                return Err(format!("unknown class {:?}", q.class));
            }
        }
        Ok(file.quirk)
    }

    /// Quirks for `peer` (used by tests and tools).
    pub fn insert(&mut self, peer: &str, quirks: Vec<Quirk>) {
        self.by_peer.insert(peer.into(), quirks);
    }

    /// The peer and quirk that explain `d`, if any.
    pub fn explain<'a>(&'a self, d: &'a Difference) -> Option<(&'a str, &'a Quirk)> {
        let sides = [(&d.a, &d.b), (&d.b, &d.a)];
        sides.into_iter().find_map(|(own, other)| {
            let quirks = self.by_peer.get(&own.name)?;
            quirks.iter().find(|q| matches(q, d, own, other)).map(|q| (own.name.as_str(), q))
        })
    }
}

/// Text as quirks match it: lowercase, `_` and spaces as `-`.
fn folded(text: &str) -> String {
    text.chars().map(|c| if c == '_' || c == ' ' { '-' } else { c.to_ascii_lowercase() }).collect()
}

fn matches(q: &Quirk, d: &Difference, own: &Side, other: &Side) -> bool {
    let has = |text: Option<&str>, wanted: &Option<String>| {
        wanted.as_ref().is_none_or(|w| text.is_some_and(|t| folded(t).contains(&folded(w))))
    };
    q.class == d.class.name()
        && q.with.as_ref().is_none_or(|w| *w == other.name)
        && q.part.as_ref().is_none_or(|p| d.part.is_some_and(|dp| dp.name() == p))
        && has(own.error.as_deref(), &q.error)
        && q.rule.as_ref().is_none_or(|r| own.rule.as_ref() == Some(r))
        && has(other.error.as_deref(), &q.other_error)
        && has(Some(&own.says), &q.says)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare::Part;

    /// A side refusing with `error` (`rule (status)`), named by its first word as h1wire names it.
    fn side(name: &str, error: Option<&str>) -> Side {
        let rule = error.and_then(|e| e.split(' ').next()).map(Into::into);
        Side { name: name.into(), says: String::new(), error: error.map(Into::into), rule, status: None }
    }

    #[test]
    fn a_quirk_explains_only_what_it_names() {
        let mut q = Quirks::default();
        q.insert(
            "lax",
            Quirks::parse(
                "[[quirk]]\nclass = \"accept-refuse\"\nother_error = \"bare-lf\"\nreason = \"takes LF alone\"\n",
            )
            .unwrap(),
        );
        let d = Difference {
            class: Class::AcceptRefuse,
            part: None,
            message: 0,
            a: side("strict", Some("bare-lf (400)")),
            b: side("lax", None),
        };
        assert_eq!(q.explain(&d).map(|(p, q)| (p, q.reason.as_str())), Some(("lax", "takes LF alone")));
        let other = Difference { a: side("strict", Some("bare-cr (400)")), ..d.clone() };
        assert!(q.explain(&other).is_none());
        let interp = Difference { class: Class::Interpretation, part: Some(Part::Body), ..d };
        assert!(q.explain(&interp).is_none());
        assert!(Quirks::parse("[[quirk]]\nclass = \"nope\"\nreason = \"x\"\n").is_err());
    }

    #[test]
    fn a_rule_is_matched_whole_so_a_chunk_line_bare_lf_is_not_a_head_bare_lf() {
        let mut q = Quirks::default();
        q.insert(
            "strict",
            Quirks::parse("[[quirk]]\nclass = \"accept-refuse\"\nrule = \"bare-lf\"\nreason = \"§2.2\"\n").unwrap(),
        );
        let head = Difference {
            class: Class::AcceptRefuse,
            part: None,
            message: 0,
            a: side("strict", Some("bare-lf (400)")),
            b: side("lax", None),
        };
        assert!(q.explain(&head).is_some());
        let chunk = Difference { a: side("strict", Some("chunk-line-bare-lf (400)")), ..head.clone() };
        assert!(q.explain(&chunk).is_none(), "RFC 9112 §2.2 does not cover chunk lines");
        // The rule is the name the refusal gives, not a word of its prose.
        let prose = Side { rule: Some("go-read-request".into()), ..side("strict", Some("bare-lf: in a header (400)")) };
        assert!(q.explain(&Difference { a: prose, ..head }).is_none(), "matched on the name, not the words");
    }
}
