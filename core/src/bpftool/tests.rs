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
    assert_eq!(parse("help").unwrap(), Command::Help);
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
        session.apply(Command::Map(MapCommand::Dump { map }), &mut files),
        Ok(Output::Dump {
            map_type: MapType::Hash,
            entries: vec![(vec![7], vec![1, 2])],
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
