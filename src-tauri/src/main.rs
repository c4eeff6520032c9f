//! The Vigil desktop app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    vigil_desktop::run();
}
