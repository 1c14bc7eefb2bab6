//! Why a pull failed. Messages follow the house style (lowercase, no final
//! period, user input in backticks) and never hold the token: nothing here
//! is built from a request's headers.

use thiserror::Error;

/// What the server said about a failed request, for messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerSaid {
    /// The HTTP status (0: no answer, a timeout or a reset).
    pub status: u16,
    /// The Dataverse `error.code` (`0x80072322`), when the body had one.
    pub code: String,
    /// The Dataverse `error.message`, or what the transport said.
    pub message: String,
    /// The `x-ms-service-request-id` header, when present.
    pub request_id: String,
}

impl std::fmt::Display for ServerSaid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.status == 0 {
            write!(f, "no answer")?;
        } else {
            write!(f, "status {}", self.status)?;
        }
        if !self.code.is_empty() {
            write!(f, ", error `{}`", self.code)?;
        }
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if !self.request_id.is_empty() {
            write!(f, " (x-ms-service-request-id `{}`)", self.request_id)?;
        }
        Ok(())
    }
}

/// Why `portal-access pull` stopped. Nothing was left in the output
/// folder: the partial folder is removed before the error is returned.
#[derive(Debug, Error)]
pub enum PullError {
    /// The command line is wrong (exit 2).
    #[error("{0}")]
    Usage(String),
    /// Neither `--token-command` nor the token variable gave a token (exit 2).
    #[error("no token: give `--token-command CMD` (for example `az account get-access-token --resource {audience}`) or set `{variable}`")]
    NoToken {
        /// The environment URL, the token's audience.
        audience: String,
        /// The variable that was read.
        variable: String,
    },
    /// The token command failed (exit 2).
    #[error("the token command `{command}` failed: {reason}")]
    TokenCommand {
        /// The command as given (a command, not a token).
        command: String,
        /// What went wrong.
        reason: String,
    },
    /// `--site` named no site, or several (exit 2).
    #[error("{message}; the sites of this environment: {sites}")]
    Site {
        /// What is wrong with `--site`.
        message: String,
        /// Every site, `name (id, model)`.
        sites: String,
    },
    /// The output folder exists and `--force` was not given (exit 2).
    #[error("{dir}: already exists (give `--force` to replace it)")]
    Exists {
        /// The output folder.
        dir: String,
    },
    /// A second 401 after the token was fetched again.
    #[error("the server refused the token twice (401) at `{entity_set}` page {page}: is it a token for the audience `{audience}` (scope `{audience}/.default`), and not expired? {said}")]
    Unauthorized {
        /// Where.
        entity_set: String,
        /// Which page (1-based).
        page: u64,
        /// The environment URL.
        audience: String,
        /// What the server said.
        said: Box<ServerSaid>,
    },
    /// A request failed for good (403, 404, 400, retries exhausted).
    #[error("`{entity_set}` page {page}: {said}{hint}")]
    Http {
        /// The entity set (or metadata path) read.
        entity_set: String,
        /// Which page (1-based).
        page: u64,
        /// What the server said.
        said: Box<ServerSaid>,
        /// A sentence about what to do, or empty.
        hint: String,
    },
    /// A page that is not a Web API answer.
    #[error("`{entity_set}` page {page}: the server's answer is not {what}: {reason}")]
    Malformed {
        /// Where.
        entity_set: String,
        /// Which page.
        page: u64,
        /// What was expected.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// `@odata.nextLink` went round (a page seen before), or left the environment.
    #[error("`{entity_set}` page {page}: {reason}")]
    Paging {
        /// Where.
        entity_set: String,
        /// Which page.
        page: u64,
        /// What is wrong.
        reason: String,
    },
    /// A file of the output could not be written.
    #[error("{file}: cannot write: {reason}")]
    Write {
        /// The file or folder.
        file: String,
        /// What the system said.
        reason: String,
    },
}

impl PullError {
    /// The exit code (cli.md): 2 for usage, the token and `--site`, 1 for
    /// what the server or the disk did.
    pub fn exit_code(&self) -> u8 {
        match self {
            PullError::Usage(_)
            | PullError::NoToken { .. }
            | PullError::TokenCommand { .. }
            | PullError::Site { .. }
            | PullError::Exists { .. } => 2,
            _ => 1,
        }
    }

    pub(crate) fn write(path: &std::path::Path, e: impl std::fmt::Display) -> PullError {
        PullError::Write { file: path.display().to_string(), reason: e.to_string() }
    }
}
