//! What running a tab needs from its setup, for the playground's engine and for
//! `bpfplay run WORKSPACE.bpfplay.json` alike.

use crate::kernel::ctx::SkbMeta;
use crate::kernel::{Kernel, Pid, RunInput};
use crate::linux::{Errno, ProgType};
use crate::prelude::*;
use crate::workspace::schema::SetupMaps;
use crate::workspace::setup::{MapSpec, Setup};
use core::fmt;

/// BPF_MAP_CREATE refused a setup's map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapCreateError {
    /// 1-based, as the maps text counts.
    pub index: usize,
    pub spec: MapSpec,
    pub errno: Errno,
}

impl fmt::Display for MapCreateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "maps item {} ({}): {}",
            self.index, self.spec, self.errno
        )
    }
}

impl core::error::Error for MapCreateError {}

/// The packet of a kernel run when the setup has none: 60 zero bytes, a minimal frame.
pub const DEFAULT_PACKET_LEN: usize = 60;

/// The maps of `setup` in `kernel`, as (process, (map index, fd) bindings): those of
/// `bound` when they were made for this setup and their process lives, else new ones
/// in a new process `playground` (the old one exits, which frees the maps no pin
/// keeps); `bound` then names them. The playground keeps `bound` in its engine, and
/// the CLI takes it from the workspace file, so both run on the same maps.
pub fn setup_maps(
    setup: &Setup,
    kernel: &mut Kernel,
    bound: &mut Option<SetupMaps>,
) -> Result<(Pid, Vec<(u32, u32)>), MapCreateError> {
    if let Some(b) = bound.as_ref().filter(|b| {
        b.maps == setup.maps && b.privileged == setup.privileged && kernel.process(b.pid).is_some()
    }) {
        return Ok((b.pid, b.fds.clone()));
    }
    if let Some(old) = bound.take() {
        let _ = kernel.exit(old.pid);
    }
    let pid = kernel.spawn("playground", setup.uid());
    let fds = setup.create_maps(kernel, pid).inspect_err(|_| {
        let _ = kernel.exit(pid);
    })?;
    *bound = Some(SetupMaps {
        maps: setup.maps.clone(),
        privileged: setup.privileged,
        pid,
        fds: fds.clone(),
    });
    Ok((pid, fds))
}

impl Setup {
    /// Creates the setup's maps in process `pid`; returns the (map index, fd) bindings
    /// that `ProgLoad::bind_map_indexes` resolves a program's `map_fd(i)` with; map i is
    /// named `map{i}`.
    /// On failure the maps made so far stay open in `pid`.
    fn create_maps(
        &self,
        kernel: &mut Kernel,
        pid: Pid,
    ) -> Result<Vec<(u32, u32)>, MapCreateError> {
        self.maps
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                kernel
                    .map_create(pid, spec.attr(), &format!("map{i}"))
                    .map(|fd| (i as u32, fd))
                    .map_err(|errno| MapCreateError {
                        index: i + 1,
                        spec: *spec,
                        errno,
                    })
            })
            .collect()
    }

    /// What a kernel run of this setup's type gets: a kprobe hit, or the packet (60
    /// zero bytes if empty) with its `__sk_buff` fields.
    pub fn run_input(&self) -> RunInput {
        if self.prog_type == Some(ProgType::Kprobe) {
            return RunInput::Kprobe {
                regs: Default::default(),
            };
        }
        let packet = if self.packet.is_empty() {
            vec![0; DEFAULT_PACKET_LEN]
        } else {
            self.packet.clone()
        };
        let mut meta = SkbMeta::for_frame(&packet);
        self.skb.apply(&mut meta);
        RunInput::Packet { packet, meta }
    }
}
