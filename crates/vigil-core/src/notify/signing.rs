//! Signatures of webhook bodies and the stored form of trigger tokens.

#[allow(unused_imports)]
use super::*;

type HmacSha256 = Hmac<Sha256>;

/// The signature header value for a body: `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// Whether `header` (`sha256=<hex>`) is the signature of `body` under `secret`, compared in
/// constant time.
pub fn verify_signature(secret: &[u8], body: &[u8], header: &str) -> bool {
    let Some(sig) = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!());
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// The stored form of a trigger token: hex SHA-256. Tokens are long random strings, so a
/// plain hash (no salt, no stretching) is enough to make a stolen database useless.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
