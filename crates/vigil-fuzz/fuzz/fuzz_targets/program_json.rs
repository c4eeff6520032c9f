//! libFuzzer entry point of the `program_json` target (see vigil-fuzz's lib for what it covers).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::program_json(data));
