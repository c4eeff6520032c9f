//! libFuzzer entry point of the `api_request` target (see vigil-fuzz's lib for what it covers).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| vigil_fuzz::api_request(data));
