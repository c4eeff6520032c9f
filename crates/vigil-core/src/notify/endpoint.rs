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
    /// An email through an SMTP server (`url` is `smtp://host:port`, `email` says the rest).
    Email,
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
    /// For the email preset: sender, recipients, login and transport security.
    #[serde(default)]
    #[ts(optional)]
    pub email: Option<EmailSettings>,
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
            return Err(ApiError::invalid_field(
                "name",
                "an endpoint name must be 1 to 100 characters",
            ));
        }
        if self.url.len() > MAX_TEXT {
            return Err(ApiError::invalid_field("url", "the URL is too long"));
        }
        let url = url::Url::parse(self.url.trim()).map_err(|e| {
            ApiError::invalid_field("url", format!("invalid URL {:?}: {e}", self.url))
        })?;
        if self.preset == Preset::Email {
            if url.scheme() != "smtp" || url.host_str().is_none_or(str::is_empty) {
                return Err(ApiError::invalid_field(
                    "url",
                    format!(
                        "an email endpoint's URL {:?} must be smtp://host or smtp://host:port",
                        self.url
                    ),
                ));
            }
            if !url.username().is_empty() || url.password().is_some() || url.path().len() > 1 {
                return Err(ApiError::invalid_field(
                    "url",
                    "an email endpoint's URL holds only the host and port; the user name and password have their own fields",
                ));
            }
            let email = self.email.take().ok_or_else(|| {
                ApiError::invalid_field(
                    "email",
                    "an email endpoint needs its email settings (from, to)",
                )
            })?;
            self.email = Some(email.validate().map_err(|e| e.under("email"))?);
        } else {
            if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                return Err(ApiError::invalid_field(
                    "url",
                    format!(
                        "the URL {:?} must be http:// or https:// with a host",
                        self.url
                    ),
                ));
            }
            if self.email.is_some() {
                return Err(ApiError::invalid_field(
                    "email",
                    "email settings belong to the email preset only",
                ));
            }
        }
        self.url = url.to_string();
        if self.headers.len() > MAX_HEADERS {
            return Err(ApiError::invalid_field(
                "headers",
                format!("at most {MAX_HEADERS} headers are accepted"),
            ));
        }
        for h in &mut self.headers {
            h.name = h.name.trim().to_owned();
            let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
            if h.name.is_empty() || !h.name.chars().all(token) {
                return Err(ApiError::invalid_field(
                    "headers",
                    format!("{:?} is not a valid header name", h.name),
                ));
            }
            if h.value.len() > MAX_TEXT || h.value.chars().any(|c| c.is_control() && c != '\t') {
                return Err(ApiError::invalid_field(
                    "headers",
                    format!(
                        "the value of header {:?} is too long or has control characters",
                        h.name
                    ),
                ));
            }
        }
        if !(100..=120_000).contains(&self.timeout_ms) {
            return Err(ApiError::invalid_field(
                "timeout_ms",
                "timeout_ms must be between 100 and 120000",
            ));
        }
        if !(1..=50).contains(&self.max_attempts) {
            return Err(ApiError::invalid_field(
                "max_attempts",
                "max_attempts must be between 1 and 50",
            ));
        }
        if !(10..=3_600_000).contains(&self.backoff_ms) {
            return Err(ApiError::invalid_field(
                "backoff_ms",
                "backoff_ms must be between 10 and 3600000",
            ));
        }
        if let Some(s) = &self.signing_secret
            && (s.is_empty() || s.len() > MAX_TEXT)
        {
            return Err(ApiError::invalid_field(
                "signing_secret",
                "a signing secret must be 1 to 8192 bytes",
            ));
        }
        match (&self.preset, &self.template) {
            (Preset::Custom, None) => {
                return Err(ApiError::invalid_field(
                    "template",
                    "the custom preset needs a template",
                ));
            }
            (Preset::Custom, Some(t)) => {
                if t.len() > MAX_TEXT {
                    return Err(ApiError::invalid_field(
                        "template",
                        "the template is too long",
                    ));
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
        if let Some(p) = self.email.as_mut().and_then(|e| e.password.as_mut()) {
            *p = SECRET_MASK.to_owned();
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
        if let Some(e) = self.email.as_mut()
            && e.password.as_deref() == Some(SECRET_MASK)
        {
            e.password = stored.email.as_ref().and_then(|s| s.password.clone());
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
            // An email: its subject (the notice's title) and plain-text body; the mailer
            // builds the message from these when it sends.
            Preset::Email => json!({ "subject": n.title(), "text": text }),
        };
        Ok(value.to_string())
    }
}

/// How an email endpoint's connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum EmailTls {
    /// Plain connection upgraded with STARTTLS, which must succeed (port 587 by default).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465 by default).
    Tls,
    /// No encryption at all (port 25 by default): only for a relay on this machine or LAN.
    None,
}

impl EmailTls {
    /// The port used when the URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Self::Starttls => 587,
            Self::Tls => 465,
            Self::None => 25,
        }
    }
}

/// Longest address accepted (RFC 5321's path limit).
const MAX_ADDRESS: usize = 254;
/// Most recipients of one endpoint.
pub const MAX_RECIPIENTS: usize = 50;

/// The email side of an email endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    /// The sender address (`vigil@example.com` or `Vigil <vigil@example.com>`).
    pub from: String,
    /// Recipient addresses, at least one.
    pub to: Vec<String>,
    /// SMTP login name, if the server wants one.
    #[serde(default)]
    #[ts(optional)]
    pub username: Option<String>,
    /// SMTP password: stored, sent, never returned or logged (masked like secret headers).
    #[serde(default)]
    #[ts(optional)]
    pub password: Option<String>,
    /// Transport security (default STARTTLS).
    #[serde(default)]
    #[ts(as = "Option<EmailTls>", optional)]
    pub tls: EmailTls,
    /// Accept a certificate no known authority signed (a self-signed relay). Off by default.
    #[serde(default)]
    #[ts(as = "Option<bool>", optional)]
    pub accept_invalid_certs: bool,
}

/// Checks one address the way a person would write it: `local@domain`, optionally as
/// `Name <local@domain>`. The SMTP library parses it again when sending.
pub fn check_address(field: &str, text: &str) -> Result<String, ApiError> {
    let t = text.trim();
    let addr = match (t.rfind('<'), t.strip_suffix('>')) {
        (Some(i), Some(inner)) => &inner[i + 1..],
        _ => t,
    };
    let bad = |why: &str| {
        ApiError::invalid_field(field, format!("{text:?} is not an email address: {why}"))
    };
    if t.is_empty() {
        return Err(bad("it is empty"));
    }
    if t.len() > MAX_ADDRESS {
        return Err(bad("it is too long"));
    }
    if t.chars().any(char::is_control) {
        return Err(bad("it has control characters"));
    }
    match addr.split_once('@') {
        Some((local, domain))
            if !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && !addr.chars().any(char::is_whitespace)
                && !domain.starts_with('.')
                && !domain.ends_with('.') =>
        {
            Ok(t.to_owned())
        }
        _ => Err(bad("write it as name@domain")),
    }
}

impl EmailSettings {
    /// Checks the addresses and the login; the error names the field.
    pub fn validate(mut self) -> Result<Self, ApiError> {
        self.from = check_address("from", &self.from)?;
        if self.to.is_empty() {
            return Err(ApiError::invalid_field(
                "to",
                "an email needs at least one recipient",
            ));
        }
        if self.to.len() > MAX_RECIPIENTS {
            return Err(ApiError::invalid_field(
                "to",
                format!("at most {MAX_RECIPIENTS} recipients are accepted"),
            ));
        }
        self.to = self
            .to
            .iter()
            .enumerate()
            .map(|(i, a)| check_address(&format!("to.{i}"), a))
            .collect::<Result<_, _>>()?;
        if let Some(u) = &self.username
            && (u.len() > MAX_ADDRESS || u.chars().any(char::is_control))
        {
            return Err(ApiError::invalid_field(
                "username",
                "the user name is too long or has control characters",
            ));
        }
        if self
            .username
            .as_deref()
            .is_some_and(|u| u.trim().is_empty())
        {
            self.username = None;
        }
        if let Some(p) = &self.password
            && p.len() > MAX_TEXT
        {
            return Err(ApiError::invalid_field(
                "password",
                "the password is too long",
            ));
        }
        if self.password.is_some() && self.username.is_none() {
            return Err(ApiError::invalid_field(
                "username",
                "a password needs a user name",
            ));
        }
        Ok(self)
    }
}
