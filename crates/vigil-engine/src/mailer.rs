//! Email deliveries: an email endpoint's notice sent through its SMTP server (lettre over
//! rustls), with the same attempt bookkeeping as a webhook.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use vigil_core::{EmailTls, Endpoint};

/// Sends one email delivery. `body` is what [`Endpoint::body`] made for the email preset
/// (`{"subject", "text"}`); `key` becomes the Message-ID, so a receiver can drop a repeat.
/// The error says why in words (never the password).
pub(crate) async fn send(endpoint: &Endpoint, body: &str, key: &str) -> Result<(), String> {
    let timeout = Duration::from_millis(u64::from(endpoint.timeout_ms));
    match tokio::time::timeout(timeout, try_send(endpoint, body, key)).await {
        Ok(r) => r,
        Err(_) => Err(format!("no answer within {} ms", endpoint.timeout_ms)),
    }
}

async fn try_send(endpoint: &Endpoint, body: &str, key: &str) -> Result<(), String> {
    let email = endpoint
        .email
        .as_ref()
        .ok_or("the endpoint has no email settings")?;
    let url = url::Url::parse(&endpoint.url).map_err(|e| format!("bad SMTP URL: {e}"))?;
    let host = url.host_str().ok_or("the SMTP URL has no host")?.to_owned();
    let port = url.port().unwrap_or_else(|| email.tls.default_port());
    let params = || {
        TlsParameters::builder(host.clone())
            .dangerous_accept_invalid_certs(email.accept_invalid_certs)
            .build_rustls()
            .map_err(|e| format!("TLS setup failed: {e}"))
    };
    let tls = match email.tls {
        EmailTls::Starttls => Tls::Required(params()?),
        EmailTls::Tls => Tls::Wrapper(params()?),
        EmailTls::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.as_str())
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_millis(u64::from(endpoint.timeout_ms))));
    if let Some(user) = &email.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            email.password.clone().unwrap_or_default(),
        ));
    }
    let transport = builder.build();
    let parts: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let subject = parts["subject"].as_str().unwrap_or("Vigil");
    let text = parts["text"].as_str().unwrap_or(body);
    let mut message = Message::builder()
        .from(
            email
                .from
                .parse()
                .map_err(|e| format!("the sender {:?} is not an address: {e}", email.from))?,
        )
        .subject(subject)
        .message_id(Some(format!("<{key}@vigil>")))
        .header(ContentType::TEXT_PLAIN);
    for to in &email.to {
        message = message.to(to
            .parse()
            .map_err(|e| format!("the recipient {to:?} is not an address: {e}"))?);
    }
    let message = message
        .body(text.to_owned())
        .map_err(|e| format!("the message could not be built: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| crate::root_cause(&e))
}
