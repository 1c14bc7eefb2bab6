//! The Web API client (pull.md P2, P3, P9, P11): compose's headers on every
//! request, no cookies, the token fetched again once after a 401, 429s that
//! pause every worker for `Retry-After` and halve the concurrency, server
//! faults and lost connections retried three times, and `@odata.nextLink`
//! followed unchanged until a page has none.

use super::error::{PullError, ServerSaid};
use super::token::Tokens;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The Web API version read.
pub const API_VERSION: &str = "v9.2";
/// Rows per page asked for (P9).
pub const PAGE_SIZE: usize = 5000;
/// 429s borne by one request (P11).
const MAX_THROTTLES: u32 = 10;
/// Retries of one request after a fault (P11).
const MAX_FAULTS: u32 = 3;
/// Longest URL sent (the Web API refuses over 32,768 characters).
pub const MAX_URL: usize = 32_000;
/// Largest answer read (a page of 5,000 rows is a few megabytes).
const MAX_BODY: u64 = 1 << 30;
/// Pages in a row without a row that a table may have before its paging is
/// taken for one that never ends (each with a new `nextLink`).
const MAX_EMPTY_PAGES: u64 = 100;

/// Time, so that tests can run retries and pauses on a fake clock.
pub trait Clock: Send + Sync {
    /// Time since the clock started.
    fn now(&self) -> Duration;
    /// Waits `d`.
    fn sleep(&self, d: Duration);
}

/// The real clock.
#[derive(Debug)]
pub struct SystemClock(Instant);

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock(Instant::now())
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// What a request reads, for messages.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The entity set or metadata path.
    pub entity_set: &'a str,
    /// The page, from 1.
    pub page: u64,
}

/// The client of one environment.
pub struct Client {
    /// `ENV_URL/api/data/v9.2/`.
    base: String,
    /// `scheme://host[:port]` of ENV_URL: a `nextLink` must stay there.
    origin: String,
    audience: String,
    agent: ureq::Agent,
    tokens: Tokens,
    clock: Arc<dyn Clock>,
    pause_until: Mutex<Duration>,
    /// Tables pulled at once now (halved by each 429).
    limit: AtomicUsize,
    dop_hint: AtomicUsize,
    requests: AtomicU64,
    throttles: AtomicU64,
    /// The last `x-ms-ratelimit-*` headers seen (logged, not used for pacing).
    pub ratelimit: Mutex<Vec<(String, String)>>,
}

/// One answer, sorted.
enum Answer {
    Json(Value),
    /// A file column's bytes (`$value`), as text.
    Text(String),
    NotFound(ServerSaid),
}

/// What to do after one try.
enum Next {
    Done(Answer),
    Throttled(Option<u64>, ServerSaid),
    Fault(ServerSaid),
    Unauthorized(ServerSaid),
    Fail(ServerSaid),
    NotJson(String),
}

impl Client {
    /// A client of `env_url` (its `https://org.crm.dynamics.com` form).
    pub fn new(env_url: &str, tokens: Tokens, clock: Arc<dyn Clock>, timeout: Duration, concurrency: usize) -> Client {
        let origin = env_url.trim_end_matches('/').to_string();
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|p| origin.starts_with(p));
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .user_agent(concat!("portal-access/", env!("CARGO_PKG_VERSION")))
            .proxy(if loopback { None } else { ureq::Proxy::try_from_env() })
            .build();
        Client {
            base: format!("{origin}/api/data/{API_VERSION}/"),
            audience: origin.clone(),
            origin,
            agent: ureq::Agent::new_with_config(config),
            tokens,
            clock,
            pause_until: Mutex::new(Duration::ZERO),
            limit: AtomicUsize::new(concurrency.max(1)),
            dop_hint: AtomicUsize::new(usize::MAX),
            requests: AtomicU64::new(0),
            throttles: AtomicU64::new(0),
            ratelimit: Mutex::new(Vec::new()),
        }
    }

    /// `ENV_URL/api/data/v9.2/` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Tables pulled at once now: the concurrency asked for, under
    /// `x-ms-dop-hint`, halved by each 429.
    pub fn limit(&self) -> usize {
        self.limit.load(Ordering::SeqCst).min(self.dop_hint.load(Ordering::SeqCst)).max(1)
    }

    /// Requests sent so far, and 429s met.
    pub fn counts(&self) -> (u64, u64) {
        (self.requests.load(Ordering::SeqCst), self.throttles.load(Ordering::SeqCst))
    }

    /// A JSON answer of `url`; a 404 is an error.
    pub fn get(&self, url: &str, at: At<'_>, prefer: &str) -> Result<Value, PullError> {
        match self.fetch(url, at, prefer)? {
            Answer::Json(v) => Ok(v),
            Answer::Text(_) => Ok(Value::Null),
            Answer::NotFound(said) => Err(PullError::Http {
                entity_set: at.entity_set.to_string(),
                page: at.page,
                said: Box::new(said),
                hint: String::new(),
            }),
        }
    }

    /// A JSON answer of `url`, or `None` for a 404.
    pub fn get_optional(&self, url: &str, at: At<'_>, prefer: &str) -> Result<Option<Value>, PullError> {
        match self.fetch(url, at, prefer)? {
            Answer::Json(v) => Ok(Some(v)),
            Answer::Text(_) => Ok(Some(Value::Null)),
            Answer::NotFound(_) => Ok(None),
        }
    }

    /// A file column's content (`.../COLUMN/$value`) as text, or `None`
    /// for a 404 (an empty file column); retried and throttled as any request.
    pub fn get_text(&self, url: &str, at: At<'_>, prefer: &str) -> Result<Option<String>, PullError> {
        match self.fetch_as(url, at, prefer, true)? {
            Answer::Text(t) => Ok(Some(t)),
            Answer::Json(v) => Ok(Some(v.to_string())),
            Answer::NotFound(_) => Ok(None),
        }
    }

    /// Every page of a collection from `url` on, each page's rows handed to
    /// `each` as they come (P9: `nextLink` followed unchanged, only its
    /// absence ends the table). Returns the number of pages.
    pub fn pages(
        &self,
        url: &str,
        entity_set: &str,
        prefer: &str,
        each: &mut dyn FnMut(Vec<Map<String, Value>>) -> Result<(), PullError>,
    ) -> Result<u64, PullError> {
        let mut next = Some(url.to_string());
        let mut seen: HashSet<String> = HashSet::new();
        let (mut page, mut empty) = (0u64, 0u64);
        while let Some(link) = next.take() {
            page += 1;
            let at = At { entity_set, page };
            if !seen.insert(link.clone()) {
                let reason = "`@odata.nextLink` names a page already read: the paging goes round".to_string();
                return Err(PullError::Paging { entity_set: entity_set.to_string(), page, reason });
            }
            let doc = self.get(&link, at, prefer)?;
            let (rows, link) = collection(doc, at)?;
            if let Some(l) = &link {
                if !l.starts_with(&self.base) {
                    let reason = format!("`@odata.nextLink` leaves the environment `{}`: refused", self.origin);
                    return Err(PullError::Paging { entity_set: entity_set.to_string(), page, reason });
                }
            }
            empty = if rows.is_empty() { empty + 1 } else { 0 };
            if empty > MAX_EMPTY_PAGES && link.is_some() {
                let reason = format!(
                    "{MAX_EMPTY_PAGES} pages in a row without a row, each naming another: the paging never ends"
                );
                return Err(PullError::Paging { entity_set: entity_set.to_string(), page, reason });
            }
            each(rows)?;
            next = link;
        }
        Ok(page)
    }

    fn fetch(&self, url: &str, at: At<'_>, prefer: &str) -> Result<Answer, PullError> {
        self.fetch_as(url, at, prefer, false)
    }

    /// [`Self::fetch`]; with `raw`, a 200's body is text rather than JSON.
    fn fetch_as(&self, url: &str, at: At<'_>, prefer: &str, raw: bool) -> Result<Answer, PullError> {
        let (mut throttled, mut faults, mut reauthorized) = (0u32, 0u32, false);
        loop {
            self.wait_pause();
            let next = self.try_once(url, prefer, raw);
            let fail = |said: ServerSaid, hint: &str| PullError::Http {
                entity_set: at.entity_set.to_string(),
                page: at.page,
                said: Box::new(said),
                hint: hint.to_string(),
            };
            match next {
                Next::Done(a) => return Ok(a),
                Next::NotJson(reason) => {
                    let (entity_set, what) = (at.entity_set.to_string(), "JSON".to_string());
                    return Err(PullError::Malformed { entity_set, page: at.page, what, reason });
                }
                Next::Fail(said) if said.status == 403 => {
                    return Err(fail(
                        said,
                        "; the caller may not read this table: give it organization-level read (pull.md P2)",
                    ))
                }
                Next::Fail(said) => return Err(fail(said, "")),
                Next::Unauthorized(said) if reauthorized => {
                    let (entity_set, audience) = (at.entity_set.to_string(), self.audience.clone());
                    return Err(PullError::Unauthorized { entity_set, page: at.page, audience, said: Box::new(said) });
                }
                Next::Unauthorized(_) => {
                    reauthorized = true;
                    self.tokens.refresh()?;
                }
                Next::Throttled(_, said) if throttled >= MAX_THROTTLES => {
                    return Err(fail(said, &format!("; throttled {MAX_THROTTLES} times")))
                }
                Next::Throttled(after, _) => {
                    throttled += 1;
                    self.throttle(
                        after.map(Duration::from_secs).unwrap_or(Duration::from_secs(1 << throttled.min(16))),
                    );
                }
                Next::Fault(said) if faults >= MAX_FAULTS => {
                    return Err(fail(said, &format!("; after {MAX_FAULTS} retries")))
                }
                Next::Fault(_) => {
                    faults += 1;
                    let jitter = self.requests.load(Ordering::SeqCst).wrapping_mul(7919) % 1000;
                    self.clock.sleep(Duration::from_secs(1 << faults) + Duration::from_millis(jitter));
                }
            }
        }
    }

    /// P11: every worker waits out the pause; the concurrency halves.
    fn throttle(&self, wait: Duration) {
        self.throttles.fetch_add(1, Ordering::SeqCst);
        let until = self.clock.now() + wait;
        if let Ok(mut p) = self.pause_until.lock() {
            if *p < until {
                *p = until;
            }
        }
        let _ = self.limit.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| Some((l / 2).max(1)));
    }

    fn wait_pause(&self) {
        loop {
            let until = self.pause_until.lock().map(|p| *p).unwrap_or_default();
            let now = self.clock.now();
            if now >= until {
                return;
            }
            self.clock.sleep(until - now);
        }
    }

    fn try_once(&self, url: &str, prefer: &str, raw: bool) -> Next {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let sent = self
            .agent
            .get(url)
            .header("Accept", "application/json")
            .header("OData-MaxVersion", "4.0")
            .header("OData-Version", "4.0")
            .header("If-None-Match", "null")
            .header("Prefer", prefer)
            .header("Authorization", self.tokens.get().header())
            .call();
        let mut response = match sent {
            Ok(r) => r,
            Err(e) => return transport(e),
        };
        let status = response.status().as_u16();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let request_id = header("x-ms-service-request-id").unwrap_or_default();
        let retry_after = header("Retry-After").and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(hint) = header("x-ms-dop-hint").and_then(|v| v.trim().parse::<usize>().ok()) {
            self.dop_hint.store(hint.max(1), Ordering::SeqCst);
        }
        self.note_ratelimit(response.headers());
        let body = response.body_mut().with_config().limit(MAX_BODY).read_to_vec();
        let body = match body {
            Ok(b) => b,
            Err(e) => return transport(e),
        };
        if status == 200 && raw {
            return Next::Done(Answer::Text(String::from_utf8_lossy(&body).into_owned()));
        }
        if status == 200 {
            return match serde_json::from_slice::<Value>(&body) {
                Ok(v) => Next::Done(Answer::Json(v)),
                Err(e) => Next::NotJson(format!("{e} (x-ms-service-request-id `{request_id}`)")),
            };
        }
        let said = said(status, &body, request_id);
        match status {
            404 => Next::Done(Answer::NotFound(said)),
            401 => Next::Unauthorized(said),
            429 => Next::Throttled(retry_after, said),
            500 | 502 | 503 | 504 => Next::Fault(said),
            _ => Next::Fail(said),
        }
    }

    fn note_ratelimit(&self, headers: &ureq::http::HeaderMap) {
        let seen: Vec<(String, String)> = headers
            .iter()
            .filter(|(k, _)| k.as_str().starts_with("x-ms-ratelimit-"))
            .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        if !seen.is_empty() {
            if let Ok(mut r) = self.ratelimit.lock() {
                *r = seen;
            }
        }
    }
}

/// A failure before an answer: timeouts and lost connections are retried.
fn transport(e: ureq::Error) -> Next {
    let said = ServerSaid { status: 0, code: String::new(), message: e.to_string(), request_id: String::new() };
    match e {
        ureq::Error::Timeout(_) | ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) => {
            Next::Fault(said)
        }
        _ => Next::Fail(said),
    }
}

/// The Dataverse error of a body (`{"error": {"code", "message"}}`).
fn said(status: u16, body: &[u8], request_id: String) -> ServerSaid {
    let doc: Option<Value> = serde_json::from_slice(body).ok();
    let error = doc.as_ref().and_then(|d| d.get("error"));
    let text = |k: &str| error.and_then(|e| e.get(k)).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut message = text("message");
    if message.is_empty() && error.is_none() {
        message = String::from_utf8_lossy(&body[..body.len().min(300)]).trim().to_string();
    }
    ServerSaid { status, code: text("code"), message, request_id }
}

/// A page's rows and its `@odata.nextLink`.
type Page = (Vec<Map<String, Value>>, Option<String>);

/// The rows and next link of a collection page.
fn collection(doc: Value, at: At<'_>) -> Result<Page, PullError> {
    let bad = |reason: &str| PullError::Malformed {
        entity_set: at.entity_set.to_string(),
        page: at.page,
        what: "a Web API collection `{\"value\": [...]}`".to_string(),
        reason: reason.to_string(),
    };
    let Value::Object(mut top) = doc else { return Err(bad("the top level is not an object")) };
    let Some(Value::Array(items)) = top.remove("value") else { return Err(bad("`value` is missing or not an array")) };
    let link = match top.remove("@odata.nextLink") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(_) => return Err(bad("`@odata.nextLink` is not a text")),
    };
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        match item {
            Value::Object(m) => rows.push(m),
            _ => return Err(bad(&format!("`value[{i}]` is not an object"))),
        }
    }
    Ok((rows, link))
}

/// Percent-encodes a query value (spaces, quotes and the query's own
/// separators; OData's `$`, `,`, `(`, `)`, `'` and `:` stay readable).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'$'
            | b','
            | b'('
            | b')'
            | b'\''
            | b':'
            | b'/'
            | b'*'
            | b'@'
            | b'!'
            | b';' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `path?k=v&...` with each value encoded.
pub fn with_query(path: &str, query: &[(&str, String)]) -> String {
    let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", q.join("&"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(
            with_query(
                "contacts",
                &[("$select", "contactid,statecode".into()), ("$filter", "name eq 'a b'&\"".into())]
            ),
            "contacts?$select=contactid,statecode&$filter=name%20eq%20'a%20b'%26%22"
        );
    }

    struct Still(Mutex<Duration>);
    impl Clock for Still {
        fn now(&self) -> Duration {
            self.0.lock().map(|d| *d).unwrap()
        }
        fn sleep(&self, d: Duration) {
            *self.0.lock().unwrap() += d;
        }
    }

    #[test]
    fn p11_a_429_pauses_every_worker_and_halves_the_concurrency() {
        let tokens =
            Tokens::new(super::super::token::TokenSource::Command("echo t".into()), "http://127.0.0.1:9").unwrap();
        let clock = Arc::new(Still(Mutex::new(Duration::ZERO)));
        let c = Client::new("http://127.0.0.1:9", tokens, clock.clone(), Duration::from_secs(1), 8);
        assert_eq!(c.limit(), 8);
        c.throttle(Duration::from_secs(7));
        assert_eq!(c.limit(), 4);
        c.throttle(Duration::from_secs(3));
        assert_eq!((c.limit(), c.counts().1), (2, 2));
        c.wait_pause();
        assert_eq!(clock.now(), Duration::from_secs(7), "every request waits for the longest pause");
        for _ in 0..5 {
            c.throttle(Duration::ZERO);
        }
        assert_eq!(c.limit(), 1, "never below one");
    }

    #[test]
    fn dataverse_errors_are_read() {
        let s = said(429, br#"{"error":{"code":"0x80072322","message":"Number of requests exceeded"}}"#, "R1".into());
        assert_eq!(
            s.to_string(),
            "status 429, error `0x80072322`: Number of requests exceeded (x-ms-service-request-id `R1`)"
        );
        let s = said(502, b"Bad gateway", String::new());
        assert_eq!(s.to_string(), "status 502: Bad gateway");
    }
}
