//! libFuzzer entry point of the `check_json` target (see vigil-fuzz's lib for what it covers).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::check_json(data));
