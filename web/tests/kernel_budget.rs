//! Issue 15's crash, in wasm: maps up to and past the emulated kernel's memory budget,
//! with memlock unlimited, get ENOMEM and the page lives on (a Rust allocation failure
//! would abort the whole wasm instance).
#![cfg(target_arch = "wasm32")]

use bpfplay_core::kernel::{DEFAULT_MEMORY_BUDGET, Kernel, MapCreate, Settings};
use bpfplay_core::linux::{Errno, MapType};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn array(max_entries: u32) -> MapCreate {
    MapCreate {
        map_type: MapType::Array as u32,
        key_size: 4,
        value_size: 8,
        max_entries,
    }
}

#[wasm_bindgen_test]
fn maps_past_the_memory_budget_get_enomem_in_wasm() {
    let mut k = Kernel::new(Settings {
        memlock_pages: None,
        ..Settings::default()
    });
    let p = k.spawn("big", 0);
    assert_eq!(k.map_create(p, array(536_870_000), "v"), Err(Errno::ENOMEM));
    // 96 + 33554420 * 8 bytes: exactly the budget.
    let fd = k.map_create(p, array(33_554_420), "a").unwrap();
    assert_eq!(k.kernel_memory(), DEFAULT_MEMORY_BUDGET);
    let last = 33_554_419u32.to_le_bytes();
    k.map_update(p, fd, &last, &[7; 8], 0).unwrap();
    assert_eq!(k.map_lookup(p, fd, &last, 0), Ok(vec![7; 8]));
    assert_eq!(k.map_create(p, array(1), "b"), Err(Errno::ENOMEM));
    let hash = MapCreate {
        map_type: MapType::Hash as u32,
        ..array(1)
    };
    assert_eq!(k.map_create(p, hash, "h"), Err(Errno::ENOMEM));
}
