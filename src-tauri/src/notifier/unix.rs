//! The freedesktop notification service: a click on the body invokes the "default" action.

/// Blocks until the notification is clicked (true) or closed (false).
pub(super) fn wait_for_click(handle: notify_rust::NotificationHandle) -> bool {
    let mut clicked = false;
    handle.wait_for_action(|action| clicked = action == "default");
    clicked
}
