//! Text → [`Command`]: the grammar of `bpfplay script` and the playground console, and
//! the `--maps` list (`hash:4:8:16,array:4:8:4`).

use super::command::{
    Command, FsOp, MapCommand, MapRef, MapValue, Packet, ProcessCommand, ProgCommand, UpdateFlags,
    help_topics,
};
use crate::kernel::{MapCreate, ObjectId};
use crate::linux::{MapType, ProgType};
use crate::prelude::*;
use core::fmt;

/// A command line that does not follow the grammar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column (in characters) of the offending word, or just past the last
    /// word when something is missing.
    pub column: usize,
    pub kind: ParseErrorKind,
}

/// What is wrong with a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// The line ends where something else was expected.
    Missing(Expected),
    /// A word the grammar does not allow there.
    Unexpected {
        found: String,
        expected: Expected,
    },
    /// The first two words name no command.
    UnknownCommand {
        command: String,
        /// The subcommands of that object, when listing them helps.
        known: Vec<&'static str>,
    },
    NotANumber {
        found: String,
        what: &'static str,
    },
    /// A number that must fit in 32 bits (sizes, ids, indexes).
    TooLarge {
        value: u64,
        what: &'static str,
    },
    /// A byte list (`key`, `value`, `packet`) whose first word is not a byte.
    NotAByte {
        found: String,
        list: &'static str,
    },
    UnknownMapType(String),
    UnknownProgType(String),
    /// `map create` without one of its required options.
    MissingOption(&'static str),
}

/// What the grammar expected at the place of a [`ParseError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// An argument, described (`a map id`).
    Argument(&'static str),
    /// This keyword.
    Keyword(&'static str),
    /// One of these options.
    OneOf(&'static [&'static str]),
    /// bpftool's MAP: `pinned PATH` or `id N`.
    MapRef,
    /// A byte list: the key, the value or the packet.
    Bytes(&'static str),
    /// Nothing more.
    End,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expected::Argument(what) => f.write_str(what),
            Expected::Keyword(keyword) => write!(f, "`{keyword}`"),
            Expected::OneOf(options) => {
                for (i, option) in options.iter().enumerate() {
                    let separator = match i {
                        0 => "",
                        i if i + 1 == options.len() => " or ",
                        _ => ", ",
                    };
                    write!(f, "{separator}{option}")?;
                }
                Ok(())
            }
            Expected::MapRef => f.write_str("`pinned PATH` or `id N`"),
            Expected::Bytes(list) => write!(f, "the bytes of the {list}"),
            Expected::End => f.write_str("the end of the command"),
        }
    }
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Missing(expected) => write!(f, "expected {expected}"),
            ParseErrorKind::Unexpected {
                found,
                expected: Expected::End,
            } => write!(f, "unexpected `{found}`"),
            ParseErrorKind::Unexpected {
                found,
                expected: expected @ Expected::OneOf(_),
            } => write!(f, "unexpected `{found}` (expected {expected})"),
            ParseErrorKind::Unexpected { found, expected } => {
                write!(f, "expected {expected}, found `{found}`")
            }
            ParseErrorKind::UnknownCommand { command, known } if known.is_empty() => {
                write!(f, "unknown command `{command}`")
            }
            ParseErrorKind::UnknownCommand { command, known } => {
                write!(f, "unknown command `{command}` ({})", known.join(", "))
            }
            ParseErrorKind::NotANumber { found, what } => {
                write!(f, "`{found}` is not a number ({what})")
            }
            ParseErrorKind::TooLarge { value, what } => {
                write!(f, "{what} {value} does not fit in 32 bits")
            }
            ParseErrorKind::NotAByte { found, list } => {
                write!(f, "`{found}` is not a byte of the {list}")
            }
            ParseErrorKind::UnknownMapType(name) => write!(
                f,
                "unknown map type `{name}` (4.4 has {})",
                MapType::ALL.map(MapType::name).join(", ")
            ),
            ParseErrorKind::UnknownProgType(name) => write!(
                f,
                "unknown program type `{name}` (4.4 has {})",
                ProgType::ALL.map(ProgType::name).join(", ")
            ),
            ParseErrorKind::MissingOption(option) => write!(f, "map create needs `{option}`"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.kind)
    }
}

impl core::error::Error for ParseError {}

/// A word of a command line and where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word<'a> {
    /// 1-based, in characters.
    pub column: usize,
    pub text: &'a str,
}

/// The words of a command line, without its `#` comment.
pub fn words(line: &str) -> Vec<Word<'_>> {
    let code = line.split('#').next().unwrap_or("");
    let mut out = Vec::new();
    // (byte offset, column) of the word being read.
    let mut start: Option<(usize, usize)> = None;
    for (column, (offset, c)) in code.char_indices().enumerate() {
        match (c.is_whitespace(), start) {
            (true, Some((begin, first))) => {
                out.push(Word {
                    column: first + 1,
                    text: &code[begin..offset],
                });
                start = None;
            }
            (false, None) => start = Some((offset, column)),
            _ => {}
        }
    }
    if let Some((begin, first)) = start {
        out.push(Word {
            column: first + 1,
            text: &code[begin..],
        });
    }
    out
}

/// bpftool's number syntax (strtoul base 0): `0x1f`, `017`, `15`.
fn number(word: &str) -> Option<u64> {
    if let Some(hex) = word.strip_prefix("0x").or_else(|| word.strip_prefix("0X")) {
        u64::from_str_radix(hex, 16).ok()
    } else if word.len() > 1 && word.starts_with('0') {
        u64::from_str_radix(&word[1..], 8).ok()
    } else {
        word.parse().ok()
    }
}

type Result<T> = core::result::Result<T, ParseError>;

/// A cursor over the words of one line.
struct Parser<'a> {
    words: Vec<Word<'a>>,
    next: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.words.get(self.next).map(|w| w.text)
    }

    fn next_word(&mut self) -> Option<Word<'a>> {
        let word = self.words.get(self.next).copied();
        self.next += usize::from(word.is_some());
        word
    }

    /// Just past the last word: where a missing word would go.
    fn end_column(&self) -> usize {
        self.words
            .last()
            .map_or(1, |w| w.column + w.text.chars().count() + 1)
    }

    fn missing(&self, expected: Expected) -> ParseError {
        ParseError {
            column: self.end_column(),
            kind: ParseErrorKind::Missing(expected),
        }
    }

    fn word(&mut self, expected: Expected) -> Result<Word<'a>> {
        self.next_word().ok_or_else(|| self.missing(expected))
    }

    fn arg(&mut self, what: &'static str) -> Result<String> {
        self.word(Expected::Argument(what))
            .map(|w| w.text.to_owned())
    }

    fn keyword(&mut self, keyword: &'static str) -> Result<()> {
        let word = self.word(Expected::Keyword(keyword))?;
        if word.text == keyword {
            Ok(())
        } else {
            Err(unexpected(word, Expected::Keyword(keyword)))
        }
    }

    /// A number and the word it was read from.
    fn number_word(&mut self, what: &'static str) -> Result<(Word<'a>, u64)> {
        let word = self.word(Expected::Argument(what))?;
        let value = number(word.text).ok_or_else(|| ParseError {
            column: word.column,
            kind: ParseErrorKind::NotANumber {
                found: word.text.to_owned(),
                what,
            },
        })?;
        Ok((word, value))
    }

    fn number(&mut self, what: &'static str) -> Result<u64> {
        self.number_word(what).map(|(_, value)| value)
    }

    fn u32(&mut self, what: &'static str) -> Result<u32> {
        let (word, value) = self.number_word(what)?;
        u32::try_from(value).map_err(|_| ParseError {
            column: word.column,
            kind: ParseErrorKind::TooLarge { value, what },
        })
    }

    /// A byte list: numbers, or `hex` and two-digit hex bytes. Stops at the first word
    /// that is neither.
    fn bytes(&mut self, list: &'static str) -> Result<Vec<u8>> {
        let hex = self.peek() == Some("hex");
        self.next += usize::from(hex);
        let mut out = Vec::new();
        while let Some(word) = self.words.get(self.next) {
            let byte = if hex {
                u8::from_str_radix(word.text, 16).ok()
            } else {
                number(word.text).and_then(|n| u8::try_from(n).ok())
            };
            match byte {
                Some(b) => {
                    out.push(b);
                    self.next += 1;
                }
                None if out.is_empty() => {
                    return Err(ParseError {
                        column: word.column,
                        kind: ParseErrorKind::NotAByte {
                            found: word.text.to_owned(),
                            list,
                        },
                    });
                }
                None => break,
            }
        }
        if out.is_empty() {
            return Err(self.missing(Expected::Bytes(list)));
        }
        Ok(out)
    }

    fn end(&mut self) -> Result<()> {
        match self.next_word() {
            None => Ok(()),
            Some(word) => Err(unexpected(word, Expected::End)),
        }
    }

    /// bpftool's MAP: `pinned PATH` or `id N`.
    fn map_ref(&mut self) -> Result<MapRef> {
        let word = self.word(Expected::MapRef)?;
        match word.text {
            "pinned" => Ok(MapRef::Pinned(self.arg("a path under /sys/fs/bpf")?)),
            "id" => Ok(MapRef::Id(ObjectId(self.u32("a map id")?))),
            _ => Err(unexpected(word, Expected::MapRef)),
        }
    }
}

fn unexpected(word: Word<'_>, expected: Expected) -> ParseError {
    ParseError {
        column: word.column,
        kind: ParseErrorKind::Unexpected {
            found: word.text.to_owned(),
            expected,
        },
    }
}

fn unknown_command(object: Word<'_>, verb: Word<'_>, known: Vec<&'static str>) -> ParseError {
    ParseError {
        column: verb.column,
        kind: ParseErrorKind::UnknownCommand {
            command: format!("{} {}", object.text, verb.text),
            known,
        },
    }
}

/// Parses one command line (a `#` starts a comment).
///
/// # Errors
/// A [`ParseError`] naming the column and what the grammar expected there.
pub fn parse(line: &str) -> Result<Command> {
    let mut p = Parser {
        words: words(line),
        next: 0,
    };
    let object = p.word(Expected::Argument(
        "a command (map, prog, process, fs, rlimit, sysctl, help)",
    ))?;
    if object.text == "help" {
        let topic = match p.next_word() {
            None => None,
            Some(word) => {
                let topics = help_topics();
                let Some(topic) = topics.iter().copied().find(|t| *t == word.text) else {
                    return Err(unknown_command(object, word, topics));
                };
                Some(topic)
            }
        };
        p.end()?;
        return Ok(Command::Help { topic });
    }
    let verb = p.word(Expected::Argument("a subcommand"))?;
    let command = match (object.text, verb.text) {
        ("map", "create") => Command::Map(map_create(&mut p)?),
        ("map", "update") => Command::Map(map_update(&mut p)?),
        ("map", "lookup" | "delete" | "getnext") => {
            let map = p.map_ref()?;
            p.keyword("key")?;
            let key = p.bytes("key")?;
            Command::Map(match verb.text {
                "lookup" => MapCommand::Lookup { map, key },
                "delete" => MapCommand::Delete { map, key },
                _ => MapCommand::GetNext { map, key },
            })
        }
        ("map", "dump") => {
            let map = p.map_ref()?;
            let from = match p.next_word() {
                None => None,
                Some(Word { text: "from", .. }) => {
                    p.keyword("key")?;
                    Some(p.bytes("key")?)
                }
                Some(word) => return Err(unexpected(word, Expected::OneOf(&["from key BYTES"]))),
            };
            Command::Map(MapCommand::Dump { map, from })
        }
        ("map", "pin") => Command::Map(MapCommand::Pin {
            map: p.map_ref()?,
            path: p.arg("the path to pin at")?,
        }),
        ("map", "show") => Command::Map(MapCommand::Show),
        ("prog", "load") => Command::Prog(prog_load(&mut p)?),
        ("prog", "run") => Command::Prog(prog_run(&mut p)?),
        ("prog", "show") => Command::Prog(ProgCommand::Show),
        ("process", "new") => {
            let name = p.arg("a process name")?;
            let uid = match p.next_word() {
                None => 0,
                Some(Word { text: "uid", .. }) => p.u32("a uid")?,
                Some(word) => return Err(unexpected(word, Expected::OneOf(&["uid N"]))),
            };
            Command::Process(ProcessCommand::New { name, uid })
        }
        ("process", "use") => Command::Process(ProcessCommand::Use {
            name: p.arg("a process name")?,
        }),
        ("process", "exit") => Command::Process(ProcessCommand::Exit),
        ("process", _) => return Err(unknown_command(object, verb, vec!["new", "use", "exit"])),
        ("fs", _) => {
            let known = FsOp::ALL.map(FsOp::name);
            let Some(op) = FsOp::ALL.into_iter().find(|op| op.name() == verb.text) else {
                return Err(unknown_command(object, verb, known.to_vec()));
            };
            Command::Fs {
                op,
                path: p.arg("a path")?,
            }
        }
        ("rlimit", "memlock") => {
            let bytes = match p.peek() {
                None => return Err(p.missing(Expected::Argument("a byte count or `unlimited`"))),
                Some("unlimited") => {
                    p.next += 1;
                    None
                }
                Some(_) => Some(p.number("a byte count")?),
            };
            Command::RlimitMemlock { bytes }
        }
        ("sysctl", "kernel.unprivileged_bpf_disabled") => Command::UnprivilegedBpfDisabled {
            value: p.number("the value 1")?,
        },
        _ => return Err(unknown_command(object, verb, Vec::new())),
    };
    p.end()?;
    Ok(command)
}

fn map_create(p: &mut Parser<'_>) -> Result<MapCommand> {
    let path = p.arg("the path to pin the map at")?;
    let (mut map_type, mut key, mut value, mut entries, mut name) =
        (None, None, None, None, String::new());
    while let Some(option) = p.next_word() {
        match option.text {
            "type" => {
                let word = p.word(Expected::Argument("a map type"))?;
                map_type = Some(MapType::from_name(word.text).ok_or_else(|| ParseError {
                    column: word.column,
                    kind: ParseErrorKind::UnknownMapType(word.text.to_owned()),
                })?);
            }
            "key" => key = Some(p.u32("the key size")?),
            "value" => value = Some(p.u32("the value size")?),
            "entries" => entries = Some(p.u32("the number of entries")?),
            "name" => name = p.arg("a name")?,
            _ => {
                return Err(unexpected(
                    option,
                    Expected::OneOf(&["type", "key", "value", "entries", "name"]),
                ));
            }
        }
    }
    let missing = |option| ParseError {
        column: p.end_column(),
        kind: ParseErrorKind::MissingOption(option),
    };
    Ok(MapCommand::Create {
        path,
        map_type: map_type.ok_or_else(|| missing("type"))?,
        key_size: key.ok_or_else(|| missing("key"))?,
        value_size: value.ok_or_else(|| missing("value"))?,
        max_entries: entries.ok_or_else(|| missing("entries"))?,
        name,
    })
}

fn map_update(p: &mut Parser<'_>) -> Result<MapCommand> {
    let map = p.map_ref()?;
    p.keyword("key")?;
    let key = p.bytes("key")?;
    p.keyword("value")?;
    let value = match p.peek() {
        Some("pinned") => {
            p.next += 1;
            MapValue::PinnedProg(p.arg("the pinned program's path")?)
        }
        Some("perf") => {
            p.next += 1;
            p.keyword("cpu")?;
            MapValue::PerfEvent {
                cpu: p.u32("a CPU number")?,
            }
        }
        _ => MapValue::Bytes(p.bytes("value")?),
    };
    let flags = match p.next_word() {
        None => UpdateFlags::default(),
        Some(word) => UpdateFlags::ALL
            .into_iter()
            .find(|f| f.name() == word.text)
            .ok_or_else(|| unexpected(word, Expected::OneOf(&["any", "noexist", "exist"])))?,
    };
    Ok(MapCommand::Update {
        map,
        key,
        value,
        flags,
    })
}

fn prog_load(p: &mut Parser<'_>) -> Result<ProgCommand> {
    let file = p.arg("a program file")?;
    let path = p.arg("the path to pin the program at")?;
    p.keyword("type")?;
    let word = p.word(Expected::Argument("a program type"))?;
    let prog_type = ProgType::from_name(word.text).ok_or_else(|| ParseError {
        column: word.column,
        kind: ParseErrorKind::UnknownProgType(word.text.to_owned()),
    })?;
    let mut maps = Vec::new();
    while p.peek().is_some() {
        p.keyword("map")?;
        p.keyword("idx")?;
        let index = p.u32("a map index")?;
        maps.push((index, p.map_ref()?));
    }
    Ok(ProgCommand::Load {
        file,
        path,
        prog_type,
        maps,
    })
}

fn prog_run(p: &mut Parser<'_>) -> Result<ProgCommand> {
    p.keyword("pinned")?;
    let path = p.arg("a path under /sys/fs/bpf")?;
    let (mut packet, mut repeat) = (None, 1);
    while let Some(option) = p.next_word() {
        match option.text {
            "packet" if p.peek() == Some("hex") => packet = Some(Packet::Bytes(p.bytes("packet")?)),
            "packet" => packet = Some(Packet::File(p.arg("a packet file")?)),
            "repeat" => repeat = p.number("a repeat count")?.max(1),
            _ => return Err(unexpected(option, Expected::OneOf(&["packet", "repeat"]))),
        }
    }
    Ok(ProgCommand::Run {
        path,
        packet,
        repeat,
    })
}

/// A `--maps` list that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapListError {
    /// 1-based position of the item in the list.
    pub item: usize,
    pub kind: MapListErrorKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MapListErrorKind {
    /// The item is not four `:`-separated fields with numeric sizes.
    Shape {
        text: String,
    },
    UnknownMapType(String),
}

impl fmt::Display for MapListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let item = self.item;
        match &self.kind {
            MapListErrorKind::Shape { text } => write!(
                f,
                "maps item {item} `{text}`: expected type:key_size:value_size:max_entries"
            ),
            MapListErrorKind::UnknownMapType(name) => write!(
                f,
                "maps item {item}: unknown map type `{name}` ({})",
                MapType::ALL.map(MapType::name).join(", ")
            ),
        }
    }
}

impl core::error::Error for MapListError {}

/// A map list as the CLI (`--maps`) and the playground write it: `hash:4:8:16,array:4:8:4`,
/// each type:key_size:value_size:max_entries. Empty text is no maps.
///
/// # Errors
/// A [`MapListError`] naming the item.
pub fn parse_map_list(spec: &str) -> core::result::Result<Vec<MapCreate>, MapListError> {
    if spec.trim().is_empty() {
        return Ok(Vec::new());
    }
    spec.split(',')
        .enumerate()
        .map(|(i, text)| {
            let text = text.trim();
            let error = |kind| MapListError { item: i + 1, kind };
            let shape = || {
                error(MapListErrorKind::Shape {
                    text: text.to_owned(),
                })
            };
            let fields: Vec<&str> = text.split(':').collect();
            let [name, key, value, max] = fields.as_slice() else {
                return Err(shape());
            };
            let map_type = MapType::from_name(name)
                .ok_or_else(|| error(MapListErrorKind::UnknownMapType((*name).to_owned())))?;
            let n = |s: &str| s.parse::<u32>().map_err(|_| shape());
            Ok(MapCreate {
                map_type: map_type as u32,
                key_size: n(key)?,
                value_size: n(value)?,
                max_entries: n(max)?,
            })
        })
        .collect()
}
