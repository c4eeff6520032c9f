//! What the system tests share: the real daemon in a temp data dir, and waiting on conditions.
#![allow(clippy::unwrap_used, dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Generous upper bound for anything a test waits on; tests go on as soon as the condition holds.
pub const DEADLINE: Duration = Duration::from_secs(30);
/// The `vigil` binary built from this source.
pub const BIN: &str = env!("CARGO_BIN_EXE_vigil");

/// A daemon process that is killed if a test fails half-way.
pub struct Daemon {
    pub child: Option<Child>,
    pub base: String,
    pub token: String,
}

impl Daemon {
    /// Starts `vigil daemon` on `dir` and waits until it announced its address.
    pub fn start(dir: &Path) -> Self {
        let _ = std::fs::remove_file(dir.join("endpoint"));
        let child = Command::new(BIN)
            .args(["daemon", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .env("VIGIL_LOG", "warn")
            .stdin(Stdio::null())
            .spawn()
            .expect("the vigil binary starts");
        let endpoint = wait_for("the daemon to write its endpoint file", || {
            std::fs::read_to_string(dir.join("endpoint")).ok()
        });
        let token = std::fs::read_to_string(dir.join("api-token")).unwrap();
        Self {
            child: Some(child),
            base: format!("http://{}", endpoint.trim()),
            token: token.trim().to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        req.bearer_auth(&self.token)
    }

    /// GET with the token; the status and the JSON body (null when there is none).
    pub async fn get_json(&self, http: &reqwest::Client, path: &str) -> (u16, Value) {
        json_of(self.authed(http.get(self.url(path))).send().await.unwrap()).await
    }

    /// POST a JSON body with the token; the status and the JSON answer.
    pub async fn post_json(
        &self,
        http: &reqwest::Client,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        json_of(
            self.authed(http.post(self.url(path)))
                .json(body)
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// POSTs `body` to `path` and expects 201; the created document.
    pub async fn create(&self, http: &reqwest::Client, path: &str, body: &Value) -> Value {
        let (code, created) = self.post_json(http, path, body).await;
        assert_eq!(code, 201, "POST {path} {body}: {created}");
        created
    }

    /// SIGKILL: no clean shutdown, no chance to record anything.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// Stops the daemon the way a service manager does and returns its exit status.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().unwrap();
        #[cfg(unix)]
        {
            let pid = child.id().to_string();
            let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
            assert!(sent.success());
        }
        #[cfg(not(unix))]
        child.kill().unwrap();
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "the daemon did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Polls `f` until it returns `Some`, failing after [`DEADLINE`].
pub fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The status and the JSON body (null when there is none).
pub async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}
