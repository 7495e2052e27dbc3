//! Any text as a workspace file: a workspace or a typed error, never a panic; a workspace
//! it reads writes back to a file that reads as the same workspace.
#![no_main]

use bpfplay_core::workspace::document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match document::from_json(&text) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(workspace) => {
            let again = document::to_json(&workspace);
            assert_eq!(document::from_json(&again).ok(), Some(workspace));
        }
    }
});
