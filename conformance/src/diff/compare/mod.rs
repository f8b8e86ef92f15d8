//! The first difference between two readings of one stream, and its class.
//!
//! The classes are the HTTP Garden's (Kallus et al. 2024), named in our terms. A difference is
//! looked for message by message: the first message the two read differently decides the
//! class, because everything after a disagreement about a boundary differs anyway.

use serde::{Deserialize, Serialize};

use super::{End, Message, Reading, Role, Stage};

/// One side of a difference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Side {
    /// The implementation.
    pub name: String,
    /// What it read there, in words.
    pub says: String,
    /// Its refusal, when it refused: status and error in its own words.
    pub error: Option<String>,
    /// The name its refusal gives the error, when it gives one (see [`End::Refused`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The status it refused with, when it refused and said one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

/// The first difference between two readings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// Its class.
    pub class: Class,
    /// For [`Class::Interpretation`]: the part.
    pub part: Option<Part>,
    /// The message (0-based) where the readings part.
    pub message: usize,
    /// One side.
    pub a: Side,
    /// The other.
    pub b: Side,
}

impl Difference {
    /// What identifies the difference across streams: the class, the part, the two
    /// implementations and the first word of each one's error. Streams with a signature not seen
    /// before are kept by the mutation loop, and findings are grouped by it.
    pub fn signature(&self) -> String {
        let word = |s: &Side| {
            s.rule.clone().or_else(|| s.error.as_deref().map(|e| error_word(e).to_owned())).unwrap_or_default()
        };
        let (x, y) = if self.a.name <= self.b.name { (&self.a, &self.b) } else { (&self.b, &self.a) };
        format!(
            "{} {} {}[{}] {}[{}]",
            self.class.name(),
            self.part.map(Part::name).unwrap_or("-"),
            x.name,
            word(x),
            y.name,
            word(y)
        )
    }

    /// The finding a difference belongs to: its class, its part and the two implementations.
    /// Findings are grouped by it; [`Difference::signature`] tells streams apart more finely.
    pub fn group(&self) -> String {
        let (x, y) = if self.a.name <= self.b.name { (&self.a, &self.b) } else { (&self.b, &self.a) };
        match self.part {
            Some(p) => format!("{} ({}): {} × {}", self.class.name(), p.name(), x.name, y.name),
            None => format!("{}: {} × {}", self.class.name(), x.name, y.name),
        }
    }

    /// Whether `name` is one of the two sides.
    pub fn involves(&self, name: &str) -> bool {
        self.a.name == name || self.b.name == name
    }
}

/// The first word of an error (`bare-lf` of `bare-lf: …`, `400` of `400 Bad Request`).
pub fn error_word(error: &str) -> &str {
    let first = error.split([':', ' ', ',']).find(|w| !w.is_empty()).unwrap_or_default();
    first.get(..first.len().min(40)).unwrap_or(first)
}

/// One implementation's reading, as [`compare`] takes it.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its role (what can be compared).
    pub role: Role,
    /// Its reading.
    pub reading: &'a Reading,
}

/// The first difference between two readings of the same stream, or `None` when they agree
/// on everything both can be compared on.
///
/// ```
/// use h1spec::diff::compare::{compare, Class, Seen};
/// use h1spec::diff::{Reading, Role};
///
/// let one = Reading::from_lines(r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[],"trailers":[],"body":""}"#).unwrap();
/// let refused = Reading::from_lines(r#"{"verdict":"reject","status":400,"error":"bare-lf"}"#).unwrap();
/// let d = compare(
///     Seen { name: "lax", role: Role::Parser, reading: &one },
///     Seen { name: "strict", role: Role::Parser, reading: &refused },
/// )
/// .unwrap();
/// assert_eq!(d.class, Class::AcceptRefuse);
/// ```
pub fn compare(a: Seen<'_>, b: Seen<'_>) -> Option<Difference> {
    let mut d = first_difference(a, b)?;
    if matches!(d.class, Class::AcceptRefuse | Class::RefusalStatus) && (is_limit(&d.a) || is_limit(&d.b)) {
        d.class = Class::Limit;
    }
    Some(d)
}

/// Whether a side refused for a size limit: a 413, 414 or 431, or one of h1wire's limit rules.
///
/// ```
/// use h1spec::diff::compare::{is_limit, Side};
///
/// let side = Side { name: "h1wire".into(), says: String::new(), error: None, rule: None, status: Some(431) };
/// assert!(is_limit(&side));
/// ```
pub fn is_limit(side: &Side) -> bool {
    const RULES: &[&str] = &[
        "head-too-large",
        "too-many-fields",
        "target-too-long",
        "body-too-large",
        "chunk-extensions-too-large",
        "trailers-too-large",
    ];
    side.status.is_some_and(|s| matches!(s, 413 | 414 | 431))
        || side.rule.as_deref().is_some_and(|r| RULES.contains(&r))
}

/// The first difference between two readings, before limits are told apart.
fn first_difference(a: Seen<'_>, b: Seen<'_>) -> Option<Difference> {
    // A proxy rewrites fields and the version it forwards, and forwards an absolute-form
    // target in origin-form (RFC 9112 §3.2.2): only method, the origin-form target and body
    // are its own.
    let whole = a.role != Role::Proxy && b.role != Role::Proxy;
    if a.role == Role::HeadParser || b.role == Role::HeadParser {
        return compare_heads(a, b, whole);
    }
    for i in 0.. {
        match (a.reading.messages.get(i), b.reading.messages.get(i)) {
            (Some(x), Some(y)) => {
                if let Some(part) = differ(x, y, whole) {
                    let says = |m: &Message| Side::says_part(m, part);
                    return Some(Difference {
                        class: Class::Interpretation,
                        part: Some(part),
                        message: i,
                        a: Side { name: a.name.into(), says: says(x), error: None, rule: None, status: None },
                        b: Side { name: b.name.into(), says: says(y), error: None, rule: None, status: None },
                    });
                }
            }
            (Some(_), None) => return ended_before(b, a, i).map(Difference::swapped),
            (None, Some(_)) => return ended_before(a, b, i),
            (None, None) => return compare_ends(a, b, i),
        }
    }
    None
}

impl Difference {
    fn swapped(self) -> Difference {
        Difference { a: self.b, b: self.a, ..self }
    }
}

impl Side {
    fn says_part(m: &Message, part: Part) -> String {
        let show = |b: &[u8]| {
            let s = b.escape_ascii().to_string();
            if s.len() > 120 {
                format!("{}… ({} B)", s.chars().take(120).collect::<String>(), b.len())
            } else {
                format!("\"{s}\"")
            }
        };
        match part {
            Part::Method => show(&m.method),
            Part::Target => show(&m.target),
            Part::Version => m.version.clone(),
            Part::Fields => format_fields(&normal_fields(&m.fields)),
            Part::Trailers => format_fields(&normal_fields(&m.trailers)),
            Part::Body => show(&m.body),
        }
    }

    fn of_end(name: &str, end: &End, message: usize) -> Side {
        let (says, error, rule, status) = match end {
            End::Clean => (format!("sees no message {}: the stream ends", message + 1), None, None, None),
            End::Cut { stage } => (format!("waits for more bytes (in the {})", stage_name(*stage)), None, None, None),
            End::Refused { status, error, rule, stage, .. } => {
                let e = format!("{error} ({status})");
                let says = format!(
                    "refuses message {} (in the {}) with {status}: {}",
                    message + 1,
                    stage_name(*stage),
                    clip(error)
                );
                (says, Some(e), rule.clone(), Some(*status).filter(|&s| s != 0))
            }
            End::Closed => ("closes without answering".into(), None, None, None),
        };
        Side { name: name.into(), says, error, rule, status }
    }

    fn of_message(name: &str, m: &Message, message: usize) -> Side {
        let says = format!(
            "reads message {}: {} {} with a {} B body",
            message + 1,
            String::from_utf8_lossy(&m.method),
            clip(&m.target.escape_ascii().to_string()),
            m.body.len()
        );
        Side { name: name.into(), says, error: None, rule: None, status: None }
    }
}

fn clip(s: &str) -> String {
    if s.chars().count() > 100 {
        format!("{}…", s.chars().take(100).collect::<String>())
    } else {
        s.to_owned()
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Head => "head",
        Stage::Body => "body",
        Stage::Unknown => "message",
    }
}

fn format_fields(fields: &[(Vec<u8>, Vec<u8>)]) -> String {
    let list: Vec<String> = fields
        .iter()
        .map(|(n, v)| {
            let name = if n.is_empty() { "(no name)".to_owned() } else { n.escape_ascii().to_string() };
            format!("{name}: {}", v.escape_ascii())
        })
        .collect();
    clip(&list.join(" | "))
}

/// `short` has no message `i`; `long` has one.
fn ended_before(short: Seen<'_>, long: Seen<'_>, i: usize) -> Option<Difference> {
    let class = match short.reading.end {
        End::Refused { .. } => Class::AcceptRefuse,
        End::Clean | End::Cut { .. } | End::Closed => Class::MessageCount,
    };
    let m = &long.reading.messages[i];
    Some(Difference {
        class,
        part: None,
        message: i,
        a: Side::of_end(short.name, &short.reading.end, i),
        b: Side::of_message(long.name, m, i),
    })
}

/// Neither has message `i`: how did each end?
fn compare_ends(a: Seen<'_>, b: Seen<'_>, i: usize) -> Option<Difference> {
    let class = match (&a.reading.end, &b.reading.end) {
        (End::Refused { status: x, .. }, End::Refused { status: y, .. }) => {
            if x == y || *x == 0 || *y == 0 {
                return None;
            }
            Class::RefusalStatus
        }
        (End::Refused { .. }, End::Clean) | (End::Clean, End::Refused { .. }) => Class::MessageCount,
        (End::Refused { .. }, _) | (_, End::Refused { .. }) => Class::AcceptRefuse,
        (End::Clean, End::Cut { .. }) | (End::Cut { .. }, End::Clean) => Class::MessageCount,
        _ => return None,
    };
    Some(Difference {
        class,
        part: None,
        message: i,
        a: Side::of_end(a.name, &a.reading.end, i),
        b: Side::of_end(b.name, &b.reading.end, i),
    })
}

/// The first part two messages differ on (`whole`: fields, trailers and version too, and the
/// target as sent; otherwise its origin-form).
fn differ(x: &Message, y: &Message, whole: bool) -> Option<Part> {
    if x.method != y.method {
        return Some(Part::Method);
    }
    let same_target = if whole { x.target == y.target } else { origin_form(&x.target) == origin_form(&y.target) };
    if !same_target {
        return Some(Part::Target);
    }
    if whole && x.version != y.version {
        return Some(Part::Version);
    }
    let fields = |m: &Message| {
        let mut f = normal_fields(&m.fields);
        f.retain(|(n, _)| !x.fields_lack.contains(n) && !y.fields_lack.contains(n));
        f
    };
    if whole && fields(x) != fields(y) {
        return Some(Part::Fields);
    }
    if x.body != y.body {
        return Some(Part::Body);
    }
    if whole && normal_fields(&x.trailers) != normal_fields(&y.trailers) {
        return Some(Part::Trailers);
    }
    None
}

/// The origin-form of an absolute-form target (`http://a/b?c` is `/b?c`, `http://a` is `/`);
/// any other target as it is.
fn origin_form(target: &[u8]) -> &[u8] {
    let Some(at) = target.windows(3).position(|w| w == b"://") else { return target };
    if !target[..at].iter().all(u8::is_ascii_alphanumeric) {
        return target;
    }
    let rest = &target[at + 3..];
    match rest.iter().position(|&b| b == b'/' || b == b'?') {
        Some(p) if rest[p] == b'/' => &rest[p..],
        _ => b"/",
    }
}

/// Fields as compared: names lowercased, values without surrounding SP/HTAB, sorted by name
/// with the order within one name kept (RFC 9110 §5.3: only that order carries meaning).
/// Transfer-Encoding values are lowercased too: transfer-coding names are case-insensitive
/// (RFC 9112 §7).
pub fn normal_fields(fields: &[(Vec<u8>, Vec<u8>)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = fields
        .iter()
        .map(|(n, v)| {
            let v = v.trim_ascii_start();
            let end = v.iter().rposition(|&b| b != b' ' && b != b'\t').map_or(0, |p| p + 1);
            let name = n.to_ascii_lowercase();
            let value = if name == b"transfer-encoding" { v[..end].to_ascii_lowercase() } else { v[..end].to_vec() };
            (name, value)
        })
        .collect();
    out.sort_by(|x, y| x.0.cmp(&y.0));
    out
}

/// The first message's head, as far as a reading tells it.
enum HeadView<'a> {
    /// The head was read (and here it is, when the reading has it).
    Read(Option<&'a Message>),
    Refused,
    Cut,
    Nothing,
}

fn head_view<'a>(reading: &'a Reading) -> HeadView<'a> {
    if let Some(m) = reading.messages.first() {
        return HeadView::Read(Some(m));
    }
    match &reading.end {
        End::Refused { stage: Stage::Body, .. } | End::Cut { stage: Stage::Body } => HeadView::Read(None),
        End::Refused { .. } => HeadView::Refused,
        End::Cut { .. } => HeadView::Cut,
        End::Clean | End::Closed => HeadView::Nothing,
    }
}

/// Only the first head: what a head parser can be compared on (`whole` as in [`differ`]).
fn compare_heads(a: Seen<'_>, b: Seen<'_>, whole: bool) -> Option<Difference> {
    let side = |s: &Seen<'_>| match s.reading.messages.first() {
        Some(m) => Side::of_message(s.name, m, 0),
        None => Side::of_end(s.name, &s.reading.end, 0),
    };
    let class = match (head_view(a.reading), head_view(b.reading)) {
        (HeadView::Read(Some(x)), HeadView::Read(Some(y))) => {
            let part =
                differ(&Message { body: Vec::new(), ..x.clone() }, &Message { body: Vec::new(), ..y.clone() }, whole)
                    .filter(|p| *p != Part::Trailers)?;
            return Some(Difference {
                class: Class::Interpretation,
                part: Some(part),
                message: 0,
                a: Side { name: a.name.into(), says: Side::says_part(x, part), error: None, rule: None, status: None },
                b: Side { name: b.name.into(), says: Side::says_part(y, part), error: None, rule: None, status: None },
            });
        }
        (HeadView::Read(_), HeadView::Refused) | (HeadView::Refused, HeadView::Read(_)) => Class::AcceptRefuse,
        (HeadView::Cut, HeadView::Refused) | (HeadView::Refused, HeadView::Cut) => Class::AcceptRefuse,
        (HeadView::Read(_), HeadView::Cut) | (HeadView::Cut, HeadView::Read(_)) => Class::MessageCount,
        (HeadView::Refused, HeadView::Refused) => match (&a.reading.end, &b.reading.end) {
            (End::Refused { status: x, .. }, End::Refused { status: y, .. }) if x != y && *x != 0 && *y != 0 => {
                Class::RefusalStatus
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(Difference { class, part: None, message: 0, a: side(&a), b: side(&b) })
}

mod chain;
mod class;
mod forwarded;
mod rfc;
#[cfg(test)]
mod tests;

pub use chain::chain;
pub use class::{Class, Part};
pub use forwarded::{forwarded, kept_open};
pub use rfc::{forbidden, read_on};
