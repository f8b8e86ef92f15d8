//! The probe's judge: what a case's observation ([`Observed`]) means, as a [`CaseResult`]. A
//! pure function of the case, the controls and the exchanges: it sends nothing, and the same
//! observation always gets the same result.
//!
//! The run ([`super::session::Probing`]) calls [`first_verdict`] and [`stands`] too, to decide
//! what else to send (the liveness check, the control, the confirmations): the decisions and the
//! final result come from the same functions.

use std::time::Duration;

use crate::corpus::{Case, DesyncClass, Expect, Section};
use crate::net::{End, Exchange};
use crate::pipeline::{CaseResult, Desync, DesyncVerdict, Judge, Judgment, Reproduced};

use super::judge::{classify, describe, judge};
use super::observation::{Control, Controls, Observed, Try};
use super::reading::{self, Cause, Reading, Then};
use super::{printf_escaped, Target};

/// The class a case is checked for with the canary, or `None` when it is sent alone (no class,
/// or an incomplete message, which has no end for the canary to follow).
pub fn framing_class(case: &Case) -> Option<DesyncClass> {
    case.desync.filter(|_| case.expect != Expect::Incomplete)
}

/// Whether h1wire refuses the case only for a size limit or a numeral too large for its
/// integers: then reading it as announced conforms too (RFC 9110 §8.6).
pub fn refused_for_a_limit(bytes: &[u8]) -> bool {
    matches!(reading::read(bytes, 0, &h1wire::Config::default(), "").refusal(), Some(Cause::Limit(_)))
}

/// The head of `case_bytes`, when every reading the RFC allows takes it alone as a whole message
/// with no body: sent alone, a server that waits expects body bytes the RFC says were not
/// announced. (A head the RFC refuses may still announce a body to a lax reader; the canary
/// judges those.)
pub fn head_alone(case_bytes: &[u8]) -> Option<&[u8]> {
    let head = &case_bytes[..crate::head::head_end(case_bytes)?];
    let no_body = reading::allowed(head, 0).iter().all(|r: &Reading| r.complete >= 1 && r.then == Then::Idle);
    no_body.then_some(head)
}

/// The desync verdict of one send of a framing case, and why.
pub fn first_verdict(t: &Try, readings: &[Reading], controls: &Controls, wait: Duration) -> (DesyncVerdict, String) {
    let (mut verdict, mut why) = classify(&t.exchange, readings, &controls.baseline);
    // The second way: the head alone, where every reading takes it as a whole message.
    let silent = |ex: &Exchange| ex.responses.is_empty() && ex.interim == 0 && ex.end == End::Timeout;
    if t.head_alone.as_ref().is_some_and(silent) {
        verdict = DesyncVerdict::Risk;
        why = format!(
            "{why}; and sent alone, the head (which the RFC reads as a whole message) got no answer in {} ms: the server waits for body bytes that were not announced",
            wait.as_millis()
        );
    }
    (verdict, why)
}

/// A risk checked against the case's control and the pipelining control: the verdict that
/// stands, and why.
pub fn stands(
    (verdict, why): (DesyncVerdict, String),
    control: Option<&Control>,
    controls: &Controls,
) -> (DesyncVerdict, String) {
    if verdict != DesyncVerdict::Risk {
        return (verdict, why);
    }
    if let Some(c) = control {
        let readings = reading::allowed(&c.sent, controls.canary.len());
        let (seen, control_why) = classify(&c.exchange, &readings, &controls.baseline);
        if seen != DesyncVerdict::Consistent {
            return (
                DesyncVerdict::Inconclusive,
                format!(
                    "{why}; but the control (the same shape made valid) was not read as the RFC reads it either ({control_why}), so the difference cannot be told from how this server answers any such request"
                ),
            );
        }
    }
    if !controls.pipelines {
        return (
            DesyncVerdict::Inconclusive,
            format!("{why} (but the server does not answer pipelined plain requests either: the canary cannot tell)"),
        );
    }
    (verdict, why)
}

/// The probe's judge, with what it needs beside each observation.
#[derive(Clone, Debug)]
pub struct ProbeJudge {
    /// Where the probe pointed (for the reproduce lines).
    pub target: Target,
    /// What the controls showed.
    pub controls: Controls,
    /// How long an incomplete message was watched.
    pub incomplete_wait: Duration,
}

impl Judge<Observed> for ProbeJudge {
    fn judge(&self, section: &Section, case: &Case, observed: &Observed) -> CaseResult {
        let wait = self.incomplete_wait;
        let bytes = case.bytes();
        let first_of = |ex: &Exchange| {
            let (verdict, expected, actual) = judge(case, ex, refused_for_a_limit(&bytes), wait.as_millis());
            let (verdict, actual) = self.capable(verdict, &bytes, ex, actual);
            (verdict, expected, actual)
        };
        match observed {
            Observed::NotSent(why) => CaseResult::new(section, case, Judgment::Skip, String::new(), why.clone()),
            Observed::Alone { exchange, still_answers } => {
                let (verdict, expected, actual) = first_of(exchange);
                if *still_answers == Some(false) {
                    return outage_result(section, case, expected, actual);
                }
                CaseResult::new(section, case, verdict, expected, actual)
            }
            Observed::WithCanary { sent, first, still_answers, control, again } => {
                let class = framing_class(case).expect("only framing cases are sent with the canary");
                let readings = reading::allowed(sent, self.controls.canary.len());
                let (judgment, expected, actual) = first_of(&first.exchange);
                if *still_answers == Some(false) {
                    return outage_result(section, case, expected, actual);
                }
                let (mut verdict, why) =
                    stands(first_verdict(first, &readings, &self.controls, wait), control.as_ref(), &self.controls);
                let mut reproduced = None;
                if verdict == DesyncVerdict::Risk && !again.is_empty() {
                    let times = again
                        .iter()
                        .filter(|t| first_verdict(t, &readings, &self.controls, wait).0 == DesyncVerdict::Risk)
                        .count();
                    reproduced = Some(Reproduced { times, of: again.len() });
                    if times == 0 {
                        verdict = DesyncVerdict::Unstable;
                    }
                }
                let mut desync = Desync::new(verdict, class, why, printf_escaped(sent), describe(&first.exchange));
                desync.reproduced = reproduced;
                let (host, port) = (self.target.addr.ip(), self.target.addr.port());
                desync.reproduce = vec![
                    format!("h1spec probe {} --case {} -v", self.target.authority, case.id),
                    format!("printf '{}' | nc {host} {port}", desync.sent),
                ];
                let mut result = CaseResult::new(section, case, judgment, expected, actual);
                result.desync = Some(desync);
                result
            }
        }
    }
}

impl ProbeJudge {
    /// A failed case sent as a POST that the server answered with the status it gives every POST
    /// with a body (the capability control) shows nothing about the case's rule: it is skipped,
    /// not failed. Its desync check still stands.
    fn capable(&self, judgment: Judgment, bytes: &[u8], ex: &Exchange, actual: String) -> (Judgment, String) {
        let refused_like_any_post = self.controls.refuses_bodies.is_some_and(|status| {
            crate::head::method(bytes) == "POST" && ex.responses.first().is_some_and(|r| r.status == status)
        });
        if judgment == Judgment::Fail && refused_like_any_post {
            let why =
                format!("inconclusive: answered as every POST with a body is here (capability control): {actual}");
            (Judgment::Skip, why)
        } else {
            (judgment, actual)
        }
    }
}

/// The result of a case after which the server stopped answering: the outage is the finding
/// (reported once, in the run's notes); the case itself is inconclusive.
fn outage_result(section: &Section, case: &Case, expected: String, actual: String) -> CaseResult {
    let actual = format!("inconclusive: the server stopped answering plain requests ({actual})");
    CaseResult::new(section, case, Judgment::Skip, expected, actual)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::judge::tests::{ex, seen, CANARY};

    fn judged(case_toml: &str, observed: &Observed, pipelines: bool) -> CaseResult {
        let sections =
            crate::corpus::load_str("t.toml", &format!("[section]\nid = \"t\"\ntitle = \"t\"\n[[case]]\n{case_toml}"))
                .unwrap();
        let judge = ProbeJudge {
            target: Target::parse("127.0.0.1:9").unwrap(),
            controls: Controls {
                canary: CANARY.to_vec(),
                baseline: seen(200),
                pipelines,
                refuses_bodies: None,
                gadget_blind: false,
            },
            incomplete_wait: Duration::from_millis(300),
        };
        judge.judge(&sections, &sections.cases[0], observed)
    }

    const BARE_LF_CHUNK: &str = r#"id = "x"
rfc = ["RFC 9112 §7.1"]
level = "MUST"
desync = "chunked"
raw = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"
expect = "reject"
status = [400]
"#;

    fn with_canary(first: Exchange, again: Vec<Exchange>) -> Observed {
        let case = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n";
        let t = |exchange| Try { exchange, head_alone: None };
        Observed::WithCanary {
            sent: [&case[..], CANARY].concat(),
            first: t(first),
            still_answers: Some(true),
            control: None,
            again: again.into_iter().map(t).collect(),
        }
    }

    #[test]
    fn a_risk_is_confirmed_by_the_sends_again_or_called_unstable() {
        let risk = || ex(&[200, 200], End::Open);
        let refused = || ex(&[400], End::Closed);
        let r = judged(BARE_LF_CHUNK, &with_canary(risk(), vec![risk(), refused(), risk()]), true);
        let d = r.desync.unwrap();
        assert_eq!((d.verdict, d.reproduced), (DesyncVerdict::Risk, Some(Reproduced { times: 2, of: 3 })));
        assert!(
            d.reproduce[1].starts_with("printf 'POST / HTTP/1.1\\r\\n") && d.reproduce[1].ends_with("| nc 127.0.0.1 9")
        );
        assert_eq!(r.verdict, Judgment::Fail, "accepted what a MUST refuses");
        let r = judged(BARE_LF_CHUNK, &with_canary(risk(), vec![refused(), refused()]), true);
        assert_eq!(r.desync.unwrap().verdict, DesyncVerdict::Unstable);
        // Without pipelining, the canary cannot tell.
        let r = judged(BARE_LF_CHUNK, &with_canary(risk(), vec![]), false);
        assert_eq!(r.desync.unwrap().verdict, DesyncVerdict::Inconclusive);
    }

    #[test]
    fn a_server_that_stopped_answering_makes_the_case_inconclusive() {
        let mut observed = with_canary(ex(&[], End::Timeout), vec![]);
        if let Observed::WithCanary { still_answers, .. } = &mut observed {
            *still_answers = Some(false);
        }
        let r = judged(BARE_LF_CHUNK, &observed, true);
        assert_eq!(r.verdict, Judgment::Skip);
        assert!(r.actual.starts_with("inconclusive: the server stopped answering"), "{}", r.actual);
        let r = judged(BARE_LF_CHUNK, &Observed::NotSent("bound".into()), true);
        assert_eq!((r.verdict, r.actual.as_str()), (Judgment::Skip, "bound"));
    }

    #[test]
    fn a_head_that_is_a_whole_message_is_sent_alone_and_a_server_waiting_on_it_is_a_risk() {
        assert!(head_alone(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nxyz").is_some());
        assert!(head_alone(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz").is_none());
        let sent = [&b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..], CANARY].concat();
        let readings = reading::allowed(&sent, CANARY.len());
        let controls = Controls {
            canary: CANARY.to_vec(),
            baseline: seen(200),
            pipelines: true,
            refuses_bodies: None,
            gadget_blind: false,
        };
        let t = Try { exchange: ex(&[200, 200], End::Open), head_alone: Some(ex(&[], End::Timeout)) };
        let (v, why) = first_verdict(&t, &readings, &controls, Duration::from_millis(300));
        assert_eq!(v, DesyncVerdict::Risk);
        assert!(why.ends_with("waits for body bytes that were not announced"), "{why}");
        let t = Try { head_alone: Some(ex(&[200], End::Open)), ..t };
        assert_eq!(first_verdict(&t, &readings, &controls, Duration::from_millis(300)).0, DesyncVerdict::Consistent);
    }
}
