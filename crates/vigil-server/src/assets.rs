use axum::http::{StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use rust_embed::Embed;

/// The built UI (`ui/dist`). Release builds embed it in the binary; debug builds read it from
/// disk, so a rebuilt UI shows up without recompiling Rust.
#[derive(Embed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Ui;

/// Serves a UI file, or `index.html` for any other non-API path (client-side routes).
pub(crate) async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(file) = Ui::get(path) {
        let mime = mime_guess::from_path(path).first_or_octet_stream();
        return (
            [(header::CONTENT_TYPE, mime.as_ref().to_owned())],
            file.data,
        )
            .into_response();
    }
    if path.starts_with("api/") || path.contains('.') {
        return StatusCode::NOT_FOUND.into_response();
    }
    match Ui::get("index.html") {
        Some(index) => Html(index.data).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Html(
                "<h1>Vigil</h1><p>The UI is not built. Run <code>cargo xtask run</code> or \
                  <code>npm --prefix ui run build</code>.</p>",
            ),
        )
            .into_response(),
    }
}
