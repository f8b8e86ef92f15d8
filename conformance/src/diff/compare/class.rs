//! The kinds of difference and the parts of a message they can be about.

use serde::{Deserialize, Serialize};

/// The kind of a difference.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// One reads a message that the other refuses.
    AcceptRefuse,
    /// Both read the message, but read a different method, target, version, fields, body or
    /// trailers. A different body is a different message boundary.
    Interpretation,
    /// They see a different number of messages in the stream: one ends or waits for more bytes
    /// where the other reads another message.
    MessageCount,
    /// Both refuse the message, with different statuses.
    RefusalStatus,
    /// One reads a message that the RFC says a recipient MUST refuse (streams from corpus cases
    /// whose verdict is a MUST-level reject).
    ForbiddenAccepted,
    /// A proxy forwards bytes it meant as one message that an origin reads as another number of
    /// messages (or as one that swallows the next): the smuggling primitive.
    ProxySmuggling,
    /// A parser, as an origin, refuses the bytes a proxy forwarded as one message: the proxy
    /// passed on (or made) what a strict origin will not read. Not a comparison of two readings
    /// of the client's stream, so it never splits the readers into groups.
    ForwardedRefused,
    /// On a real proxy → origin chain, the origin read other messages than the proxy meant to
    /// forward: a message it never meant, one fewer, or one with another method, target or
    /// body. Request smuggling, seen end to end.
    ChainDesync,
    /// A server refused a message the RFC says must close the connection (a framing error: the
    /// corpus case's `must_close`), or read one the RFC lets it read only if it closes after
    /// (Transfer-Encoding with Content-Length), then answered what followed it: after such a
    /// message nobody knows where the next one starts.
    ReadOn,
    /// One refuses (or both do, differently) for a size limit, which the RFC leaves to each
    /// implementation (RFC 9110 §5.4, §8.6; RFC 9112 §7.1.1: SHOULD-level): a class apart from
    /// the rules every reader must keep.
    Limit,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 10] = [
        Class::ChainDesync,
        Class::ProxySmuggling,
        Class::ForwardedRefused,
        Class::MessageCount,
        Class::ReadOn,
        Class::Interpretation,
        Class::AcceptRefuse,
        Class::RefusalStatus,
        Class::ForbiddenAccepted,
        Class::Limit,
    ];

    /// The kebab-case name used in reports, JSON and quirk files.
    pub fn name(self) -> &'static str {
        match self {
            Class::AcceptRefuse => "accept-refuse",
            Class::Interpretation => "interpretation",
            Class::MessageCount => "message-count",
            Class::RefusalStatus => "refusal-status",
            Class::ForbiddenAccepted => "forbidden-accepted",
            Class::ProxySmuggling => "proxy-smuggling",
            Class::ForwardedRefused => "forwarded-refused",
            Class::ChainDesync => "chain-desync",
            Class::Limit => "limit",
            Class::ReadOn => "read-on",
        }
    }

    /// The class named `name`.
    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// What the class means, in a sentence.
    pub fn meaning(self) -> &'static str {
        match self {
            Class::AcceptRefuse => "one reads a message the other refuses",
            Class::Interpretation => "both read the message but not the same method, target, version, fields or body",
            Class::MessageCount => "they see a different number of messages in the stream",
            Class::RefusalStatus => "both refuse, with different statuses",
            Class::ForbiddenAccepted => "one reads a message the RFC says MUST be refused",
            Class::ProxySmuggling => "a proxy forwards as one message bytes an origin reads otherwise",
            Class::ForwardedRefused => "a parser, as an origin, refuses what a proxy forwarded as one message",
            Class::ChainDesync => "on a real proxy → origin chain, the origin read other messages than the proxy meant",
            Class::Limit => "one refuses for a size limit each implementation sets (SHOULD-level)",
            Class::ReadOn => "a server refused, or read, a message after which the RFC says it must close the connection, then read on",
        }
    }
}

/// The part of a message two readings disagree on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// The method.
    Method,
    /// The request-target.
    Target,
    /// The version.
    Version,
    /// The header fields (compared per name, case-insensitively, values without surrounding
    /// whitespace: the order across names and the case of names carry no meaning).
    Fields,
    /// The decoded body.
    Body,
    /// The trailer fields.
    Trailers,
}

impl Part {
    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Part::Method => "method",
            Part::Target => "target",
            Part::Version => "version",
            Part::Fields => "fields",
            Part::Body => "body",
            Part::Trailers => "trailers",
        }
    }
}
