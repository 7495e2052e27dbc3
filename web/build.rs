//! Bundles the CodeMirror editor (web/editor) with esbuild, so that wasm-bindgen can
//! include it as a snippet. Needs `npm ci --prefix web/editor` once (make does it).

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

fn newest_mtime(dir: &Path) -> SystemTime {
    let mut newest = SystemTime::UNIX_EPOCH;
    for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        let t = if path.is_dir() {
            newest_mtime(&path)
        } else {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .unwrap_or(newest)
        };
        newest = newest.max(t);
    }
    newest
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("editor");
    let out = dir.join("dist/editor.js");
    println!("cargo:rerun-if-changed=editor/src");
    println!("cargo:rerun-if-changed=editor/package-lock.json");
    println!("cargo:rerun-if-changed=editor/dist/editor.js");
    // An absolute path: a relative one would be resolved against current_dir.
    let esbuild = dir.join("node_modules/.bin/esbuild");
    if !esbuild.exists() {
        if out.exists() {
            println!("cargo:warning=esbuild is not installed; using the existing editor bundle");
            return;
        }
        panic!("the editor bundle needs esbuild: run `npm ci --prefix web/editor` (make does it)");
    }
    let status = Command::new(&esbuild)
        .current_dir(&dir)
        .args([
            "src/editor.js",
            "--bundle",
            "--format=esm",
            "--minify",
            "--target=es2020",
            "--outfile=dist/editor.js",
            "--log-level=warning",
        ])
        .status()
        .expect("esbuild runs");
    assert!(
        status.success(),
        "esbuild failed to bundle web/editor/src/editor.js"
    );
    // Backdate the bundle to its newest input, or cargo would rerun this on every build.
    let lock = fs::metadata(dir.join("package-lock.json"))
        .and_then(|m| m.modified())
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let inputs = newest_mtime(&dir.join("src")).max(lock);
    if let Ok(file) = fs::File::options().write(true).open(&out) {
        let _ = file.set_modified(inputs);
    }
}
