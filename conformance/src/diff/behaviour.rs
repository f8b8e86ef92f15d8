//! Findings by behaviour, not by pair. One behaviour (Go ignoring Transfer-Encoding in
//! HTTP/1.0) makes every other reader differ from the one that has it: as pairs, that is one
//! finding per other reader. Here the readers of a stream are partitioned into groups that read
//! it alike, and a stream's finding is the partition: `message-count: go-readrequest, go-server
//! | h11, h1wire, llhttp, …`. Streams that split the readers the same way are one finding.
//!
//! The readers partitioned are the parsers, the origins and the proxies (a proxy's reading is
//! compared on what it forwards: method, target and body). Head parsers and chains are judged
//! on part of a reading, or against something other than a reader (a proxy's meaning), and the
//! forwarded bytes and the RFC are not readers: their differences are grouped by that side
//! (`accept-refuse: httparse vs h11, h1wire`), one finding for all the readers it differs from
//! in a stream. No finding is a pair's.

use std::collections::BTreeSet;

use super::compare::{Class, Difference};

/// What a stream shows, keyed for the tally: the key findings are grouped by, the groups to
/// show (the behaviour's group first, then the majority, then the others), and the difference
/// that stands for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyed {
    /// `class: members (refusal) vs the rest (refusal)` for a behaviour of readers, `class: side
    /// (refusal) vs readers` for a side that is not a reader.
    pub key: String,
    /// The groups of readers as this stream split them: the behaviour's group first, then the
    /// majority, then any other.
    pub partition: Vec<Vec<String>>,
    /// The difference shown for it: for a behaviour, the first of the most serious class
    /// between two of its groups.
    pub difference: Difference,
}

/// Whether a class compares two readings of the same kind (the ones a partition is made of).
fn between_readers(class: Class) -> bool {
    matches!(
        class,
        Class::MessageCount | Class::Interpretation | Class::AcceptRefuse | Class::RefusalStatus | Class::Limit
    )
}

/// The findings `unexplained` (the stream's differences no quirk explains) make, given the
/// `readers` that read the stream. A desync on a chain is keyed by what the origin read
/// otherwise (a method, a target, a body, or another number of messages), and forwarded bytes
/// by the reader's refusal, so that a shape whose incidental bytes vary (an extension, a NUL)
/// is one finding.
pub fn keyed(readers: &[String], unexplained: &[Difference]) -> Vec<Keyed> {
    let index = |name: &str| readers.iter().position(|r| r == name);
    let of_readers =
        |d: &Difference| between_readers(d.class) && index(&d.a.name).is_some() && index(&d.b.name).is_some();
    // Readers with no difference between them read alike: union them.
    let apart: BTreeSet<(usize, usize)> = unexplained
        .iter()
        .filter(|d| of_readers(d))
        .filter_map(|d| Some(ordered(index(&d.a.name)?, index(&d.b.name)?)))
        .collect();
    // Groups in which every two readers read alike. "Alike" is not transitive (a server that
    // closes without a word reads alike both a reader that ended cleanly and one that waits,
    // which differ), so the groups are built one reader at a time, those with the fewest
    // differences first (the ones most others agree with seed the groups): each joins the
    // first group it reads alike with every member of, or starts one. A difference between
    // two readers is then always between two groups, never a pair left inside one.
    let differences = |i: usize| apart.iter().filter(|&&(a, b)| a == i || b == i).count();
    let mut order: Vec<usize> = (0..readers.len()).collect();
    order.sort_by_key(|&i| (differences(i), i));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for i in order {
        match groups.iter_mut().find(|g| g.iter().all(|&j| !apart.contains(&ordered(i, j)))) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    let mut group_of = vec![0; readers.len()];
    for (gi, g) in groups.iter().enumerate() {
        for &i in g {
            group_of[i] = gi;
        }
    }
    let mut partition: Vec<Vec<String>> = Vec::new();
    for g in group_of.iter().copied().collect::<BTreeSet<_>>() {
        let mut names: Vec<String> =
            readers.iter().enumerate().filter(|&(i, _)| group_of[i] == g).map(|(_, n)| n.clone()).collect();
        names.sort();
        partition.push(names);
    }
    partition.sort();

    let mut out = Vec::new();
    let across = |d: &&Difference| {
        of_readers(d) && index(&d.a.name).zip(index(&d.b.name)).is_some_and(|(a, b)| group_of[a] != group_of[b])
    };
    // The majority reads the stream one way; each other group is a behaviour of its own, keyed
    // by its members, the most serious class between it and the majority, and the name its
    // side gives a refusal: the same behaviour on another stream, whatever else differs there,
    // is the same finding.
    let majority = partition
        .iter()
        .enumerate()
        .max_by_key(|(i, g)| (g.len(), g.iter().any(|n| n == "h1wire"), std::cmp::Reverse(*i)))
        .map(|(i, _)| i);
    let member = |name: &str, g: &[String]| g.iter().any(|n| n == name);
    for (gi, g) in partition.iter().enumerate().filter(|&(gi, _)| Some(gi) != majority) {
        let Some(most) = majority.map(|m| &partition[m]) else { break };
        let between = |d: &&Difference| {
            across(d)
                && ((member(&d.a.name, g) && member(&d.b.name, most))
                    || (member(&d.b.name, g) && member(&d.a.name, most)))
        };
        // The most serious class; against h1wire when it is in the majority (its refusals name
        // the RFC rule), else against the first reader there.
        let worst = unexplained.iter().filter(between).min_by_key(|d| {
            let other = if member(&d.a.name, g) { &d.b.name } else { &d.a.name };
            (Class::ALL.iter().position(|c| *c == d.class), other != "h1wire")
        });
        let Some(d) = worst else { continue };
        let (own, other) = if member(&d.a.name, g) { (&d.a, &d.b) } else { (&d.b, &d.a) };
        // Keyed by both sides' refusals too: the same readers split off by two unrelated rules
        // (a bare LF after a chunk size, a byte 0x80 in the target) are two behaviours.
        let refusal = own.rule.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
        let theirs = other.rule.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
        let mut shown = vec![g.clone(), most.clone()];
        shown.extend(
            partition.iter().enumerate().filter(|&(i, _)| i != gi && Some(i) != majority).map(|(_, g)| g.clone()),
        );
        out.push(Keyed {
            key: format!("{}: {}{refusal} vs the rest{theirs}", d.class.name(), g.join(", ")),
            partition: shown,
            difference: d.clone(),
        });
    }
    // The others, by class and the side that is not a partitioned reader (a head parser, a
    // proxy's forwarded bytes, a chain, the RFC): one finding for all the readers it differs
    // from in this stream, not one per pair.
    let mut anchored: Vec<(Class, String, Vec<String>, Difference)> = Vec::new();
    for d in unexplained.iter().filter(|d| !across(d)) {
        let (anchor, other) = match (index(&d.a.name), index(&d.b.name)) {
            (None, _) => (&d.a.name, &d.b.name),
            (_, None) => (&d.b.name, &d.a.name),
            // Two readers, so not a comparison of two readings (those are all across groups):
            // a proxy's forwarded bytes read by a parser. The side that forwarded is the anchor.
            _ => (&d.a.name, &d.b.name),
        };
        match anchored.iter_mut().find(|(c, a, _, _)| *c == d.class && a == anchor) {
            Some((_, _, others, _)) => others.push(other.clone()),
            None => anchored.push((d.class, anchor.clone(), vec![other.clone()], d.clone())),
        }
    }
    for (class, anchor, mut others, difference) in anchored {
        others.sort();
        others.dedup();
        // Keyed by the side and the name it gives a refusal, not by who it differs from here.
        let own = if difference.a.name == anchor { &difference.a } else { &difference.b };
        let refusal = own.rule.as_ref().map(|r| format!(" ({r})")).unwrap_or_default();
        // How a desync shows: for a chain, which part of a message the origin read otherwise
        // (or "messages" for another number of them); for forwarded bytes, the reader's refusal.
        let shape = match class {
            Class::ChainDesync => format!(" [{}]", difference.part.map_or("messages", |p| p.name())),
            Class::ProxySmuggling | Class::ForwardedRefused => {
                let reader = if difference.a.name == anchor { &difference.b } else { &difference.a };
                reader.rule.as_ref().map(|r| format!(" [{r}]")).unwrap_or_default()
            }
            _ => String::new(),
        };
        let key = format!("{}: {anchor}{refusal} vs readers{shape}", class.name());
        out.push(Keyed { key, partition: vec![vec![anchor], others], difference });
    }
    out
}

fn ordered(a: usize, b: usize) -> (usize, usize) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::compare::Side;

    fn differ(class: Class, a: &str, b: &str) -> Difference {
        let side = |name: &str| Side { name: name.into(), says: String::new(), error: None, rule: None, status: None };
        Difference { class, part: None, message: 0, a: side(a), b: side(b) }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn one_behaviour_across_five_readers_is_one_finding() {
        // `go` reads the stream one way; four others read it another: four pairs, one finding.
        let readers = names(&["go", "go-server", "h11", "h1wire", "llhttp", "node"]);
        let diffs: Vec<Difference> = ["h11", "h1wire", "llhttp", "node"]
            .iter()
            .flat_map(|other| {
                [differ(Class::MessageCount, "go", other), differ(Class::MessageCount, "go-server", other)]
            })
            .collect();
        let found = keyed(&readers, &diffs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "message-count: go, go-server vs the rest");
        assert_eq!(found[0].partition, [names(&["go", "go-server"]), names(&["h11", "h1wire", "llhttp", "node"])]);
        // Another stream where `node` differs too: the Go behaviour is the same finding.
        let more: Vec<Difference> = diffs
            .iter()
            .cloned()
            .chain(["h11", "h1wire", "llhttp"].iter().map(|o| differ(Class::AcceptRefuse, "node", o)))
            .collect();
        let found = keyed(&readers, &more);
        let keys: Vec<&str> = found.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(keys, ["message-count: go, go-server vs the rest", "accept-refuse: node vs the rest"]);
    }

    #[test]
    fn the_same_readers_split_off_by_two_rules_are_two_behaviours() {
        let readers = names(&["go", "h1wire", "llhttp"]);
        let refused = |rule: &str| {
            let mut against_h1wire = differ(Class::AcceptRefuse, "go", "h1wire");
            against_h1wire.b.rule = Some(rule.into());
            let mut against_llhttp = differ(Class::AcceptRefuse, "llhttp", "go");
            against_llhttp.a.rule = Some("HPE".into());
            vec![against_llhttp, against_h1wire]
        };
        let chunk = keyed(&readers, &refused("invalid-chunk-size"));
        let target = keyed(&readers, &refused("invalid-target"));
        assert_eq!(chunk[0].key, "accept-refuse: go vs the rest (invalid-chunk-size)", "h1wire's rule names it");
        assert_eq!(target[0].key, "accept-refuse: go vs the rest (invalid-target)");
    }

    #[test]
    fn the_most_serious_class_names_the_behaviour_and_other_peers_keep_their_pairs() {
        let readers = names(&["a", "b", "c"]);
        let diffs = vec![
            differ(Class::AcceptRefuse, "a", "c"),
            differ(Class::MessageCount, "b", "c"),
            differ(Class::AcceptRefuse, "a", "b"),
            differ(Class::ProxySmuggling, "proxy", "a"),
            differ(Class::ProxySmuggling, "b", "c"),
            differ(Class::AcceptRefuse, "httparse", "a"),
        ];
        let found = keyed(&readers, &diffs);
        // Three groups of one: the majority is the first by name; b and c each differ from it.
        let keys: Vec<&str> = found.iter().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "accept-refuse: b vs the rest",
                "accept-refuse: c vs the rest",
                "proxy-smuggling: proxy vs readers",
                "proxy-smuggling: b vs readers",
                "accept-refuse: httparse vs readers"
            ]
        );
    }

    #[test]
    fn a_head_parser_that_differs_from_several_readers_is_one_finding() {
        let readers = names(&["a", "b", "c"]);
        let diffs = vec![differ(Class::AcceptRefuse, "httparse", "b"), differ(Class::AcceptRefuse, "a", "httparse")];
        let found = keyed(&readers, &diffs);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "accept-refuse: httparse vs readers");
        assert_eq!(found[0].partition, [names(&["httparse"]), names(&["a", "b"])]);
    }

    #[test]
    fn a_reader_alike_with_two_that_differ_joins_one_of_them_and_no_pair_is_left() {
        // `origin` reads alike both `clean` and `cut`, which differ: it joins the group of the
        // first, and `cut` is a behaviour of its own.
        let readers = names(&["clean", "cut", "origin"]);
        let found = keyed(&readers, &[differ(Class::MessageCount, "clean", "cut")]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].key, "message-count: cut vs the rest");
        assert_eq!(found[0].partition, [names(&["cut"]), names(&["clean", "origin"])]);
    }
}
