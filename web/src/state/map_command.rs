//! The map cards' and forms' commands: core's bpftool [`Command`]s, the very type the
//! console's text parses into, so both go through one parser and `Session::apply`,
//! with bpf(2)'s checks and errno.

use super::Error;
use bpfplay_core::bpftool::{Command, MapCommand, MapRef, parse, parse_map_list};
use bpfplay_core::kernel::ObjectId;
use bpfplay_core::linux::MapType;

/// `map create`: the form's fields, checked as a `--maps` item (type:key:value:entries).
pub fn create(
    path: &str,
    map_type: &str,
    key_size: &str,
    value_size: &str,
    max_entries: &str,
    name: &str,
) -> Result<Command, Error> {
    let spec = format!("{map_type}:{key_size}:{value_size}:{max_entries}");
    let maps = parse_map_list(&spec).map_err(|e| Error::Form(e.to_string()))?;
    let Some((map, map_type)) = maps
        .first()
        .and_then(|m| Some((m, MapType::from_number(m.map_type)?)))
    else {
        return Err(Error::Form(String::from("map create: choose a map type")));
    };
    Ok(Command::Map(MapCommand::Create {
        path: path.trim().to_owned(),
        map_type,
        key_size: map.key_size,
        value_size: map.value_size,
        max_entries: map.max_entries,
        name: name.trim().to_owned(),
    }))
}

/// `map update id ID key KEY value VALUE`: the form's key and value are bpftool byte
/// lists (`1 0 0 0`, `hex 01 00`) or, for fd arrays, `pinned PATH` / `perf cpu N`, so
/// the console's parser reads them.
pub fn update(id: u32, key: &str, value: &str) -> Result<Command, Error> {
    parse(&format!(
        "map update id {id} key {} value {}",
        key.trim(),
        value.trim()
    ))
    .map_err(|e| Error::Form(format!("map {id}: the key or value is not bpftool's: {e}")))
}

/// `map delete id ID key BYTES`.
pub fn delete(id: u32, key: Vec<u8>) -> Command {
    Command::Map(MapCommand::Delete {
        map: MapRef::Id(ObjectId(id)),
        key,
    })
}

/// `map pin id ID PATH`.
pub fn pin(id: u32, path: &str) -> Command {
    Command::Map(MapCommand::Pin {
        map: MapRef::Id(ObjectId(id)),
        path: path.trim().to_owned(),
    })
}

/// `fs unlink PATH`: removes a pin.
pub fn unpin(path: &str) -> Command {
    Command::Fs {
        op: bpfplay_core::bpftool::FsOp::Unlink,
        path: path.to_owned(),
    }
}
