//! The comparator on hand-written readings.

use super::*;

fn reading(lines: &str) -> Reading {
    Reading::from_lines(lines).unwrap()
}

const GET: &str = r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[["Host","a"]],"trailers":[],"body":""}"#;

fn cmp(x: &Reading, y: &Reading) -> Option<Difference> {
    compare(Seen { name: "x", role: Role::Parser, reading: x }, Seen { name: "y", role: Role::Parser, reading: y })
}

#[test]
fn field_case_order_across_names_and_whitespace_are_not_differences() {
    let x = reading(
        r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[["Host","a"],["X"," 1 "]],"trailers":[],"body":""}"#,
    );
    let y = reading(
        r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[["x","1"],["host","a"]],"trailers":[],"body":""}"#,
    );
    assert_eq!(cmp(&x, &y), None);
    let z = reading(
        r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[["x","2"],["host","a"]],"trailers":[],"body":""}"#,
    );
    let d = cmp(&x, &z).unwrap();
    assert_eq!((d.class, d.part), (Class::Interpretation, Some(Part::Fields)));
}

#[test]
fn each_ending_pair_has_its_class() {
    let refused = reading(r#"{"verdict":"reject","status":400,"error":"x"}"#);
    let refused_501 = reading(r#"{"verdict":"reject","status":501,"error":"x"}"#);
    let cut = reading(r#"{"verdict":"reject","status":null,"error":"eof"}"#);
    let one = reading(GET);
    let two = reading(&format!("{GET}\n{GET}"));
    assert_eq!(cmp(&one, &refused).unwrap().class, Class::AcceptRefuse);
    assert_eq!(cmp(&refused, &refused_501).unwrap().class, Class::RefusalStatus);
    assert_eq!(cmp(&refused, &refused), None);
    assert_eq!(cmp(&cut, &refused).unwrap().class, Class::AcceptRefuse);
    assert_eq!(cmp(&one, &two).unwrap().class, Class::MessageCount);
    let d = cmp(&two, &one).unwrap();
    // `a` is always the first reading given.
    assert_eq!((d.class, d.message, d.a.name.as_str(), d.b.name.as_str()), (Class::MessageCount, 1, "x", "y"));
    assert!(d.a.says.contains("reads message 2") && d.b.says.contains("sees no message 2"), "{d:?}");
    assert_eq!(cmp(&one, &cut).unwrap().class, Class::MessageCount);
}

#[test]
fn a_head_parser_is_compared_on_the_first_head_only() {
    let body_refused = reading(r#"{"verdict":"reject","status":400,"error":"bad-chunk","stage":"body"}"#);
    let head = reading(GET);
    let head_parser = Seen { name: "h", role: Role::HeadParser, reading: &head };
    assert_eq!(compare(head_parser, Seen { name: "p", role: Role::Parser, reading: &body_refused }), None);
    let head_refused = reading(r#"{"verdict":"reject","status":400,"error":"bare-lf","stage":"head"}"#);
    let d = compare(head_parser, Seen { name: "p", role: Role::Parser, reading: &head_refused }).unwrap();
    assert_eq!(d.class, Class::AcceptRefuse);
    assert_eq!(d.b.error.as_deref(), Some("bare-lf (400)"));
}

#[test]
fn signatures_do_not_depend_on_side_order() {
    let x = reading(GET);
    let y = reading(r#"{"verdict":"reject","status":400,"error":"bare-lf","message":"no"}"#);
    let lf = Seen { name: "lf", role: Role::Parser, reading: &x };
    let strict = Seen { name: "strict", role: Role::Parser, reading: &y };
    let d1 = compare(lf, strict).unwrap();
    let d2 = compare(strict, lf).unwrap();
    assert_eq!(d1.signature(), d2.signature());
    assert_eq!(d1.signature(), "accept-refuse - lf[] strict[bare-lf]");
    assert_eq!(d1.group(), d2.group());
}

#[test]
fn forwarded_bytes_are_kept_open_and_judged_by_where_the_canary_lands() {
    assert_eq!(
        kept_open(b"GET / HTTP/1.0\r\nconnection: close\r\n\r\n"),
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nXonnection: close\r\n\r\n"
    );
    let origin = |lines: &str| reading(lines);
    let fine = reading(GET);
    let judge_both = |alone: &Reading, then: &Reading| {
        let seen = |r| Seen { name: "o", role: Role::Parser, reading: r };
        forwarded("proxy", b"x", seen(alone), seen(then)).map(|d| d.class)
    };
    let judge = |then: &Reading| judge_both(&fine, then);
    let canary = r#"{"verdict":"accept","method":"GET","target":"/h1spec-canary","version":"HTTP/1.1","headers":[],"trailers":[],"body":""}"#;
    assert_eq!(judge(&origin(&format!("{GET}\n{canary}"))), None, "one message, then the canary");
    assert_eq!(judge(&origin(GET)), None, "the origin stopped reading after it");
    let swallowed = r#"{"verdict":"accept","method":"GET","target":"/","version":"HTTP/1.1","headers":[],"trailers":[],"body":"GET /h1spec-canary HTTP/1.1\r\n"}"#;
    assert_eq!(judge(&origin(swallowed)), Some(Class::ProxySmuggling), "the canary went into the body");
    assert_eq!(judge(&origin(&format!("{GET}\n{GET}\n{canary}"))), Some(Class::ProxySmuggling), "two messages");
    let refused = r#"{"verdict":"reject","status":400,"error":"x","stage":"body"}"#;
    assert_eq!(
        judge_both(&origin(refused), &origin(refused)),
        Some(Class::ForwardedRefused),
        "the origin refuses what the proxy forwards, canary or not"
    );
    let cut = origin(r#"{"verdict":"reject","status":null,"error":"eof","stage":"body"}"#);
    assert_eq!(judge_both(&cut, &origin(refused)), Some(Class::ProxySmuggling), "a body that runs into the canary");
    // A client's body that itself holds the canary's path, forwarded as the proxy framed it.
    let sent = b"POST / HTTP/1.1\r\nContent-Length: 18\r\n\r\nGET /h1spec-canary";
    let own = r#"{"verdict":"accept","method":"POST","target":"/","version":"HTTP/1.1","headers":[],"trailers":[],"body":"GET /h1spec-canary"}"#;
    let seen = |r| Seen { name: "o", role: Role::Parser, reading: r };
    let (own, more) = (
        origin(own),
        origin(
            r#"{"verdict":"accept","method":"POST","target":"/","version":"HTTP/1.1","headers":[],"trailers":[],"body":"GET /h1spec-canary HTTP/1.1"}"#,
        ),
    );
    assert_eq!(forwarded("proxy", sent, seen(&own), seen(&own)), None, "its own body, not the canary");
    assert!(forwarded("proxy", sent, seen(&own), seen(&more)).is_some(), "more than its own body: the canary");
}

#[test]
fn a_chain_desyncs_when_the_origin_reads_other_messages_than_the_proxy_meant() {
    let get =
        |target: &str| Message { method: b"GET".to_vec(), target: target.as_bytes().to_vec(), ..Message::default() };
    let meant = [(get("/"), true), (get("/h1spec-canary"), true)];
    let origin = |messages: Vec<Message>, end: End| Reading { messages, end };
    fn seen(reading: &Reading) -> Seen<'_> {
        Seen { name: "proxy → origin", role: Role::Chain, reading }
    }
    let judge = |r: &Reading| chain("proxy", &meant, seen(r), false);
    assert_eq!(judge(&origin(vec![get("/"), get("/h1spec-canary")], End::Closed)), None, "what was meant");
    let absolute = Message { target: b"http://a/".to_vec(), ..get("/") };
    assert_eq!(
        judge(&origin(vec![absolute, get("/h1spec-canary")], End::Closed)),
        None,
        "the same target in absolute form"
    );
    let refused = End::Refused { status: 400, error: "bad".into(), rule: None, read_on: false, stage: Stage::Head };
    assert_eq!(judge(&origin(vec![get("/")], refused)), None, "the origin may refuse what it is sent");
    let hidden = origin(vec![get("/"), get("/hidden"), get("/h1spec-canary")], End::Closed);
    let d = judge(&hidden).unwrap();
    assert_eq!((d.class, d.message), (Class::ChainDesync, 1));
    assert!(d.b.says.contains("GET /hidden"), "{}", d.b.says);
    assert!(
        judge(&origin(vec![get("/")], End::Closed)).is_some(),
        "one fewer, with no refusal: the canary went unread"
    );
    let swallowed = Message { body: b"GET /h1spec-canary HTTP/1.1\r\n".to_vec(), ..get("/") };
    assert!(judge(&origin(vec![swallowed], End::Closed)).is_some(), "the canary taken as a body");
    let stalled = origin(vec![], End::Closed);
    assert_eq!(chain("proxy", &meant, seen(&stalled), true), None, "a body the proxy still holds back: a stall");
}

#[test]
fn a_refusal_for_a_size_limit_is_a_class_apart() {
    let lax = reading(GET);
    let limit =
        reading(r#"{"verdict":"reject","status":431,"error":"head-too-large","message":"too big","stage":"head"}"#);
    let rule = reading(r#"{"verdict":"reject","status":400,"error":"bare-lf","message":"no","stage":"head"}"#);
    assert_eq!(cmp(&lax, &limit).map(|d| d.class), Some(Class::Limit));
    assert_eq!(cmp(&lax, &rule).map(|d| d.class), Some(Class::AcceptRefuse));
    assert_eq!(cmp(&rule, &limit).map(|d| d.class), Some(Class::Limit), "400 against 431: the limit decides");
}

#[test]
fn a_server_that_reads_on_after_a_message_it_must_close_after_is_flagged() {
    let two = reading(&format!("{GET}\n{GET}"));
    let one = reading(GET);
    let at = |role: Role, r: &Reading| {
        read_on(Seen { name: "s", role, reading: r }, "close after TE+CL", true).map(|d| d.class)
    };
    assert_eq!(at(Role::Origin, &two), Some(Class::ReadOn), "read it, then the next one");
    assert_eq!(at(Role::Proxy, &two), Some(Class::ReadOn));
    assert_eq!(at(Role::Origin, &one), None, "read it, then closed");
    assert_eq!(at(Role::Parser, &two), None, "a parser does not decide whether the connection persists");
    let only_refusals = read_on(Seen { name: "s", role: Role::Origin, reading: &two }, "a limit", false);
    assert_eq!(only_refusals, None, "a server with a larger limit reads on rightly");
}
