//! How a tab's program is loaded and run: typed, parsed once when the user types it.

use crate::asm::header;
use crate::bpftool::{MapListError, parse_map_list};
use crate::isa::{HexError, Profile, parse_hex_bytes};
use crate::kernel::MapCreate;
use crate::kernel::ctx::SkbMeta;
use crate::linux::ctx::VLAN_TAG_PRESENT;
use crate::linux::{MapType, ProgType};
use crate::prelude::*;
use alloc::collections::BTreeMap;
use core::fmt;
use serde::{Deserialize, Serialize};

/// How a tab's program is loaded and run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// `Some`: load into the emulated Linux 4.4 kernel as this type (verified, with
    /// helpers and a context). `None` (`"plain"`): run in the plain VM with r1 = the
    /// packet bytes.
    #[serde(with = "prog_type_name")]
    pub prog_type: Option<ProgType>,
    /// ISA and semantics of plain runs (kernel runs are always Linux 4.4).
    #[serde(with = "profile_name")]
    pub profile: Profile,
    pub privileged: bool,
    /// The packet (kernel runs) or r1's memory (plain runs); empty means 60 zero bytes
    /// for a kernel run.
    #[serde(default, with = "hex_text", skip_serializing_if = "Vec::is_empty")]
    pub packet: Vec<u8>,
    /// `__sk_buff` fields set on top of what the packet implies.
    #[serde(default, skip_serializing_if = "SkbFields::is_empty")]
    pub skb: SkbFields,
    /// Maps created for the program; an `LD_IMM64` with src=1 and imm=i is the i-th.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maps: Vec<MapSpec>,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            prog_type: Some(ProgType::SocketFilter),
            profile: Profile::Linux44,
            privileged: true,
            packet: Vec::new(),
            skb: SkbFields::default(),
            maps: Vec::new(),
        }
    }
}

/// Why a setup field's text was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupError {
    Packet(HexError),
    /// `item` of the skb text, and what is wrong with it.
    Skb {
        item: String,
        problem: SkbProblem,
    },
    Maps(MapListError),
    ProgType(String),
    Profile(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkbProblem {
    NotNameValue,
    UnknownField,
    NotNumber,
    TooWide { bits: u32 },
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::Packet(e) => write!(f, "packet: {e}"),
            SetupError::Skb { item, problem } => {
                write!(f, "skb: `{item}` ")?;
                match problem {
                    SkbProblem::NotNameValue => f.write_str("is not name=value"),
                    SkbProblem::UnknownField => write!(
                        f,
                        "names an unknown field (the fields are {})",
                        SkbField::ALL.map(SkbField::name).join(", ")
                    ),
                    SkbProblem::NotNumber => {
                        f.write_str("does not have a number (decimal or 0x hex) as its value")
                    }
                    SkbProblem::TooWide { bits } => {
                        write!(f, "has a value that does not fit the {bits}-bit field")
                    }
                }
            }
            SetupError::Maps(e) => write!(f, "maps: {e}"),
            SetupError::ProgType(name) => write!(f, "unknown program type `{name}`"),
            SetupError::Profile(name) => write!(f, "unknown profile `{name}`"),
        }
    }
}

impl core::error::Error for SetupError {}

impl Setup {
    /// The setup a program declares in its header comments (`; type: sched_cls`,
    /// `; profile:`, `; unprivileged`, `; packet:` or `; mem:`, `; maps:`, `; skb:`), as
    /// the shipped examples do.
    pub fn from_headers(source: &str) -> Result<Setup, SetupError> {
        let text = |key| header(source, key).unwrap_or("");
        Ok(Setup {
            prog_type: match header(source, "type:") {
                None => None,
                Some(name) => Some(
                    ProgType::from_name(name)
                        .ok_or_else(|| SetupError::ProgType(name.to_owned()))?,
                ),
            },
            profile: match header(source, "profile:") {
                None => Profile::Linux44,
                Some(name) => {
                    Profile::from_name(name).ok_or_else(|| SetupError::Profile(name.to_owned()))?
                }
            },
            privileged: header(source, "unprivileged").is_none(),
            packet: parse_packet(header(source, "packet:").unwrap_or_else(|| text("mem:")))?,
            skb: text("skb:").parse()?,
            maps: MapSpec::parse_list(text("maps:"))?,
        })
    }

    /// The uid of the process that loads the program.
    pub fn uid(&self) -> u32 {
        if self.privileged { 0 } else { 1000 }
    }
}

/// Packet bytes from hex text (`02 00 0a`, `0x02 0x00`).
pub fn parse_packet(text: &str) -> Result<Vec<u8>, SetupError> {
    parse_hex_bytes(text).map_err(SetupError::Packet)
}

/// One map of a setup (BPF_MAP_CREATE's attributes), written `hash:4:8:16`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MapSpec {
    #[serde(rename = "type", with = "map_type_name")]
    pub map_type: MapType,
    pub key_size: u32,
    pub value_size: u32,
    pub max_entries: u32,
}

impl MapSpec {
    /// A list as the CLI's `--maps` writes it: `hash:4:8:16,array:4:8:4`.
    pub fn parse_list(text: &str) -> Result<Vec<MapSpec>, SetupError> {
        let maps = parse_map_list(text).map_err(SetupError::Maps)?;
        Ok(maps
            .into_iter()
            .filter_map(|m| {
                // The parser accepts only named types, so every number has its type.
                Some(MapSpec {
                    map_type: MapType::from_number(m.map_type)?,
                    key_size: m.key_size,
                    value_size: m.value_size,
                    max_entries: m.max_entries,
                })
            })
            .collect())
    }

    /// A list back as text ([`MapSpec::parse_list`] reads it).
    pub fn list_text(maps: &[MapSpec]) -> String {
        maps.iter()
            .map(MapSpec::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn attr(&self) -> MapCreate {
        MapCreate {
            map_type: self.map_type as u32,
            key_size: self.key_size,
            value_size: self.value_size,
            max_entries: self.max_entries,
        }
    }
}

impl fmt::Display for MapSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}:{}",
            self.map_type, self.key_size, self.value_size, self.max_entries
        )
    }
}

/// A settable field of `__sk_buff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkbField {
    Mark,
    Priority,
    PktType,
    QueueMapping,
    Ifindex,
    IngressIfindex,
    Hash,
    TcIndex,
    TcClassid,
    VlanTci,
    RouteRealm,
    Cb0,
    Cb1,
    Cb2,
    Cb3,
    Cb4,
}

impl SkbField {
    pub const ALL: [SkbField; 16] = [
        SkbField::Mark,
        SkbField::Priority,
        SkbField::PktType,
        SkbField::QueueMapping,
        SkbField::Ifindex,
        SkbField::IngressIfindex,
        SkbField::Hash,
        SkbField::TcIndex,
        SkbField::TcClassid,
        SkbField::VlanTci,
        SkbField::RouteRealm,
        SkbField::Cb0,
        SkbField::Cb1,
        SkbField::Cb2,
        SkbField::Cb3,
        SkbField::Cb4,
    ];

    /// The field's name in `__sk_buff`.
    pub const fn name(self) -> &'static str {
        match self {
            SkbField::Mark => "mark",
            SkbField::Priority => "priority",
            SkbField::PktType => "pkt_type",
            SkbField::QueueMapping => "queue_mapping",
            SkbField::Ifindex => "ifindex",
            SkbField::IngressIfindex => "ingress_ifindex",
            SkbField::Hash => "hash",
            SkbField::TcIndex => "tc_index",
            SkbField::TcClassid => "tc_classid",
            SkbField::VlanTci => "vlan_tci",
            SkbField::RouteRealm => "route_realm",
            SkbField::Cb0 => "cb0",
            SkbField::Cb1 => "cb1",
            SkbField::Cb2 => "cb2",
            SkbField::Cb3 => "cb3",
            SkbField::Cb4 => "cb4",
        }
    }

    /// Width of the kernel's field.
    pub const fn bits(self) -> u32 {
        match self {
            SkbField::QueueMapping
            | SkbField::TcIndex
            | SkbField::TcClassid
            | SkbField::VlanTci => 16,
            _ => 32,
        }
    }
}

/// `__sk_buff` fields to set, by field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SkbFields(pub BTreeMap<SkbField, u32>);

impl SkbFields {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Sets the fields on `meta`; a VLAN tag is marked present, as a tagged frame's is.
    pub fn apply(&self, meta: &mut SkbMeta) {
        for (field, &v) in &self.0 {
            let (w32, w16) = (v, v as u16);
            match field {
                SkbField::Mark => meta.mark = w32,
                SkbField::Priority => meta.priority = w32,
                SkbField::PktType => meta.pkt_type = w32,
                SkbField::QueueMapping => meta.queue_mapping = w16,
                SkbField::Ifindex => meta.ifindex = w32,
                SkbField::IngressIfindex => meta.ingress_ifindex = w32,
                SkbField::Hash => meta.hash = w32,
                SkbField::TcIndex => meta.tc_index = w16,
                SkbField::TcClassid => meta.tc_classid = w16,
                SkbField::VlanTci => meta.vlan_tci = w16 | VLAN_TAG_PRESENT,
                SkbField::RouteRealm => meta.route_realm = w32,
                SkbField::Cb0 => meta.cb[0] = w32,
                SkbField::Cb1 => meta.cb[1] = w32,
                SkbField::Cb2 => meta.cb[2] = w32,
                SkbField::Cb3 => meta.cb[3] = w32,
                SkbField::Cb4 => meta.cb[4] = w32,
            }
        }
    }
}

/// `mark=1 priority=7 cb0=0x5`.
impl core::str::FromStr for SkbFields {
    type Err = SetupError;

    fn from_str(text: &str) -> Result<Self, SetupError> {
        let mut fields = BTreeMap::new();
        for item in text.split_whitespace() {
            let bad = |problem| SetupError::Skb {
                item: item.to_owned(),
                problem,
            };
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| bad(SkbProblem::NotNameValue))?;
            let field = SkbField::ALL
                .into_iter()
                .find(|f| f.name() == name)
                .ok_or_else(|| bad(SkbProblem::UnknownField))?;
            let v = match value.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => value.parse(),
            }
            .map_err(|_| bad(SkbProblem::NotNumber))?;
            if v >> field.bits() != 0 {
                return Err(bad(SkbProblem::TooWide { bits: field.bits() }));
            }
            fields.insert(field, v as u32);
        }
        Ok(SkbFields(fields))
    }
}

impl fmt::Display for SkbFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let items: Vec<String> = self
            .0
            .iter()
            .map(|(field, v)| format!("{}={v}", field.name()))
            .collect();
        f.write_str(&items.join(" "))
    }
}

/// Names rather than numbers, so that files read well and survive renumbering.
mod prog_type_name {
    use crate::linux::ProgType;
    use crate::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &Option<ProgType>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.map_or("plain", ProgType::name))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ProgType>, D::Error> {
        let name = String::deserialize(d)?;
        match name.as_str() {
            "plain" => Ok(None),
            _ => ProgType::from_name(&name).map(Some).ok_or_else(|| {
                D::Error::custom(format!(
                    "unknown program type `{name}` (socket_filter, kprobe, sched_cls, sched_act or plain)"
                ))
            }),
        }
    }
}

mod profile_name {
    use crate::isa::Profile;
    use crate::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(p: &Profile, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(p.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
        let name = String::deserialize(d)?;
        Profile::from_name(&name).ok_or_else(|| {
            D::Error::custom(format!("unknown profile `{name}` (linux-4.4 or rfc9669)"))
        })
    }
}

mod map_type_name {
    use crate::linux::MapType;
    use crate::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(t: &MapType, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<MapType, D::Error> {
        let name = String::deserialize(d)?;
        MapType::from_name(&name).ok_or_else(|| {
            D::Error::custom(format!(
                "unknown map type `{name}` (hash, array, prog_array or perf_event_array)"
            ))
        })
    }
}

/// Bytes as spaced hex text: shorter than a JSON array and readable in a file.
mod hex_text {
    use crate::prelude::*;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::isa::spaced_hex(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_packet(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skb_text_parses_and_prints_back() {
        let fields: SkbFields = "mark=1 priority=0x7 cb4=5 vlan_tci=3".parse().unwrap();
        assert_eq!(fields.to_string(), "mark=1 priority=7 vlan_tci=3 cb4=5");
        let mut meta = SkbMeta::default();
        fields.apply(&mut meta);
        assert_eq!((meta.mark, meta.priority, meta.cb[4]), (1, 7, 5));
        assert_eq!(meta.vlan_tci, 3 | VLAN_TAG_PRESENT);
    }

    #[test]
    fn bad_skb_text_names_the_item_and_the_problem() {
        let err = |text: &str| text.parse::<SkbFields>().unwrap_err().to_string();
        assert_eq!(err("mark"), "skb: `mark` is not name=value");
        assert!(
            err("colour=1").starts_with(
                "skb: `colour=1` names an unknown field (the fields are mark, priority"
            )
        );
        assert_eq!(
            err("mark=x"),
            "skb: `mark=x` does not have a number (decimal or 0x hex) as its value"
        );
        assert_eq!(
            err("tc_index=70000"),
            "skb: `tc_index=70000` has a value that does not fit the 16-bit field"
        );
    }

    #[test]
    fn map_lists_parse_and_print_back() {
        let maps = MapSpec::parse_list("hash:4:8:16, array:4:8:4").unwrap();
        assert_eq!(MapSpec::list_text(&maps), "hash:4:8:16,array:4:8:4");
        assert_eq!(
            MapSpec::parse_list("tree:4:8:1").unwrap_err().to_string(),
            "maps: maps item 1: unknown map type `tree` (hash, array, prog_array, perf_event_array)"
        );
    }
}
