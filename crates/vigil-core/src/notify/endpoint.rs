//! Endpoints: where a webhook goes and how its body is built (presets, methods, headers).

#[allow(unused_imports)]
use super::*;

/// The shape of the body a webhook sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// A JSON object with the event, its subject and the fold count.
    #[default]
    Json,
    /// A Slack incoming webhook (`{"text": ...}`).
    Slack,
    /// A Discord webhook (`{"content": ...}`).
    Discord,
    /// A Microsoft Teams incoming webhook (a MessageCard).
    Teams,
    /// The endpoint's own template with `{{field}}` placeholders.
    Custom,
}

/// The HTTP method of a webhook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// The usual one.
    #[default]
    Post,
    /// For receivers that want it.
    Put,
    /// For receivers that want it.
    Patch,
}

/// One extra request header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Header name.
    pub name: String,
    /// Header value; masked when read back if `secret`.
    pub value: String,
    /// A credential (an API key, a bearer token): stored, sent, never returned or logged.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub secret: bool,
}

/// Where webhook deliveries go and how they are sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Assigned by the store; ignored when creating.
    #[serde(default)]
    #[ts(as = "Option<i32>", optional)]
    pub id: EndpointId,
    /// A name for people, unique.
    pub name: String,
    /// `http://` or `https://` URL.
    pub url: String,
    /// Default POST.
    #[serde(default)]
    #[ts(as = "Option<Method>", optional)]
    pub method: Method,
    /// Extra headers.
    #[serde(default)]
    #[ts(as = "Option<Vec<Header>>", optional)]
    pub headers: Vec<Header>,
    /// Body shape (default: generic JSON).
    #[serde(default)]
    #[ts(as = "Option<Preset>", optional)]
    pub preset: Preset,
    /// The body for the `custom` preset; placeholders are filled JSON-escaped.
    #[serde(default)]
    #[ts(optional)]
    pub template: Option<String>,
    /// Key of the `X-Vigil-Signature-256: sha256=<hex>` header (HMAC-SHA256 of the body).
    #[serde(default)]
    #[ts(optional)]
    pub signing_secret: Option<String>,
    /// Disabled endpoints get no new deliveries.
    #[serde(default = "yes")]
    #[ts(as = "Option<bool>", optional)]
    pub enabled: bool,
    /// Per attempt (default 10 s).
    #[serde(default = "default_timeout")]
    #[ts(as = "Option<u32>", optional)]
    pub timeout_ms: u32,
    /// Attempts before a delivery is dead-lettered (default 8).
    #[serde(default = "default_attempts")]
    #[ts(as = "Option<u32>", optional)]
    pub max_attempts: u32,
    /// First retry delay; each later one doubles, with jitter, up to an hour (default 5 s).
    #[serde(default = "default_backoff")]
    #[ts(as = "Option<u32>", optional)]
    pub backoff_ms: u32,
}

pub(super) fn yes() -> bool {
    true
}
fn default_timeout() -> u32 {
    10_000
}
fn default_attempts() -> u32 {
    8
}
fn default_backoff() -> u32 {
    5_000
}

impl Endpoint {
    /// Checks every field; the error names the first bad one.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(ApiError::invalid(
                "an endpoint name must be 1 to 100 characters",
            ));
        }
        if self.url.len() > MAX_TEXT {
            return Err(ApiError::invalid("the URL is too long"));
        }
        let url = url::Url::parse(self.url.trim())
            .map_err(|e| ApiError::invalid(format!("invalid URL {:?}: {e}", self.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ApiError::invalid(format!(
                "the URL {:?} must be http:// or https:// with a host",
                self.url
            )));
        }
        self.url = url.to_string();
        if self.headers.len() > MAX_HEADERS {
            return Err(ApiError::invalid(format!(
                "at most {MAX_HEADERS} headers are accepted"
            )));
        }
        for h in &mut self.headers {
            h.name = h.name.trim().to_owned();
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if h.name.is_empty() || !h.name.chars().all(token) {
                return Err(ApiError::invalid(format!(
                    "{:?} is not a valid header name",
                    h.name
                )));
            }
            if h.value.len() > MAX_TEXT || h.value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(ApiError::invalid(format!(
                    "the value of header {:?} is too long or has control characters",
                    h.name
                )));
            }
        }
        if !(100..=120_000).contains(&self.timeout_ms) {
            return Err(ApiError::invalid(
                "timeout_ms must be between 100 and 120000",
            ));
        }
        if !(1..=50).contains(&self.max_attempts) {
            return Err(ApiError::invalid("max_attempts must be between 1 and 50"));
        }
        if !(10..=3_600_000).contains(&self.backoff_ms) {
            return Err(ApiError::invalid(
                "backoff_ms must be between 10 and 3600000",
            ));
        }
        if let Some(s) = &self.signing_secret
            && (s.is_empty() || s.len() > MAX_TEXT)
        {
            return Err(ApiError::invalid(
                "a signing secret must be 1 to 8192 bytes",
            ));
        }
        match (&self.preset, &self.template) {
            (Preset::Custom, None) => {
                return Err(ApiError::invalid("the custom preset needs a template"));
            }
            (Preset::Custom, Some(t)) => {
                if t.len() > MAX_TEXT {
                    return Err(ApiError::invalid("the template is too long"));
                }
                let sample = Notice::sample();
                let body = fill_template(t, &sample)?;
                serde_json::from_str::<Value>(&body).map_err(|e| {
                    ApiError::invalid(format!("the template does not make valid JSON: {e}"))
                })?;
            }
            _ => {}
        }
        Ok(self)
    }

    /// The endpoint as it may be shown or logged: secret header values and the signing secret
    /// replaced by [`SECRET_MASK`].
    pub fn masked(mut self) -> Self {
        for h in self.headers.iter_mut().filter(|h| h.secret) {
            h.value = SECRET_MASK.to_owned();
        }
        if self.signing_secret.is_some() {
            self.signing_secret = Some(SECRET_MASK.to_owned());
        }
        self
    }

    /// Puts back the stored secrets wherever this (edited) endpoint still carries the mask.
    pub fn keep_secrets(mut self, stored: &Endpoint) -> Self {
        for h in self
            .headers
            .iter_mut()
            .filter(|h| h.secret && h.value == SECRET_MASK)
        {
            if let Some(old) = stored.headers.iter().find(|o| o.name == h.name) {
                h.value = old.value.clone();
            }
        }
        if self.signing_secret.as_deref() == Some(SECRET_MASK) {
            self.signing_secret = stored.signing_secret.clone();
        }
        self
    }

    /// The request body for a notice, by preset.
    pub fn body(&self, n: &Notice) -> Result<String, ApiError> {
        let text = n.text();
        let value = match self.preset {
            Preset::Json => json!({
                "event": n.event,
                "subject": n.subject,
                "count": n.count,
                "text": text,
            }),
            Preset::Slack => json!({ "text": text }),
            // Discord refuses content over 2,000 characters.
            Preset::Discord => json!({ "content": text.chars().take(2000).collect::<String>() }),
            Preset::Teams => json!({
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": n.title(),
                "title": n.title(),
                "text": text,
            }),
            Preset::Custom => {
                return fill_template(self.template.as_deref().unwrap_or("{}"), n);
            }
        };
        Ok(value.to_string())
    }
}
