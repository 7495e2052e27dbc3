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

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Dir(BTreeMap<String, Node>),
    /// A pinned object and the uid that pinned it (pins are mode 0600).
    Pin {
        object: ObjectId,
        owner: u32,
    },
}

/// One entry of a listing, for the UI and `fs ls`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    /// `None` for directories.
    pub object: Option<ObjectId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bpffs {
    root: Node,
}

impl Default for Bpffs {
    fn default() -> Self {
        Bpffs {
            root: Node::Dir(BTreeMap::new()),
        }
    }
}

/// A path split into its bpffs components, or why it is not in bpffs.
enum Located<'p> {
    Inside(Vec<&'p str>),
    /// Outside bpffs: whether the path names an existing directory of another fs.
    Outside {
        existing_dir: bool,
        parent_exists: bool,
    },
}

fn locate(path: &str) -> Result<Located<'_>, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    let parts: Vec<&str> = path
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.iter().any(|p| p.len() > NAME_MAX) {
        return Err(Errno::ENAMETOOLONG);
    }
    let normalized = format!("/{}", parts.join("/"));
    match normalized.strip_prefix(MOUNT) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            Ok(Located::Inside(parts[3..].to_vec()))
        }
        _ => {
            let parent = match normalized.rfind('/') {
                Some(0) => "/",
                Some(i) => &normalized[..i],
                None => "/",
            };
            Ok(Located::Outside {
                existing_dir: OTHER_FS_DIRS.contains(&normalized.as_str()),
                parent_exists: OTHER_FS_DIRS.contains(&parent),
            })
        }
    }
}

impl Bpffs {
    fn dir_mut(&mut self, parts: &[&str]) -> Result<&mut BTreeMap<String, Node>, Errno> {
        let mut node = &mut self.root;
        for part in parts {
            node = match node {
                Node::Dir(children) => children.get_mut(*part).ok_or(Errno::ENOENT)?,
                Node::Pin { .. } => return Err(Errno::ENOTDIR),
            };
        }
        match node {
            Node::Dir(children) => Ok(children),
            Node::Pin { .. } => Err(Errno::ENOTDIR),
        }
    }

    fn node(&self, parts: &[&str]) -> Result<&Node, Errno> {
        let mut node = &self.root;
        for part in parts {
            node = match node {
                Node::Dir(children) => children.get(*part).ok_or(Errno::ENOENT)?,
                Node::Pin { .. } => return Err(Errno::ENOTDIR),
            };
        }
        Ok(node)
    }

    /// Creates a new name (a pin or a directory) with the VFS and bpffs checks, in order.
    fn create(&mut self, path: &str, node: Node) -> Result<(), Errno> {
        let parts = match locate(path)? {
            Located::Inside(parts) => parts,
            Located::Outside {
                existing_dir,
                parent_exists,
            } => {
                return Err(match (existing_dir, parent_exists) {
                    (true, _) => Errno::EEXIST,
                    (false, true) => Errno::EPERM,
                    (false, false) => Errno::ENOENT,
                });
            }
        };
        let Some((name, parent)) = parts.split_last() else {
            return Err(Errno::EEXIST); // the mount point itself
        };
        let dir = self.dir_mut(parent)?;
        if dir.contains_key(*name) {
            return Err(Errno::EEXIST);
        }
        if name.contains('.') {
            return Err(Errno::EPERM);
        }
        dir.insert((*name).to_owned(), node);
        Ok(())
    }

    /// OBJ_PIN's path part: parent missing → ENOENT, name taken → EEXIST, parent not
    /// in bpffs → EPERM, '.' in the name → EPERM.
    pub fn pin(&mut self, path: &str, object: ObjectId, owner: u32) -> Result<(), Errno> {
        self.create(path, Node::Pin { object, owner })
    }

    /// mkdir(2) inside bpffs.
    pub fn mkdir(&mut self, path: &str) -> Result<(), Errno> {
        self.create(path, Node::Dir(BTreeMap::new()))
    }

    /// OBJ_GET's lookup: the pinned object, EACCES for a directory or a file on another
    /// filesystem, or EACCES when `uid` may not write the pin.
    pub fn get(&self, path: &str, uid: u32) -> Result<ObjectId, Errno> {
        match locate(path)? {
            Located::Inside(parts) => match self.node(&parts)? {
                Node::Pin { object, owner } if uid == 0 || uid == *owner => Ok(*object),
                Node::Pin { .. } | Node::Dir(_) => Err(Errno::EACCES),
            },
            Located::Outside {
                existing_dir: true, ..
            } => Err(Errno::EACCES),
            Located::Outside { .. } => Err(Errno::ENOENT),
        }
    }

    /// unlink(2): removes a pin and returns the object whose reference it held. The
    /// root directory is sticky: only the owner (or root) may unlink.
    pub fn unlink(&mut self, path: &str, uid: u32) -> Result<ObjectId, Errno> {
        let Located::Inside(parts) = locate(path)? else {
            return Err(Errno::ENOENT);
        };
        let Some((name, parent)) = parts.split_last() else {
            return Err(Errno::EISDIR);
        };
        let dir = self.dir_mut(parent)?;
        match dir.get(*name) {
            None => Err(Errno::ENOENT),
            Some(Node::Dir(_)) => Err(Errno::EISDIR),
            Some(Node::Pin { owner, .. }) if uid != 0 && uid != *owner => Err(Errno::EPERM),
            Some(Node::Pin { object, .. }) => {
                let object = *object;
                dir.remove(*name);
                Ok(object)
            }
        }
    }

    /// rmdir(2): only empty directories.
    pub fn rmdir(&mut self, path: &str) -> Result<(), Errno> {
        let Located::Inside(parts) = locate(path)? else {
            return Err(Errno::ENOENT);
        };
        let Some((name, parent)) = parts.split_last() else {
            return Err(Errno::EBUSY); // the mount point
        };
        let dir = self.dir_mut(parent)?;
        match dir.get(*name) {
            None => Err(Errno::ENOENT),
            Some(Node::Pin { .. }) => Err(Errno::ENOTDIR),
            Some(Node::Dir(children)) if !children.is_empty() => Err(Errno::ENOTEMPTY),
            Some(Node::Dir(_)) => {
                dir.remove(*name);
                Ok(())
            }
        }
    }

    /// Every directory and pin under `path`, depth first, sorted by name.
    pub fn list(&self, path: &str) -> Result<Vec<Entry>, Errno> {
        let Located::Inside(parts) = locate(path)? else {
            return Err(Errno::ENOENT);
        };
        let mut out = Vec::new();
        let base = if parts.is_empty() {
            String::from(MOUNT)
        } else {
            format!("{MOUNT}/{}", parts.join("/"))
        };
        collect(self.node(&parts)?, &base, &mut out);
        Ok(out)
    }

    /// The uid that pinned the object at `path`.
    pub fn owner(&self, path: &str) -> Option<u32> {
        let Ok(Located::Inside(parts)) = locate(path) else {
            return None;
        };
        match self.node(&parts) {
            Ok(Node::Pin { owner, .. }) => Some(*owner),
            _ => None,
        }
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
        Node::Pin { object, .. } => out.push(Entry {
            path: path.to_owned(),
            object: Some(*object),
        }),
        Node::Dir(children) => {
            out.push(Entry {
                path: path.to_owned(),
                object: None,
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
        fs.mkdir("/sys/fs/bpf/tc").unwrap();
        fs.mkdir("/sys/fs/bpf/tc/globals").unwrap();
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
        assert_eq!(fs.mkdir("/sys/fs/bpf/.hidden"), Err(Errno::EPERM));
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
        assert_eq!(fs.rmdir("/sys/fs/bpf/tc/globals"), Err(Errno::ENOTEMPTY));
        assert_eq!(fs.rmdir("/sys/fs/bpf/tc/globals/m"), Err(Errno::ENOTDIR));
        assert_eq!(fs.unlink("/sys/fs/bpf/tc", 0), Err(Errno::EISDIR));
        assert_eq!(
            fs.unlink("/sys/fs/bpf/tc/globals/m", 1000),
            Err(Errno::EPERM)
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
        fs.rmdir("/sys/fs/bpf/tc/globals").unwrap();
        assert!(fs.pins().is_empty());
    }
}
