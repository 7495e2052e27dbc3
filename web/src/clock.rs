//! Milliseconds from a monotonic clock: the page's high-resolution clock in the
//! browser. Natively, where the reducer's tests run, a clock that advances one
//! millisecond at each reading, so that a run or a batch goes in slices of the same
//! work on every machine and tests of slicing do not depend on its speed.

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    thread_local!(static READINGS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) });
    READINGS.with(|readings| {
        readings.set(readings.get() + 1);
        f64::from(readings.get())
    })
}
