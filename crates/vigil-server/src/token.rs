use std::io::{self, Write};
use std::path::Path;

use crate::platform::create_private_file;

/// File in the data dir holding the API token.
pub const TOKEN_FILE: &str = "api-token";

/// Reads the API token from `dir/api-token`, creating a random one (256 bits, hex) with
/// owner-only permissions on first start. Local processes of other users cannot read it, and
/// every `/api/*` request must present it.
pub fn load_or_create_token(dir: &Path) -> io::Result<String> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(TOKEN_FILE);
    match std::fs::read_to_string(&path) {
        Ok(token) if !token.trim().is_empty() => return Ok(token.trim().to_owned()),
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is empty; delete it to create a new token",
                    path.display()
                ),
            ));
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| io::Error::other(format!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    let mut file = create_private_file(&path)?;
    file.write_all(token.as_bytes())?;
    file.sync_all()?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_token(dir.path()).unwrap();
        assert_eq!(first.len(), 64, "256 bits as hex");
        assert!(first.chars().all(|c| c.is_ascii_hexdigit()));
        let second = load_or_create_token(dir.path()).unwrap();
        assert_eq!(
            first, second,
            "a restart must not invalidate clients' tokens"
        );
        let other = tempfile::tempdir().unwrap();
        assert_ne!(
            first,
            load_or_create_token(other.path()).unwrap(),
            "tokens are random"
        );
    }

    #[cfg(unix)]
    #[test]
    fn token_file_is_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        load_or_create_token(dir.path()).unwrap();
        let mode = std::fs::metadata(dir.path().join(TOKEN_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "other users must not read the token");
    }

    #[test]
    fn an_empty_token_file_is_an_error_not_an_open_door() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(TOKEN_FILE), "  \n").unwrap();
        let err = load_or_create_token(dir.path()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
