//! Any URL fragment through the share-link decoder: a workspace or a typed error. A
//! workspace it decodes encodes again to a link that decodes to the same workspace.
#![no_main]

use bpfplay_core::workspace::link;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let fragment = String::from_utf8_lossy(data);
    match link::decode(&fragment) {
        Err(e) => {
            let _ = e.to_string();
        }
        Ok(workspace) => {
            if let Ok(again) = link::encode(&workspace) {
                let decoded = link::decode(&again.fragment).expect("a link we made decodes");
                assert_eq!(decoded, workspace);
            }
        }
    }
});
