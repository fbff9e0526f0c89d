#![no_main]
//! See fuzz/README.md; the entry point is shared with tests/fuzz_regressions.rs.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = marginalia_fuzz::hf(data);
});
