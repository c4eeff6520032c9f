//! libFuzzer entry point of the `jobs_import` target (see vigil-fuzz's lib for what it covers).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::jobs_import(data));
