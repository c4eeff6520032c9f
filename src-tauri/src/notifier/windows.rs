//! Windows toasts: a click on the toast's body is the "default" response.

use notify_rust::NotificationResponse;

/// Blocks until the toast is clicked (true) or dismissed (false).
pub(super) fn wait_for_click(handle: notify_rust::NotificationHandle) -> bool {
    let mut clicked = false;
    let _ = handle.wait_for_response(|r: &NotificationResponse| {
        clicked = matches!(
            r,
            NotificationResponse::Default | NotificationResponse::Action(_)
        );
    });
    clicked
}
