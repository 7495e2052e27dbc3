// Starts the app. Trunk's own loader is an inline script, which the page's
// Content-Security-Policy forbids, so Trunk.toml's pattern_script loads this file instead
// and passes the hashed names of the wasm-bindgen glue and of the wasm in data attributes.
const { js, wasm } = document.querySelector('script[data-wasm]').dataset;
const { default: init } = await import(js);
await init({ module_or_path: wasm });
