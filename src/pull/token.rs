//! The bearer token (pull.md P1, P16): the trimmed standard output of
//! `--token-command` (or its JSON `accessToken`, as `az account
//! get-access-token` prints it), else an environment variable. The token
//! is opaque: it is held in a [`Token`], whose `Debug` prints nothing of it,
//! and it reaches only the `Authorization` header, never an argument, a
//! file or a message.

use super::error::PullError;
use std::sync::Mutex;

/// The variable read when no command is given.
pub const TOKEN_VARIABLE: &str = "PORTAL_ACCESS_TOKEN";

/// A bearer token; `Debug` shows only that there is one.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(..)")
    }
}

impl Token {
    /// The `Authorization` header's value.
    pub(crate) fn header(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

/// Where the token comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// A shell command whose standard output is the token (or a JSON object
    /// with `accessToken`); run again after a 401.
    Command(String),
    /// An environment variable holding the token.
    Variable(String),
}

/// The token of a pull, fetched again (once) after a 401.
#[derive(Debug)]
pub struct Tokens {
    source: TokenSource,
    audience: String,
    current: Mutex<Token>,
}

impl Tokens {
    /// Fetches the first token; none is exit 2.
    pub fn new(source: TokenSource, audience: &str) -> Result<Tokens, PullError> {
        let first = fetch(&source, audience)?;
        Ok(Tokens { source, audience: audience.to_string(), current: Mutex::new(first) })
    }

    /// The token now.
    pub fn get(&self) -> Token {
        match self.current.lock() {
            Ok(t) => t.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Fetches the token again (P2: after a 401, the command is rerun).
    pub fn refresh(&self) -> Result<(), PullError> {
        let fresh = fetch(&self.source, &self.audience)?;
        match self.current.lock() {
            Ok(mut t) => *t = fresh,
            Err(poisoned) => *poisoned.into_inner() = fresh,
        }
        Ok(())
    }

    /// Whether `text` holds the token (tests and the privacy check).
    pub fn appears_in(&self, text: &str) -> bool {
        let t = self.get();
        !t.0.is_empty() && text.contains(&t.0)
    }
}

fn fetch(source: &TokenSource, audience: &str) -> Result<Token, PullError> {
    let text = match source {
        TokenSource::Variable(var) => std::env::var(var).unwrap_or_default(),
        TokenSource::Command(cmd) => run(cmd)?,
    };
    let text = text.trim();
    let token = match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(m)) => match m.get("accessToken") {
            Some(serde_json::Value::String(s)) => s.trim().to_string(),
            _ => {
                let command = match source {
                    TokenSource::Command(c) => c.clone(),
                    TokenSource::Variable(v) => format!("${v}"),
                };
                let reason = "it printed a JSON object without `accessToken`".to_string();
                return Err(PullError::TokenCommand { command, reason });
            }
        },
        _ => text.to_string(),
    };
    if token.is_empty() || token.contains(['\r', '\n']) {
        let variable = match source {
            TokenSource::Variable(v) => v.clone(),
            TokenSource::Command(_) => TOKEN_VARIABLE.to_string(),
        };
        if let TokenSource::Command(command) = source {
            let reason = if token.is_empty() { "it printed nothing" } else { "it printed several lines" };
            return Err(PullError::TokenCommand { command: command.clone(), reason: reason.to_string() });
        }
        return Err(PullError::NoToken { audience: audience.to_string(), variable });
    }
    Ok(Token(token))
}

/// Runs `cmd` in the shell; its standard output (standard error passes
/// through to the user's terminal).
fn run(cmd: &str) -> Result<String, PullError> {
    let fail = |reason: String| PullError::TokenCommand { command: cmd.to_string(), reason };
    let mut command = if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.arg("/C").arg(cmd);
        c
    } else {
        let mut c = std::process::Command::new("sh");
        c.arg("-c").arg(cmd);
        c
    };
    let out = command
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| fail(e.to_string()))?;
    if !out.status.success() {
        return Err(fail(format!("it exited with {}", out.status)));
    }
    String::from_utf8(out.stdout).map_err(|_| fail("its output is not UTF-8".to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn p1_the_token_is_the_commands_output_or_its_access_token() {
        let plain = Tokens::new(TokenSource::Command("echo '  abc.def  '".into()), "https://x").unwrap();
        assert_eq!(plain.get().header(), "Bearer abc.def");
        let az = Tokens::new(
            TokenSource::Command("echo '{\"accessToken\": \"T0K\", \"tokenType\": \"Bearer\"}'".into()),
            "https://x",
        )
        .unwrap();
        assert_eq!(az.get().header(), "Bearer T0K");
        assert_eq!(format!("{:?}", az.get()), "Token(..)", "Debug never shows the token");
        let e = Tokens::new(TokenSource::Command("exit 3".into()), "https://x").unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let e = Tokens::new(TokenSource::Variable("PORTAL_ACCESS_TOKEN_SURELY_UNSET".into()), "https://x").unwrap_err();
        assert!(e.to_string().starts_with("no token"), "{e}");
    }
}
