//! The parser's typed errors (kind and column), commands built as data, and the
//! printer's console form. Transcripts are tested from files (`tests/data/scripts`).

use super::*;
use crate::kernel::{MapCreate, ObjectId};
use crate::linux::MapType;
use crate::prelude::*;

#[track_caller]
fn parse_error(line: &str) -> ParseError {
    parse(line).expect_err(line)
}

#[test]
fn parse_errors_point_at_the_word_or_past_the_end() {
    // (line, column, kind): the column is in characters, 1-based.
    let cases: [(&str, usize, ParseErrorKind); 10] = [
        (
            "",
            1,
            ParseErrorKind::Missing(Expected::Argument(
                "a command (map, prog, process, fs, rlimit, sysctl, help)",
            )),
        ),
        ("map  lookup", 13, ParseErrorKind::Missing(Expected::MapRef)),
        (
            "map lookup pinned /m key # comment",
            26,
            ParseErrorKind::Missing(Expected::Bytes("key")),
        ),
        (
            "map dump name x",
            10,
            ParseErrorKind::Unexpected {
                found: "name".into(),
                expected: Expected::MapRef,
            },
        ),
        (
            "map show all",
            10,
            ParseErrorKind::Unexpected {
                found: "all".into(),
                expected: Expected::End,
            },
        ),
        (
            "fs touch /x",
            4,
            ParseErrorKind::UnknownCommand {
                command: "fs touch".into(),
                known: vec!["mkdir", "rmdir", "unlink", "ls"],
            },
        ),
        (
            "map lookup id x1 key 0",
            15,
            ParseErrorKind::NotANumber {
                found: "x1".into(),
                what: "a map id",
            },
        ),
        (
            "map lookup id 0x100000000 key 0",
            15,
            ParseErrorKind::TooLarge {
                value: 1 << 32,
                what: "a map id",
            },
        ),
        (
            "map lookup id 1 key hex 0g",
            25,
            ParseErrorKind::NotAByte {
                found: "0g".into(),
                list: "key",
            },
        ),
        (
            "map create /m type hash key 4 value 4",
            39,
            ParseErrorKind::MissingOption("entries"),
        ),
    ];
    for (line, column, kind) in cases {
        assert_eq!(parse_error(line), ParseError { column, kind }, "{line:?}");
    }
    // Columns count characters, not bytes.
    assert_eq!(parse_error("map create /é type lru").column, 20);
    assert_eq!(
        parse_error("prog load f /p type xdp").kind,
        ParseErrorKind::UnknownProgType("xdp".into())
    );
}

#[test]
fn text_and_data_give_the_same_command() {
    assert_eq!(
        parse("map update id 3 key 1 0 0 0 value hex 0a 0b exist # set").unwrap(),
        Command::Map(MapCommand::Update {
            map: MapRef::Id(ObjectId(3)),
            key: vec![1, 0, 0, 0],
            value: MapValue::Bytes(vec![0x0a, 0x0b]),
            flags: UpdateFlags::Exist,
        })
    );
    assert_eq!(
        parse("prog run pinned /sys/fs/bpf/p packet hex 00 11 repeat 0").unwrap(),
        Command::Prog(ProgCommand::Run {
            path: "/sys/fs/bpf/p".into(),
            packet: Some(Packet::Bytes(vec![0x00, 0x11])),
            repeat: 1,
        })
    );
    assert_eq!(parse("help").unwrap(), Command::Help { topic: None });
    assert_eq!(
        parse("help map").unwrap(),
        Command::Help { topic: Some("map") }
    );
}

#[test]
fn a_built_command_answers_with_typed_output() {
    let mut session = Session::default();
    let mut files = NoFiles;
    let create = Command::Map(MapCommand::Create {
        path: "/sys/fs/bpf/m".into(),
        map_type: MapType::Hash,
        key_size: 1,
        value_size: 2,
        max_entries: 4,
        name: String::new(),
    });
    assert!(matches!(
        session.apply(create, &mut files),
        Ok(Output::MapCreated {
            id: ObjectId(1),
            ..
        })
    ));
    let map = MapRef::Pinned("/sys/fs/bpf/m".into());
    let update = MapCommand::Update {
        map: map.clone(),
        key: vec![7],
        value: MapValue::Bytes(vec![1, 2]),
        flags: UpdateFlags::NoExist,
    };
    session
        .apply(Command::Map(update.clone()), &mut files)
        .unwrap();
    assert_eq!(
        session.apply(Command::Map(update), &mut files),
        Err(Error::Errno(crate::linux::Errno::EEXIST))
    );
    assert_eq!(
        session.apply(
            Command::Map(MapCommand::Dump {
                map: map.clone(),
                from: None
            }),
            &mut files
        ),
        Ok(Output::Dump {
            map,
            map_type: MapType::Hash,
            entries: vec![(vec![7], vec![1, 2])],
            more: None,
        })
    );
}

#[test]
fn console_errors_say_the_column_and_script_errors_the_line() {
    let mut session = Session::default();
    let error = session
        .run_line("map dump name x", &mut NoFiles)
        .unwrap_err();
    assert_eq!(
        print::error_line(&error, None),
        "Error: expected `pinned PATH` or `id N`, found `name` (column 10)"
    );
    assert_eq!(
        print::error_line(&error, Some(4)),
        "Error: expected `pinned PATH` or `id N`, found `name` (line 4)"
    );
    let errno = session
        .run_line("map dump pinned /sys/fs/bpf/x", &mut NoFiles)
        .unwrap_err();
    assert_eq!(
        print::error_line(&errno, Some(4)),
        "Error: ENOENT: No such file or directory"
    );
}

#[test]
fn map_lists_parse_or_name_the_bad_item() {
    assert_eq!(
        parse_map_list(" hash:4:8:16, array:4:8:4 ").unwrap(),
        vec![
            MapCreate {
                map_type: 1,
                key_size: 4,
                value_size: 8,
                max_entries: 16
            },
            MapCreate {
                map_type: 2,
                key_size: 4,
                value_size: 8,
                max_entries: 4
            },
        ]
    );
    assert_eq!(parse_map_list("  ").unwrap(), Vec::new());
    let shape = parse_map_list("array:4:8:4,hash:4:x:1").unwrap_err();
    assert_eq!(
        shape,
        MapListError {
            item: 2,
            kind: MapListErrorKind::Shape {
                text: "hash:4:x:1".into()
            },
        }
    );
    assert_eq!(
        shape.to_string(),
        "maps item 2 `hash:4:x:1`: expected type:key_size:value_size:max_entries"
    );
    assert_eq!(
        parse_map_list("lru:4:8:1").unwrap_err().to_string(),
        "maps item 1: unknown map type `lru` (hash, array, prog_array, perf_event_array)"
    );
}

#[test]
fn help_names_only_commands_the_parser_knows() {
    let commands = SYNTAX.iter().filter(|line| !line.starts_with("MAP is"));
    for line in commands {
        let mut words = line.split(' ');
        let object = words.next().unwrap();
        let verbs = words.next().unwrap_or("");
        for verb in verbs.split('|') {
            let text = format!("{object} {verb}");
            let known = !matches!(
                parse(&text),
                Err(ParseError {
                    kind: ParseErrorKind::UnknownCommand { .. },
                    ..
                })
            );
            assert!(known, "help lists `{text}`, which does not parse");
        }
    }
}

#[test]
fn every_prefix_of_a_command_parses_or_errs_without_panicking() {
    let lines = [
        "map update id 0x1f key hex 01 02 value pinned /sys/fs/bpf/é noexist # c",
        "map create /sys/fs/bpf/m type prog_array key 4 value 4 entries 017 name n",
        "prog load a.s /sys/fs/bpf/p type kprobe map idx 0 id 1 map idx 1 pinned /m",
        "prog run pinned /p packet hex 00 11 repeat 3",
        "process new w uid 1000",
        "rlimit memlock unlimited",
        "sysctl kernel.unprivileged_bpf_disabled 1",
    ];
    for line in lines {
        for (end, _) in line.char_indices() {
            let _ = parse(&line[..end]);
        }
        assert!(parse(line).is_ok(), "{line}");
    }
}

/// The kind of a command, matched without a wildcard: a new kind does not compile
/// until the round trip below names it.
fn kind(command: &Command) -> &'static str {
    match command {
        Command::Map(MapCommand::Create { .. }) => "map create",
        Command::Map(MapCommand::Update { .. }) => "map update",
        Command::Map(MapCommand::Lookup { .. }) => "map lookup",
        Command::Map(MapCommand::Delete { .. }) => "map delete",
        Command::Map(MapCommand::GetNext { .. }) => "map getnext",
        Command::Map(MapCommand::Dump { .. }) => "map dump",
        Command::Map(MapCommand::Pin { .. }) => "map pin",
        Command::Map(MapCommand::Show) => "map show",
        Command::Prog(ProgCommand::Load { .. }) => "prog load",
        Command::Prog(ProgCommand::Run { .. }) => "prog run",
        Command::Prog(ProgCommand::Show) => "prog show",
        Command::Process(ProcessCommand::New { .. }) => "process new",
        Command::Process(ProcessCommand::Use { .. }) => "process use",
        Command::Process(ProcessCommand::Exit) => "process exit",
        Command::Fs { .. } => "fs",
        Command::RlimitMemlock { .. } => "rlimit memlock",
        Command::UnprivilegedBpfDisabled { .. } => "sysctl",
        Command::Help { .. } => "help",
    }
}

#[test]
fn a_printed_command_parses_back_to_itself_for_every_kind() {
    // Canonical texts: printing what they parse to gives them back.
    let canonical = [
        "map create /sys/fs/bpf/m type hash key 4 value 8 entries 64 name counts",
        "map create /sys/fs/bpf/a type array key 4 value 4 entries 1",
        "map update id 3 key hex 01 00 00 00 value hex 2a 00 00 00 00 00 00 00",
        "map update pinned /sys/fs/bpf/m key hex ff value hex 00 noexist",
        "map update pinned /sys/fs/bpf/jmp key hex 00 00 00 00 value pinned /sys/fs/bpf/p exist",
        "map update id 2 key hex 00 00 00 00 value perf cpu 1",
        "map lookup pinned /sys/fs/bpf/m key hex 01 00 00 00",
        "map delete id 7 key hex 0a",
        "map getnext id 7 key hex 00 01",
        "map dump id 7",
        "map pin id 7 /sys/fs/bpf/again",
        "map show",
        "prog load current /sys/fs/bpf/p type sched_cls map idx 0 id 1 map idx 1 pinned /sys/fs/bpf/m",
        "prog load a.s /sys/fs/bpf/k type kprobe",
        "prog run pinned /sys/fs/bpf/p packet hex 00 11 ff repeat 3",
        "prog run pinned /sys/fs/bpf/p packet udp.bin",
        "prog run pinned /sys/fs/bpf/p",
        "prog show",
        "process new worker uid 1000",
        "process new root",
        "process use worker",
        "process exit",
        "fs mkdir /sys/fs/bpf/dir",
        "fs rmdir /sys/fs/bpf/dir",
        "fs unlink /sys/fs/bpf/m",
        "fs ls /sys/fs/bpf",
        "rlimit memlock 4096",
        "rlimit memlock unlimited",
        "sysctl kernel.unprivileged_bpf_disabled 1",
        "help",
        "help prog",
    ];
    let mut kinds = alloc::collections::BTreeSet::new();
    for text in canonical {
        let command = parse(text).expect(text);
        assert_eq!(command.to_string(), text);
        assert_eq!(parse(&command.to_string()).as_ref(), Ok(&command), "{text}");
        kinds.insert(kind(&command));
    }
    assert_eq!(kinds.len(), 18, "every arm of `kind`; covered: {kinds:?}");

    // Other spellings print in the canonical form, which reads back to the same command.
    let spellings = [
        (
            "map update  id 0x1f key 1 0 0 010 value hex 2a any # set",
            "map update id 31 key hex 01 00 00 08 value hex 2a",
        ),
        (
            "prog run pinned /p packet hex 0 1 repeat 0",
            "prog run pinned /p packet hex 00 01",
        ),
        ("process new w uid 0", "process new w"),
    ];
    for (text, printed) in spellings {
        let command = parse(text).expect(text);
        assert_eq!(command.to_string(), printed);
        assert_eq!(parse(printed), Ok(command));
    }
}

#[test]
fn help_on_one_command_lists_its_lines_and_the_notation_it_uses() {
    assert_eq!(
        help_topics(),
        ["map", "prog", "process", "fs", "rlimit", "sysctl", "help"]
    );
    let map = help_lines(Some("map"));
    assert!(map[..map.len() - 1].iter().all(|l| l.starts_with("map ")));
    assert_eq!(map.len(), 7, "{map:?}");
    assert!(map[map.len() - 1].starts_with("MAP is"));
    assert_eq!(help_lines(Some("fs")), ["fs mkdir|rmdir|unlink|ls PATH"]);
    assert_eq!(help_lines(None), SYNTAX);
    let unknown = parse("help maps").unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "column 6: unknown command `help maps` (map, prog, process, fs, rlimit, sysctl, help)"
    );
}
