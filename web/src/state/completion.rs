//! Tab completion for the console: command words from core's `help` syntax (the one
//! list of commands), and paths under /sys/fs/bpf from the kernel's file system.

use bpfplay_core::bpftool::{SYNTAX, help_topics};

/// What Tab does to the console's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// The line with its last word completed as far as the choices agree.
    pub line: String,
    /// The words that could follow when more than one could (for a hint).
    pub choices: Vec<String>,
}

/// The syntax lines of the command whose first two words are `object verb`
/// (`map lookup` matches `map lookup|delete|getnext MAP key BYTES`).
fn syntax_of<'a>(object: &'a str, verb: &'a str) -> impl Iterator<Item = &'static str> + 'a {
    SYNTAX.iter().copied().filter(move |line| {
        let mut words = line.split(' ');
        words.next() == Some(object)
            && words
                .next()
                .is_some_and(|v| v.split('|').any(|v| v == verb))
    })
}

/// The literal words a syntax line allows after its first two (keywords and option
/// values such as `type`, `hash`, `noexist`), and `pinned`/`id` where it takes a MAP.
fn keywords(line: &'static str) -> Vec<&'static str> {
    let mut words: Vec<&'static str> = line
        .split(' ')
        .skip(2)
        .flat_map(|w| w.trim_matches(|c| c == '[' || c == ']').split('|'))
        .filter(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
        })
        .collect();
    if line.contains(" MAP") {
        words.extend(["pinned", "id"]);
    }
    words
}

/// The words that can stand where the last word of `before` + the word being typed is.
fn candidates(before: &[&str], paths: &[String]) -> Vec<String> {
    let owned = |words: Vec<&str>| words.into_iter().map(str::to_owned).collect();
    match before {
        [] => owned(help_topics()),
        ["help"] => owned(help_topics()),
        [object] => {
            let mut verbs = Vec::new();
            for line in SYNTAX
                .iter()
                .filter(|l| l.split(' ').next() == Some(object))
            {
                verbs.extend(
                    line.split(' ')
                        .nth(1)
                        .into_iter()
                        .flat_map(|v| v.split('|')),
                );
            }
            owned(verbs)
        }
        [object, verb, ..] => {
            let mut words: Vec<String> =
                owned(syntax_of(object, verb).flat_map(keywords).collect());
            words.extend(paths.iter().cloned());
            words
        }
    }
}

/// Completes the last word of `line` (a word is completed after a space too): with the
/// longest prefix its candidates share, and a space once only one is left. Paths are
/// `paths`, the pinned objects and directories (directories end in `/`, and
/// completing one adds no space, so Tab can go on into it).
pub fn complete(line: &str, paths: &[String]) -> Completion {
    let (head, word) = match line.rfind(' ') {
        Some(i) => (&line[..=i], &line[i + 1..]),
        None => ("", line),
    };
    let before: Vec<&str> = head.split_whitespace().collect();
    let mut matches: Vec<String> = candidates(&before, paths)
        .into_iter()
        .filter(|c| c.starts_with(word))
        .collect();
    matches.sort();
    matches.dedup();
    let completed = match matches.as_slice() {
        [] => word.to_owned(),
        [only] if only.ends_with('/') => only.clone(),
        [only] => format!("{only} "),
        [first, rest @ ..] => {
            let mut prefix = first.clone();
            for m in rest {
                let common = prefix
                    .char_indices()
                    .zip(m.chars())
                    .find(|((_, a), b)| a != b)
                    .map_or(prefix.len().min(m.len()), |((i, _), _)| i);
                prefix.truncate(common);
            }
            prefix
        }
    };
    Completion {
        line: format!("{head}{completed}"),
        choices: if matches.len() > 1 {
            matches
        } else {
            Vec::new()
        },
    }
}
