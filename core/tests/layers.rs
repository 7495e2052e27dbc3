//! The module graph of `bpfplay-core` is the one its crate docs list, and it has no
//! cycle. The table in `src/lib.rs` (`| [`module`] | may import | ... |`) is the source;
//! this test reads every `src/**/*.rs`, collects the top-level modules each module
//! names through `crate::`/`super::` paths, and fails on an import the table does not
//! list, on a listed import nothing uses (so the table stays exact), and on a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file: `kernel/helpers/runtime.rs` is `[kernel, helpers,
/// runtime]`, `kernel/mod.rs` is `[kernel]`, `lib.rs` is `[]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src_dir()).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

fn ident_at(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The first path segments named after `crate::` or a `super::` chain that climbs to
/// the crate root, with `crate::{a, b::c}` groups expanded. Comments are skipped.
fn root_references(code: &str, path: &[String]) -> BTreeSet<String> {
    let code: String = code
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(i) = rest.find(|c: char| c == 'c' || c == 's') {
        let here = &rest[i..];
        let preceded_by_ident = rest[..i]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let mut after_root = None;
        if !preceded_by_ident {
            if let Some(tail) = here.strip_prefix("crate::") {
                after_root = Some(tail);
            } else if here.starts_with("super::") {
                let mut depth = path.len();
                let mut tail = here;
                while let Some(t) = tail.strip_prefix("super::") {
                    depth = depth.saturating_sub(1);
                    tail = t;
                }
                if depth == 0 {
                    after_root = Some(tail);
                }
            }
        }
        match after_root {
            Some(tail) if tail.starts_with('{') => {
                let group = &tail[1..tail.find('}').unwrap_or(tail.len())];
                for item in group.split(',') {
                    let name = ident_at(item.trim());
                    if !name.is_empty() {
                        found.insert(name.to_owned());
                    }
                }
                rest = &tail[1..];
            }
            Some(tail) => {
                found.insert(ident_at(tail).to_owned());
                rest = tail;
            }
            None => rest = &here[1..],
        }
    }
    found
}

/// Which top-level module imports which, as the code has it.
fn actual_graph(modules: &BTreeSet<String>) -> Graph {
    let mut files = Vec::new();
    rust_files(&src_dir(), &mut files);
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for file in files {
        let path = module_path(&file);
        let Some(from) = path.first() else { continue };
        let code = fs::read_to_string(&file).unwrap();
        for to in root_references(&code, &path) {
            if modules.contains(&to) && &to != from {
                graph.get_mut(from).unwrap().insert(to);
            }
        }
    }
    graph
}

/// The table of the crate docs: `//! | [`vm`] | isa, linux | ... |`.
fn documented_graph() -> Graph {
    let lib = fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let mut graph = Graph::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! | [`") else {
            continue;
        };
        let (module, rest) = row.split_once("`]").unwrap();
        let imports = rest.split('|').nth(1).unwrap().trim();
        let imports = imports
            .split(',')
            .map(str::trim)
            .filter(|m| !m.is_empty() && *m != "—")
            .map(str::to_owned)
            .collect();
        graph.insert(module.to_owned(), imports);
    }
    graph
}

/// A cycle of the graph, if it has one (depth-first search).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        done: &mut BTreeSet<String>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| n == node) {
            let mut cycle = stack[at..].to_vec();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, done, stack) {
                return Some(cycle);
            }
        }
        stack.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut done, &mut Vec::new()))
}

fn check(documented: &Graph, actual: &Graph) -> Result<(), String> {
    let mut problems = Vec::new();
    if let Some(cycle) = find_cycle(documented) {
        problems.push(format!(
            "the documented graph has a cycle: {}",
            cycle.join(" -> ")
        ));
    }
    if let Some(cycle) = find_cycle(actual) {
        problems.push(format!(
            "the modules import in a cycle: {}",
            cycle.join(" -> ")
        ));
    }
    for (module, imports) in actual {
        let Some(allowed) = documented.get(module) else {
            problems.push(format!(
                "module `{module}` is missing from the table in lib.rs"
            ));
            continue;
        };
        for to in imports.difference(allowed) {
            problems.push(format!(
                "`{module}` imports `{to}`, which lib.rs does not allow"
            ));
        }
        for to in allowed.difference(imports) {
            problems.push(format!(
                "lib.rs lets `{module}` import `{to}`, which it does not"
            ));
        }
    }
    for module in documented.keys().filter(|m| !actual.contains_key(*m)) {
        problems.push(format!("lib.rs lists `{module}`, which is not a module"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The top-level modules: every directory and file of `src` but `lib.rs`.
fn top_level_modules() -> BTreeSet<String> {
    fs::read_dir(src_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|m| m != "lib")
        .collect()
}

#[test]
fn modules_import_only_what_the_crate_docs_allow_and_never_in_a_cycle() {
    let actual = actual_graph(&top_level_modules());
    if let Err(problems) = check(&documented_graph(), &actual) {
        panic!("{problems}\nthe module graph as the code has it: {actual:#?}");
    }
}

#[test]
fn a_back_edge_is_caught() {
    let actual = actual_graph(&top_level_modules());
    let documented = documented_graph();
    // `isa` is at the bottom: an import of it from the top closes a cycle.
    let mut with_back_edge = actual.clone();
    with_back_edge
        .get_mut("isa")
        .unwrap()
        .insert(String::from("kernel"));
    let problems = check(&documented, &with_back_edge).unwrap_err();
    assert!(problems.contains("cycle: "), "{problems}");
    assert!(problems.contains("`isa` imports `kernel`"), "{problems}");
}

#[test]
fn references_are_read_through_groups_and_super_chains() {
    let path = [
        String::from("kernel"),
        String::from("helpers"),
        String::from("runtime"),
    ];
    let code = "use crate::{isa::Insn, vm};\nuse super::super::super::linux::Errno;\n\
                use super::super::map; // crate::jit\nlet x = my_crate::asm;";
    let found: Vec<String> = root_references(code, &path).into_iter().collect();
    assert_eq!(found, ["isa", "linux", "vm"]);
}
