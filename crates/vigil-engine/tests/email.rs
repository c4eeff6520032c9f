//! Email as a notification channel, against a real SMTP server on 127.0.0.1 (Debian's
//! aiosmtpd, with STARTTLS and SMTPS on a self-signed certificate made by openssl) that writes
//! what it receives to a mailbox file. Tests wait on conditions, never fixed sleeps.
// A test that cannot set up its fixture should fail on the spot.
#![allow(clippy::unwrap_used)]
#![cfg(not(windows))]

mod common;

use common::until;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};
use vigil_core::{DeliveryStatus, Endpoint, Rule};
use vigil_engine::api::{ListDeliveries, SaveEndpoint, SaveRule, TestEndpoint};
use vigil_engine::{Engine, EngineConfig};

/// Debian's Python, where python3-aiosmtpd is installed (a pyenv `python3` may come first on
/// PATH and lack it).
const PYTHON: &str = "/usr/bin/python3";

/// An SMTP server process, killed when dropped.
struct Smtp {
    child: Child,
    port: u16,
    mailbox: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A self-signed certificate for `localhost`, made by openssl in `dir`.
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args([
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl could not make a certificate");
    (cert, key)
}

/// Starts aiosmtpd: `starttls` requires STARTTLS before mail; `smtps` speaks TLS from the
/// first byte.
async fn smtp(dir: &Path, name: &str, mode: &str) -> Smtp {
    let (cert, key) = certificate(dir);
    let port = free_port();
    let mailbox = dir.join(format!("{name}.mbox"));
    let mut cmd = Command::new(PYTHON);
    cmd.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")]);
    match mode {
        "starttls" => cmd.arg("--tlscert").arg(&cert).arg("--tlskey").arg(&key),
        "smtps" => cmd
            .arg("--smtpscert")
            .arg(&cert)
            .arg("--smtpskey")
            .arg(&key),
        _ => &mut cmd,
    };
    cmd.args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&mailbox)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let child = cmd
        .spawn()
        .expect("python3-aiosmtpd is needed (cargo xtask test installs it)");
    let server = Smtp {
        child,
        port,
        mailbox,
    };
    until("the SMTP server to listen", async || {
        std::net::TcpStream::connect(("127.0.0.1", port)).ok()
    })
    .await;
    server
}

fn mail(server: &Smtp) -> String {
    // The Mailbox handler keeps a maildir-like mbox: read every file under it.
    let mut all = String::new();
    let path = &server.mailbox;
    if path.is_file() {
        all.push_str(&std::fs::read_to_string(path).unwrap_or_default());
    } else if path.is_dir() {
        for sub in ["new", "cur", "tmp"] {
            if let Ok(dir) = std::fs::read_dir(path.join(sub)) {
                for f in dir.flatten() {
                    all.push_str(&std::fs::read_to_string(f.path()).unwrap_or_default());
                }
            }
        }
    }
    all
}

fn email_endpoint(port: u16, tls: &str, extra: Value) -> Endpoint {
    let mut v = json!({
        "name": format!("mail {tls} {port}"),
        "url": format!("smtp://localhost:{port}"),
        "preset": "email",
        "timeout_ms": 15000,
        "backoff_ms": 20,
        "email": {
            "from": "Vigil <vigil@example.com>",
            "to": ["ops@example.com", "oncall@example.com"],
            "tls": tls,
            "accept_invalid_certs": true,
        }
    });
    for (k, x) in extra.as_object().unwrap() {
        v["email"][k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

async fn engine(dir: &tempfile::TempDir) -> Engine {
    Engine::start(EngineConfig::new(dir.path().join("data")))
        .await
        .unwrap()
}

#[tokio::test]
async fn starttls_delivers_and_a_self_signed_certificate_is_refused_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let server = smtp(dir.path(), "starttls", "starttls").await;
    let engine = engine(&dir).await;
    let ok = engine
        .call(SaveEndpoint {
            endpoint: email_endpoint(server.port, "starttls", json!({})),
        })
        .await
        .unwrap();
    let attempt = engine.call(TestEndpoint { id: ok.id }).await.unwrap();
    assert_eq!(attempt.error, None, "{attempt:?}");
    let got = until("the test email in the mailbox", async || {
        let m = mail(&server);
        m.contains("Test message from Vigil").then_some(m)
    })
    .await;
    assert!(got.contains("Subject: Vigil: engine started"), "{got}");
    assert!(got.contains("ops@example.com") && got.contains("oncall@example.com"));
    assert!(got.contains("vigil@example.com"));

    // The same server without accepting its self-signed certificate: refused, nothing sent.
    let before = mail(&server).len();
    let mut strict = email_endpoint(
        server.port,
        "starttls",
        json!({"accept_invalid_certs": false}),
    );
    strict.name = "strict".into();
    let strict = engine
        .call(SaveEndpoint { endpoint: strict })
        .await
        .unwrap();
    let attempt = engine.call(TestEndpoint { id: strict.id }).await.unwrap();
    let why = attempt.error.unwrap_or_default().to_lowercase();
    assert!(
        why.contains("certificate") || why.contains("unknownissuer") || why.contains("issuer"),
        "{why}"
    );
    assert_eq!(
        mail(&server).len(),
        before,
        "nothing may be sent over an untrusted TLS"
    );

    // No encryption against a server that requires STARTTLS: the server refuses the mail.
    let plain = engine
        .call(SaveEndpoint {
            endpoint: {
                let mut e = email_endpoint(server.port, "none", json!({}));
                e.name = "plain".into();
                e
            },
        })
        .await
        .unwrap();
    let attempt = engine.call(TestEndpoint { id: plain.id }).await.unwrap();
    assert!(attempt.error.is_some(), "{attempt:?}");
    assert_eq!(mail(&server).len(), before);
    engine.stop().await;
}

#[tokio::test]
async fn smtps_delivers_a_routed_event_through_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let server = smtp(dir.path(), "smtps", "smtps").await;
    let engine = engine(&dir).await;
    let e = engine
        .call(SaveEndpoint {
            endpoint: email_endpoint(server.port, "tls", json!({})),
        })
        .await
        .unwrap();
    let rule: Rule = serde_json::from_value(
        json!({"name": "mail settings", "kinds": ["settings_changed"], "endpoints": [e.id]}),
    )
    .unwrap();
    engine.call(SaveRule { rule }).await.unwrap();
    engine
        .call(vigil_engine::api::UpdateSettings(json!({"sweep_ms": 2000})))
        .await
        .unwrap();
    let got = until("the routed email", async || {
        let m = mail(&server);
        m.contains("settings changed").then_some(m)
    })
    .await;
    assert!(got.contains("Subject: Vigil"), "{got}");
    let delivered = until("the delivery marked delivered", async || {
        let list = engine.call(ListDeliveries::default()).await.unwrap();
        list.into_iter()
            .find(|d| d.status == DeliveryStatus::Delivered)
    })
    .await;
    assert_eq!(delivered.endpoint_id, Some(e.id));
    engine.stop().await;
}
