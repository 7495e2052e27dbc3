//! The bpf filesystem mounted at `/sys/fs/bpf`: directories and pinned objects, with
//! 4.4's path errors (kernel/bpf/inode.c and the VFS around it).

use super::ObjectId;
use crate::linux::Errno;
use crate::prelude::*;
use alloc::collections::BTreeMap;

/// Where the one bpffs instance is mounted.
pub const MOUNT: &str = "/sys/fs/bpf";
const PATH_MAX: usize = 4096;
const NAME_MAX: usize = 255;

/// Directories that exist outside bpffs in the emulated machine. A pin whose parent is
/// one of them fails with EPERM (wrong filesystem); other outside paths do not exist.
const OTHER_FS_DIRS: &[&str] = &["/", "/sys", "/sys/fs", "/tmp", "/root", "/home"];

/// The mode of the mount's root: kernel/bpf/inode.c `bpf_fill_super` sets
/// `S_ISVTX | S_IRWXUGO` (01777, sticky like /tmp).
pub const ROOT_MODE: u32 = 0o1777;
/// The mode of a directory `mkdir` makes here: mkdir(2)'s usual 0777 less the usual
/// umask 022 (inode.c `bpf_mkdir` keeps the mode it is given).
pub const MKDIR_MODE: u32 = 0o755;
/// The mode of a pin: inode.c `bpf_obj_do_pin` uses `S_IRUSR | S_IWUSR`.
pub const PIN_MODE: u32 = 0o600;
const S_ISVTX: u32 = 0o1000;
/// The mount point as path components.
const MOUNT_PARTS: [&str; 3] = ["sys", "fs", "bpf"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    /// A directory, its owner and its mode (permission and sticky bits).
    Dir {
        children: BTreeMap<String, Node>,
        owner: u32,
        mode: u32,
    },
    /// A pinned object and the uid that pinned it (pins are mode 0600).
    Pin { object: ObjectId, owner: u32 },
}

impl Node {
    fn dir(owner: u32, mode: u32) -> Self {
        Node::Dir {
            children: BTreeMap::new(),
            owner,
            mode,
        }
    }

    fn owner(&self) -> u32 {
        match self {
            Node::Dir { owner, .. } | Node::Pin { owner, .. } => *owner,
        }
    }
}

/// One entry of a listing, for the UI, `fs ls` and snapshots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// `None` for directories.
    pub object: Option<ObjectId>,
    pub owner: u32,
    pub mode: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bpffs {
    root: Node,
}

impl Default for Bpffs {
    fn default() -> Self {
        Bpffs {
            root: Node::dir(0, ROOT_MODE),
        }
    }
}

/// The last component of a path, classified as fs/namei.c does (`LAST_NORM`,
/// `LAST_DOT`, `LAST_DOTDOT`, `LAST_ROOT`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Last<'p> {
    Name(&'p str),
    Dot,
    DotDot,
    Root,
}

/// A path walked up to its last component (namei.c `path_parentat`).
struct Walk<'p> {
    /// The directory holding the last component, as absolute components.
    parent: Vec<&'p str>,
    last: Last<'p>,
    /// The path ends in `/`: it must name a directory.
    trailing_slash: bool,
}

impl<'p> Walk<'p> {
    /// The absolute components of what the whole path names (`.` and `..` resolved).
    fn target(&self) -> Vec<&'p str> {
        let mut target = self.parent.clone();
        match self.last {
            Last::Name(name) => target.push(name),
            Last::DotDot => {
                target.pop();
            }
            Last::Dot => {}
            Last::Root => target.clear(),
        }
        target
    }
}

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Dir,
    Pin,
}

/// The components below the mount point, if `abs` is inside bpffs.
fn inside<'a, 'p>(abs: &'a [&'p str]) -> Option<&'a [&'p str]> {
    abs.strip_prefix(&MOUNT_PARTS[..])
}

/// namei.c `may_delete` past the lookup: write and search permission on the directory
/// (EACCES), then its sticky bit (`check_sticky`: only the owner of the victim or of the
/// directory, or CAP_FOWNER, may remove; EPERM).
fn may_delete(dir: &Node, victim: &Node, uid: u32) -> Result<(), Errno> {
    may_create(dir, uid)?;
    if let Node::Dir { owner, mode, .. } = dir {
        if mode & S_ISVTX != 0 && uid != 0 && uid != victim.owner() && uid != *owner {
            return Err(Errno::EPERM);
        }
    }
    Ok(())
}

/// namei.c `may_create`: `inode_permission(dir, MAY_WRITE | MAY_EXEC)`. Root has
/// CAP_DAC_OVERRIDE; a user's group is its own uid here, so others use the last bits.
fn may_create(dir: &Node, uid: u32) -> Result<(), Errno> {
    let Node::Dir { owner, mode, .. } = dir else {
        return Err(Errno::ENOTDIR);
    };
    let bits = if uid == *owner { mode >> 6 } else { *mode };
    if uid == 0 || bits & 0o3 == 0o3 {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

impl Bpffs {
    fn node(&self, parts: &[&str]) -> Result<&Node, Errno> {
        let mut node = &self.root;
        for part in parts {
            node = match node {
                Node::Dir { children, .. } => children.get(*part).ok_or(Errno::ENOENT)?,
                Node::Pin { .. } => return Err(Errno::ENOTDIR),
            };
        }
        Ok(node)
    }

    fn node_mut(&mut self, parts: &[&str]) -> Result<&mut Node, Errno> {
        let mut node = &mut self.root;
        for part in parts {
            node = match node {
                Node::Dir { children, .. } => children.get_mut(*part).ok_or(Errno::ENOENT)?,
                Node::Pin { .. } => return Err(Errno::ENOTDIR),
            };
        }
        Ok(node)
    }

    /// What an absolute path names: bpffs nodes inside the mount, the other
    /// filesystems' directories outside it.
    fn kind(&self, abs: &[&str]) -> Option<Kind> {
        match inside(abs) {
            Some(parts) => match self.node(parts).ok()? {
                Node::Dir { .. } => Some(Kind::Dir),
                Node::Pin { .. } => Some(Kind::Pin),
            },
            None => {
                let path = format!("/{}", abs.join("/"));
                OTHER_FS_DIRS.contains(&path.as_str()).then_some(Kind::Dir)
            }
        }
    }

    /// fs/namei.c's walk (`link_path_walk`): every component but the last must be an
    /// existing directory (ENOENT, ENOTDIR), `.` stays and `..` goes up (at `/` it stays).
    /// Relative paths start at `/`, the emulated processes' working directory.
    fn walk<'p>(&self, path: &'p str) -> Result<Walk<'p>, Errno> {
        if path.is_empty() {
            return Err(Errno::ENOENT);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        if parts.iter().any(|p| p.len() > NAME_MAX) {
            return Err(Errno::ENAMETOOLONG);
        }
        let Some((last, dirs)) = parts.split_last() else {
            return Ok(Walk {
                parent: Vec::new(),
                last: Last::Root,
                trailing_slash: false,
            });
        };
        let mut parent = Vec::new();
        for part in dirs {
            match *part {
                "." => {}
                ".." => {
                    parent.pop();
                }
                name => {
                    parent.push(name);
                    match self.kind(&parent) {
                        Some(Kind::Dir) => {}
                        Some(Kind::Pin) => return Err(Errno::ENOTDIR),
                        None => return Err(Errno::ENOENT),
                    }
                }
            }
        }
        let last = match *last {
            "." => Last::Dot,
            ".." => Last::DotDot,
            name => Last::Name(name),
        };
        Ok(Walk {
            parent,
            last,
            trailing_slash: path.ends_with('/'),
        })
    }

    /// Creates a new name (a pin or a directory) as namei.c `filename_create` and the
    /// bpffs inode operations check it, in order: `.`, `..` or `/` as the last component
    /// and an existing name are EEXIST; a trailing `/` on a new non-directory is ENOENT;
    /// a parent outside bpffs is EPERM (`bpf_obj_do_pin`); no write permission on the
    /// parent is EACCES (`may_create`); a `.` in the name is EPERM (`bpf_dname_reserved`).
    fn create(&mut self, path: &str, node: Node, uid: u32) -> Result<(), Errno> {
        let walk = self.walk(path)?;
        let Last::Name(name) = walk.last else {
            return Err(Errno::EEXIST);
        };
        if self.kind(&walk.target()).is_some() {
            return Err(Errno::EEXIST);
        }
        if walk.trailing_slash && !matches!(node, Node::Dir { .. }) {
            return Err(Errno::ENOENT);
        }
        let Some(parent) = inside(&walk.parent) else {
            return Err(Errno::EPERM);
        };
        let dir = self.node_mut(parent)?;
        may_create(dir, uid)?;
        if name.contains('.') {
            return Err(Errno::EPERM);
        }
        if let Node::Dir { children, .. } = dir {
            children.insert(name.to_owned(), node);
        }
        Ok(())
    }

    /// OBJ_PIN's path part, for `owner`: the errors of [`Bpffs::mkdir`].
    pub fn pin(&mut self, path: &str, object: ObjectId, owner: u32) -> Result<(), Errno> {
        self.create(path, Node::Pin { object, owner }, owner)
    }

    /// mkdir(2) inside bpffs by `owner`, giving the directory `mode`: EEXIST for a name
    /// that exists or is `.`, `..` or `/`; EPERM outside bpffs or for a `.` in the name;
    /// EACCES without write permission on the parent; ENOENT or ENOTDIR on the way.
    pub fn mkdir(&mut self, path: &str, owner: u32, mode: u32) -> Result<(), Errno> {
        self.create(path, Node::dir(owner, mode), owner)
    }

    /// OBJ_GET's lookup: the pinned object; ENOTDIR for a pin named with a trailing `/`;
    /// EACCES for a directory, a file on another filesystem, or a pin `uid` may not
    /// write (mode 0600).
    pub fn get(&self, path: &str, uid: u32) -> Result<ObjectId, Errno> {
        let walk = self.walk(path)?;
        let target = walk.target();
        let Some(parts) = inside(&target) else {
            return match self.kind(&target) {
                Some(_) => Err(Errno::EACCES),
                None => Err(Errno::ENOENT),
            };
        };
        match self.node(parts)? {
            Node::Pin { .. } if walk.trailing_slash => Err(Errno::ENOTDIR),
            Node::Pin { object, owner } if uid == 0 || uid == *owner => Ok(*object),
            Node::Pin { .. } | Node::Dir { .. } => Err(Errno::EACCES),
        }
    }

    /// unlink(2) (namei.c `do_unlinkat`): removes a pin and returns the object whose
    /// reference it held. `.`/`..`/`/` last is EISDIR; a trailing `/` is ENOTDIR on a pin
    /// and EISDIR on a directory; then `may_delete`'s EACCES and sticky-bit EPERM.
    pub fn unlink(&mut self, path: &str, uid: u32) -> Result<ObjectId, Errno> {
        let walk = self.walk(path)?;
        let Last::Name(name) = walk.last else {
            return Err(Errno::EISDIR);
        };
        let Some(parent) = inside(&walk.parent) else {
            return match self.kind(&walk.target()) {
                Some(Kind::Dir) => Err(Errno::EISDIR),
                _ => Err(Errno::ENOENT),
            };
        };
        let dir = self.node_mut(parent)?;
        let Node::Dir { children, .. } = &*dir else {
            return Err(Errno::ENOTDIR);
        };
        let victim = children.get(name).ok_or(Errno::ENOENT)?;
        match victim {
            Node::Dir { .. } if walk.trailing_slash => return Err(Errno::EISDIR),
            Node::Pin { .. } if walk.trailing_slash => return Err(Errno::ENOTDIR),
            _ => {}
        }
        may_delete(dir, victim, uid)?;
        let Node::Pin { object, .. } = *victim else {
            return Err(Errno::EISDIR);
        };
        if let Node::Dir { children, .. } = dir {
            children.remove(name);
        }
        Ok(object)
    }

    /// rmdir(2) (namei.c `do_rmdir`): `..` last is ENOTEMPTY, `.` EINVAL, `/` EBUSY, the
    /// mount point EBUSY; then `may_delete` (EACCES, sticky-bit EPERM, ENOTDIR for a pin)
    /// and `simple_rmdir`'s ENOTEMPTY.
    pub fn rmdir(&mut self, path: &str, uid: u32) -> Result<(), Errno> {
        let walk = self.walk(path)?;
        let name = match walk.last {
            Last::Name(name) => name,
            Last::DotDot => return Err(Errno::ENOTEMPTY),
            Last::Dot => return Err(Errno::EINVAL),
            Last::Root => return Err(Errno::EBUSY),
        };
        if walk.target() == MOUNT_PARTS {
            return Err(Errno::EBUSY);
        }
        let Some(parent) = inside(&walk.parent) else {
            return Err(Errno::ENOENT);
        };
        let dir = self.node_mut(parent)?;
        let Node::Dir { children, .. } = &*dir else {
            return Err(Errno::ENOTDIR);
        };
        let victim = children.get(name).ok_or(Errno::ENOENT)?;
        may_delete(dir, victim, uid)?;
        match victim {
            Node::Pin { .. } => return Err(Errno::ENOTDIR),
            Node::Dir { children, .. } if !children.is_empty() => return Err(Errno::ENOTEMPTY),
            Node::Dir { .. } => {}
        }
        if let Node::Dir { children, .. } = dir {
            children.remove(name);
        }
        Ok(())
    }

    /// Every directory and pin under `path`, depth first, sorted by name.
    pub fn list(&self, path: &str) -> Result<Vec<Entry>, Errno> {
        let target = self.walk(path)?.target();
        let parts = inside(&target).ok_or(Errno::ENOENT)?;
        let mut out = Vec::new();
        let base = if parts.is_empty() {
            String::from(MOUNT)
        } else {
            format!("{MOUNT}/{}", parts.join("/"))
        };
        collect(self.node(parts)?, &base, &mut out);
        Ok(out)
    }

    /// Every pinned object with its path.
    pub fn pins(&self) -> Vec<(String, ObjectId)> {
        let mut out = Vec::new();
        collect(&self.root, MOUNT, &mut out);
        out.into_iter()
            .filter_map(|e| e.object.map(|o| (e.path, o)))
            .collect()
    }
}

fn collect(node: &Node, path: &str, out: &mut Vec<Entry>) {
    match node {
        Node::Pin { object, owner } => out.push(Entry {
            path: path.to_owned(),
            object: Some(*object),
            owner: *owner,
            mode: PIN_MODE,
        }),
        Node::Dir {
            children,
            owner,
            mode,
        } => {
            out.push(Entry {
                path: path.to_owned(),
                object: None,
                owner: *owner,
                mode: *mode,
            });
            for (name, child) in children {
                collect(child, &format!("{path}/{name}"), out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_vfs_and_bpffs_rules() {
        let mut fs = Bpffs::default();
        let obj = ObjectId(1);
        assert_eq!(
            fs.pin("/sys/fs/bpf/tc/globals/m", obj, 0),
            Err(Errno::ENOENT)
        );
        fs.mkdir("/sys/fs/bpf/tc", 0, MKDIR_MODE).unwrap();
        fs.mkdir("/sys/fs/bpf/tc/globals", 0, MKDIR_MODE).unwrap();
        fs.pin("/sys/fs/bpf/tc/globals/m", obj, 0).unwrap();
        assert_eq!(
            fs.pin("/sys/fs/bpf/tc/globals/m", obj, 0),
            Err(Errno::EEXIST)
        );
        assert_eq!(
            fs.pin("/sys/fs/bpf/tc/globals/m/x", obj, 0),
            Err(Errno::ENOTDIR)
        );
        assert_eq!(fs.pin("/sys/fs/bpf/a.b", obj, 0), Err(Errno::EPERM));
        assert_eq!(
            fs.mkdir("/sys/fs/bpf/.hidden", 0, MKDIR_MODE),
            Err(Errno::EPERM)
        );
        assert_eq!(fs.pin("/tmp/m", obj, 0), Err(Errno::EPERM));
        assert_eq!(fs.pin("/nonexistent/m", obj, 0), Err(Errno::ENOENT));
        assert_eq!(fs.pin("", obj, 0), Err(Errno::ENOENT));
        assert_eq!(
            fs.pin(&format!("/sys/fs/bpf/{}", "x".repeat(256)), obj, 0),
            Err(Errno::ENAMETOOLONG)
        );
        assert_eq!(fs.get("/sys/fs/bpf/tc/globals/m", 0), Ok(obj));
        assert_eq!(fs.get("/sys/fs/bpf/tc/globals/m", 1000), Err(Errno::EACCES));
        assert_eq!(fs.get("/sys/fs/bpf/tc", 0), Err(Errno::EACCES));
        assert_eq!(fs.get("/tmp", 0), Err(Errno::EACCES));
        assert_eq!(fs.get("/sys/fs/bpf/nope", 0), Err(Errno::ENOENT));
        assert_eq!(fs.rmdir("/sys/fs/bpf/tc/globals", 0), Err(Errno::ENOTEMPTY));
        assert_eq!(fs.rmdir("/sys/fs/bpf/tc/globals/m", 0), Err(Errno::ENOTDIR));
        assert_eq!(fs.unlink("/sys/fs/bpf/tc", 0), Err(Errno::EISDIR));
        // Root's directories are 0755: another user may not write in them.
        assert_eq!(
            fs.unlink("/sys/fs/bpf/tc/globals/m", 1000),
            Err(Errno::EACCES)
        );
        let paths: Vec<String> = fs
            .list("/sys/fs/bpf")
            .unwrap()
            .into_iter()
            .map(|e| e.path)
            .collect();
        assert_eq!(
            paths,
            [
                "/sys/fs/bpf",
                "/sys/fs/bpf/tc",
                "/sys/fs/bpf/tc/globals",
                "/sys/fs/bpf/tc/globals/m"
            ]
        );
        assert_eq!(fs.unlink("/sys/fs/bpf/tc/globals/m", 0), Ok(obj));
        assert_eq!(fs.unlink("/sys/fs/bpf/tc/globals/m", 0), Err(Errno::ENOENT));
        fs.rmdir("/sys/fs/bpf/tc/globals", 0).unwrap();
        assert!(fs.pins().is_empty());
    }
}
