//! A fake Dataverse Web API for `pull`'s tests (pull.md P17) and for
//! `bench --pull`: a small HTTP
//! server on 127.0.0.1 only, bounded in requests and time, answering as
//! Microsoft documents (`WhoAmI`, `EntityDefinitions`, relationship
//! metadata casts, entity sets with `$select`, `$filter` and server-driven
//! paging through `@odata.nextLink`), with Dataverse-shaped 400s for
//! requests that break P3 (headers, cookies), P8 (`$expand`, annotations
//! other than the lookup table) and P9 (`$skip`, `$top`, a missing
//! `odata.maxpagesize`, a `nextLink` not replayed byte for byte), and
//! faults to order (a status a number of times, a body, a paging loop).

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Requests one server answers at most.
const MAX_REQUESTS: usize = 20_000;
/// How long one server lives at most.
const MAX_LIFE: Duration = Duration::from_secs(300);

/// A table of the fake environment.
#[derive(Debug, Clone)]
pub struct Table {
    /// Logical name.
    pub logical: String,
    /// Entity set.
    pub set: String,
    /// Primary id column.
    pub id: String,
    /// Primary name column.
    pub name: Option<String>,
    /// Columns (`EntityDefinitions(...)/Attributes`).
    pub attributes: BTreeSet<String>,
    /// Lookup columns (attribute names) and their target tables, to annotate.
    pub lookups: BTreeSet<String>,
    /// Rows, as the Web API returns them (`_x_value` lookups; `_x_value@target` names the lookup's table).
    pub rows: Vec<Map<String, Value>>,
}

impl Table {
    /// A table with these columns (its id and name columns added).
    pub fn new(logical: &str, set: &str, id: &str, name: Option<&str>, attributes: &[&str]) -> Table {
        let mut attrs: BTreeSet<String> = attributes.iter().map(|s| s.to_string()).collect();
        attrs.insert(id.to_string());
        attrs.extend(name.map(str::to_string));
        Table {
            logical: logical.into(),
            set: set.into(),
            id: id.into(),
            name: name.map(str::to_string),
            attributes: attrs,
            lookups: BTreeSet::new(),
            rows: Vec::new(),
        }
    }

    /// Adds a lookup column.
    pub fn lookup(mut self, col: &str) -> Table {
        self.attributes.insert(col.to_string());
        self.lookups.insert(col.to_string());
        self
    }
}

/// A fault to answer with, `times` times, for requests whose decoded
/// target contains `on`.
#[derive(Debug, Clone)]
pub enum Fault {
    /// An error status with a Dataverse error body.
    Status {
        /// What the decoded target contains.
        on: String,
        /// HTTP status.
        status: u16,
        /// How many times.
        times: usize,
        /// `Retry-After` seconds.
        retry_after: Option<u64>,
        /// `error.code`.
        code: String,
        /// `error.message`.
        message: String,
    },
    /// A 200 with this body.
    Body {
        /// What the decoded target contains.
        on: String,
        /// The body.
        body: String,
        /// How many times.
        times: usize,
    },
    /// The entity set's pages never end: each names the same next page.
    Loop {
        /// What the decoded target contains.
        on: String,
    },
    /// The connection is closed without an answer.
    Reset {
        /// What the decoded target contains.
        on: String,
        /// How many times.
        times: usize,
    },
    /// Before answering, a new web role (`R-grown-N`) is added to the site:
    /// the configuration changes while it is read.
    Grow {
        /// What the decoded target contains.
        on: String,
        /// How many times.
        times: usize,
        /// The site the role is added to.
        site: String,
    },
}

/// The fake environment.
#[derive(Debug, Clone, Default)]
pub struct Dataverse {
    /// Tables by logical name.
    pub tables: BTreeMap<String, Table>,
    /// `OneToManyRelationshipMetadata` answers.
    pub one_to_many: Vec<Value>,
    /// `ManyToManyRelationshipMetadata` answers.
    pub many_to_many: Vec<Value>,
    /// `WhoAmI`'s `UserId`.
    pub user_id: String,
    /// Largest page served (the client's `maxpagesize` is honoured under it).
    pub page_size: usize,
    /// Pages get shorter by 0, 1, 2 rows in turn (P9: pages may be short).
    pub short_pages: bool,
    /// `x-ms-dop-hint` sent, when set.
    pub dop_hint: Option<usize>,
    /// Tokens accepted.
    pub tokens: Vec<String>,
    /// Each request waits this long (so that parallel tables overlap).
    pub delay: Duration,
}

impl Dataverse {
    /// An empty environment accepting `token`.
    pub fn new(token: &str) -> Dataverse {
        Dataverse {
            user_id: "9b1d7e0a-1111-4222-8333-444455556666".into(),
            page_size: 5000,
            tokens: vec![token.into()],
            ..Dataverse::default()
        }
    }

    /// Adds (or replaces) a table.
    pub fn add(&mut self, t: Table) {
        self.tables.insert(t.logical.clone(), t);
    }

    /// A table's rows (an empty table is made when there is none).
    pub fn rows(&mut self, logical: &str) -> &mut Vec<Map<String, Value>> {
        let set = format!("{logical}s");
        let id = format!("{logical}id");
        &mut self.tables.entry(logical.to_string()).or_insert_with(|| Table::new(logical, &set, &id, None, &[])).rows
    }

    /// Adds a row (a JSON object) to a table.
    pub fn push(&mut self, logical: &str, row: Value) {
        if let Value::Object(m) = row {
            self.rows(logical).push(m);
        }
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request target, as sent.
    pub target: String,
    /// Its headers (names in lower case).
    pub headers: Vec<(String, String)>,
    /// The status answered (0: the connection was reset).
    pub status: u16,
}

/// What a running fake holds.
pub struct State {
    /// The environment.
    pub dv: RwLock<Dataverse>,
    /// Faults still to answer with.
    pub faults: Mutex<Vec<Fault>>,
    /// Requests seen.
    pub seen: Mutex<Vec<Seen>>,
    /// Requests refused for breaking pull.md.
    pub violations: Mutex<Vec<String>>,
    issued: Mutex<HashSet<String>>,
    in_flight: AtomicUsize,
    /// Most requests answered at once.
    pub max_in_flight: AtomicUsize,
    requests: AtomicUsize,
    stop: AtomicBool,
    started: Instant,
    port: u16,
}

/// A running fake; stopped when dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// What it holds.
    pub state: Arc<State>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `dv` on a free port of 127.0.0.1.
    pub fn start(dv: Dataverse) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let state = Arc::new(State {
            dv: RwLock::new(dv),
            faults: Mutex::new(Vec::new()),
            seen: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            issued: Mutex::new(HashSet::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            requests: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
            started: Instant::now(),
            port,
        });
        let s = state.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.stop.load(Ordering::SeqCst)
                    || s.started.elapsed() > MAX_LIFE
                    || s.requests.load(Ordering::SeqCst) > MAX_REQUESTS
                {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let s = s.clone();
                std::thread::spawn(move || serve(&s, conn));
            }
        });
        Ok(Server { url: format!("http://127.0.0.1:{port}"), state, accept: Some(accept) })
    }

    /// Adds a fault.
    pub fn fault(&self, f: Fault) {
        self.state.faults.lock().unwrap_or_else(PoisonError::into_inner).push(f);
    }

    /// Requests seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Requests refused so far for breaking pull.md.
    pub fn violations(&self) -> Vec<String> {
        self.state.violations.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Most requests answered at once so far.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Changes the environment while it serves.
    pub fn with_dataverse<T>(&self, f: impl FnOnce(&mut Dataverse) -> T) -> T {
        f(&mut self.state.dv.write().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.state.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

/// Serves the requests of one connection (keep-alive), each answered in full.
fn serve(s: &State, conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = conn.set_nodelay(true);
    let Ok(read_half) = conn.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut conn = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
        s.requests.fetch_add(1, Ordering::SeqCst);
        let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let delay = s.dv.read().unwrap_or_else(PoisonError::into_inner).delay;
        std::thread::sleep(delay);
        let answer = answer(s, &target, &headers);
        s.in_flight.fetch_sub(1, Ordering::SeqCst);
        let Some((status, extra, body)) = answer else {
            s.seen.lock().unwrap_or_else(PoisonError::into_inner).push(Seen { target, headers, status: 0 });
            let _ = conn.shutdown(std::net::Shutdown::Both);
            return;
        };
        s.seen.lock().unwrap_or_else(PoisonError::into_inner).push(Seen { target, headers, status });
        let mut head = format!("HTTP/1.1 {status} {}\r\nContent-Type: application/json; odata.metadata=minimal\r\nContent-Length: {}\r\nOData-Version: 4.0\r\nx-ms-service-request-id: req-{}\r\nx-ms-ratelimit-burst-remaining-xrm-requests: 5999\r\n", reason(status), body.len(), s.requests.load(Ordering::SeqCst));
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        // One write: a head and a body sent apart meet Nagle and delayed ACKs.
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(body.as_bytes());
        if conn.write_all(&bytes).and_then(|_| conn.flush()).is_err() {
            return;
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

type Answer = Option<(u16, Vec<(String, String)>, String)>;

fn error(status: u16, code: &str, message: &str) -> Answer {
    Some((status, Vec::new(), json!({"error": {"code": code, "message": message}}).to_string()))
}

fn bad(s: &State, message: String) -> Answer {
    s.violations.lock().unwrap_or_else(PoisonError::into_inner).push(message.clone());
    error(400, "0x80060888", &message)
}

/// Percent-decoding (`+` as a space).
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// Checks P3's headers and the token; a fault when one matches; then the route.
fn answer(s: &State, target: &str, headers: &[(String, String)]) -> Answer {
    let Some(rest) = target.strip_prefix("/api/data/v9.2/") else {
        return error(404, "0x8006088a", &format!("no resource at `{target}`"));
    };
    for (h, v) in [
        ("odata-version", "4.0"),
        ("odata-maxversion", "4.0"),
        ("if-none-match", "null"),
        ("accept", "application/json"),
    ] {
        if header(headers, h) != Some(v) {
            return bad(s, format!("P3: header `{h}: {v}` missing"));
        }
    }
    if header(headers, "cookie").is_some() {
        return bad(s, "P3: a cookie was sent".into());
    }
    let token = header(headers, "authorization").and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
    if !s.dv.read().unwrap_or_else(PoisonError::into_inner).tokens.iter().any(|t| t == token) {
        return error(401, "0x80040220", "the bearer token is not valid for this audience");
    }
    let decoded = decode(target);
    if let Some(a) = fault(s, &decoded, target) {
        return a;
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    for forbidden in ["$skip", "$top", "$expand"] {
        if params.iter().any(|(k, _)| k == forbidden) {
            return bad(s, format!("P8/P9: `{forbidden}` was sent"));
        }
    }
    let prefer = header(headers, "prefer").unwrap_or("");
    if !prefer.split(',').any(|p| p.trim() == "odata.maxpagesize=5000") {
        return bad(s, format!("P9: `Prefer: odata.maxpagesize=5000` missing (got `{prefer}`)"));
    }
    for p in prefer.split(',').map(str::trim).filter(|p| p.starts_with("odata.include-annotations")) {
        if p != "odata.include-annotations=\"Microsoft.Dynamics.CRM.lookuplogicalname\"" {
            return bad(s, format!("P8/P16: annotations asked for: `{p}`"));
        }
    }
    let annotate = prefer.contains("lookuplogicalname");
    let dv = s.dv.read().unwrap_or_else(PoisonError::into_inner);
    route(s, &dv, path, &params, target, annotate)
}

fn fault(s: &State, decoded: &str, target: &str) -> Option<Answer> {
    let mut faults = s.faults.lock().unwrap_or_else(PoisonError::into_inner);
    for f in faults.iter_mut() {
        match f {
            Fault::Status { on, status, times, retry_after, code, message }
                if *times > 0 && decoded.contains(on.as_str()) =>
            {
                *times -= 1;
                let mut extra = Vec::new();
                if let Some(r) = retry_after {
                    extra.push(("Retry-After".to_string(), r.to_string()));
                }
                return Some(Some((*status, extra, json!({"error": {"code": code, "message": message}}).to_string())));
            }
            Fault::Body { on, body, times } if *times > 0 && decoded.contains(on.as_str()) => {
                *times -= 1;
                return Some(Some((200, Vec::new(), body.clone())));
            }
            Fault::Reset { on, times } if *times > 0 && decoded.contains(on.as_str()) => {
                *times -= 1;
                return Some(None);
            }
            Fault::Grow { on, times, site } if *times > 0 && decoded.contains(on.as_str()) => {
                *times -= 1;
                let mut dv = s.dv.write().unwrap_or_else(PoisonError::into_inner);
                let n = dv.rows("adx_webrole").len();
                let role = json!({"adx_webroleid": format!("R-grown-{n}"), "adx_name": "Grown", "statecode": 0, "_adx_websiteid_value": site});
                dv.push("adx_webrole", role);
            }
            Fault::Loop { on } if decoded.contains(on.as_str()) => {
                let base = target.split("&$skiptoken").next().unwrap_or(target);
                let link =
                    format!("http://127.0.0.1:{}{base}&$skiptoken=%3Ccookie%20pagenumber=%222%22%20/%3E", s.port);
                s.issued.lock().unwrap_or_else(PoisonError::into_inner).insert(link.clone());
                return Some(Some((200, Vec::new(), json!({"value": [], "@odata.nextLink": link}).to_string())));
            }
            _ => {}
        }
    }
    None
}

/// `col eq value` atoms of a filter, by column (values unquoted).
fn atoms(filter: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let cleaned = filter.replace(['(', ')'], " ");
    let words: Vec<&str> = cleaned.split_whitespace().collect();
    for w in words.windows(3) {
        if w[1] == "eq" {
            let v = w[2].trim_matches('\'').replace("''", "'");
            out.entry(w[0].to_string()).or_default().push(v);
        }
    }
    out
}

fn matches(row: &Map<String, Value>, atoms: &BTreeMap<String, Vec<String>>) -> bool {
    atoms.iter().all(|(col, values)| {
        let v = match row.get(col) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Bool(b)) => b.to_string(),
            _ => return false,
        };
        values.iter().any(|x| x.eq_ignore_ascii_case(&v))
    })
}

fn param<'a>(params: &'a [(String, String)], k: &str) -> Option<&'a str> {
    params.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str())
}

fn ok(body: Value, dv: &Dataverse) -> Answer {
    let extra = dv.dop_hint.map(|h| vec![("x-ms-dop-hint".to_string(), h.to_string())]).unwrap_or_default();
    Some((200, extra, body.to_string()))
}

fn route(s: &State, dv: &Dataverse, path: &str, params: &[(String, String)], target: &str, annotate: bool) -> Answer {
    let filter = param(params, "$filter").unwrap_or("");
    if path == "WhoAmI" {
        return ok(
            json!({"BusinessUnitId": "b0000000-0000-0000-0000-000000000001", "UserId": dv.user_id, "OrganizationId": "o0000000-0000-0000-0000-000000000001"}),
            dv,
        );
    }
    if let Some(rest) = path.strip_prefix("EntityDefinitions(LogicalName='") {
        let (name, tail) = rest.split_once("')").unwrap_or((rest, ""));
        let Some(t) = dv.tables.get(name) else {
            return error(404, "0x80060888", &format!("Could not find an entity with logical name `{name}`"));
        };
        return match tail {
            "" => ok(json!({"LogicalName": t.logical, "EntitySetName": t.set}), dv),
            "/Attributes" => {
                ok(json!({"value": t.attributes.iter().map(|a| json!({"LogicalName": a})).collect::<Vec<_>>()}), dv)
            }
            _ => error(404, "0x80060888", "no such metadata path"),
        };
    }
    if path == "EntityDefinitions" {
        let wanted = atoms(filter).remove("LogicalName").unwrap_or_default();
        let list: Vec<Value> = wanted
            .iter()
            .filter_map(|n| dv.tables.get(n))
            .map(|t| json!({"LogicalName": t.logical, "EntitySetName": t.set, "PrimaryIdAttribute": t.id, "PrimaryNameAttribute": t.name, "MetadataId": "m"}))
            .collect();
        return ok(json!({"value": list}), dv);
    }
    for (cast, list) in
        [("OneToManyRelationshipMetadata", &dv.one_to_many), ("ManyToManyRelationshipMetadata", &dv.many_to_many)]
    {
        if path == format!("RelationshipDefinitions/Microsoft.Dynamics.CRM.{cast}") {
            let wanted: Vec<String> = atoms(filter).remove("SchemaName").unwrap_or_default();
            let found: Vec<Value> = list
                .iter()
                .filter(|r| wanted.iter().any(|w| r["SchemaName"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(w))))
                .cloned()
                .collect();
            return ok(json!({"value": found}), dv);
        }
    }
    if let Some(answer) = file_column(dv, path) {
        return answer;
    }
    let Some(t) = dv.tables.values().find(|t| t.set == path) else {
        return error(404, "0x8006088a", &format!("Resource not found for the segment '{path}'."));
    };
    collection(s, dv, t, params, target, annotate)
}

fn collection(
    s: &State,
    dv: &Dataverse,
    t: &Table,
    params: &[(String, String)],
    target: &str,
    annotate: bool,
) -> Answer {
    let select: Vec<String> =
        param(params, "$select").unwrap_or("").split(',').filter(|c| !c.is_empty()).map(str::to_string).collect();
    for c in &select {
        let attr = c.strip_prefix('_').and_then(|x| x.strip_suffix("_value")).unwrap_or(c);
        let ok = if c.starts_with('_') {
            t.lookups.contains(attr)
        } else {
            t.attributes.contains(attr) && !t.lookups.contains(attr)
        };
        if !ok {
            return bad(
                s,
                format!("Could not find a property named '{c}' on type 'Microsoft.Dynamics.CRM.{}'.", t.logical),
            );
        }
    }
    let offset = match param(params, "$skiptoken") {
        None => 0,
        Some(cookie) => {
            let full = format!("http://127.0.0.1:{}{target}", s.port);
            if !s.issued.lock().unwrap_or_else(PoisonError::into_inner).contains(&full) {
                return bad(s, format!("P9: the nextLink was not replayed byte for byte: `{target}`"));
            }
            cookie
                .split("last=\"")
                .nth(1)
                .and_then(|x| x.split('"').next())
                .and_then(|x| x.parse::<usize>().ok())
                .unwrap_or(0)
        }
    };
    let atoms = atoms(param(params, "$filter").unwrap_or(""));
    let filtered: Vec<&Map<String, Value>>;
    let rows: &[Map<String, Value>] = if atoms.is_empty() {
        &t.rows
    } else {
        filtered = t.rows.iter().filter(|r| matches(r, &atoms)).collect();
        return page(s, dv, t, &filtered.into_iter().cloned().collect::<Vec<_>>(), &select, offset, target, annotate);
    };
    page(s, dv, t, rows, &select, offset, target, annotate)
}

#[allow(clippy::too_many_arguments)]
fn page(
    s: &State,
    dv: &Dataverse,
    t: &Table,
    rows: &[Map<String, Value>],
    select: &[String],
    offset: usize,
    target: &str,
    annotate: bool,
) -> Answer {
    let page_no = offset / dv.page_size.max(1);
    let size = if dv.short_pages { dv.page_size.saturating_sub(page_no % 3).max(1) } else { dv.page_size };
    let end = (offset + size).min(rows.len());
    let mut out = Vec::new();
    for r in &rows[offset.min(rows.len())..end] {
        let mut m = Map::new();
        m.insert("@odata.etag".into(), json!("W/\"1234\""));
        for c in select {
            let v = r.get(c).cloned().unwrap_or(Value::Null);
            if annotate && c.starts_with('_') && !v.is_null() {
                if let Some(target) = r.get(&format!("{c}@target")) {
                    m.insert(format!("{c}@Microsoft.Dynamics.CRM.lookuplogicalname"), target.clone());
                }
            }
            m.insert(c.clone(), v);
        }
        out.push(Value::Object(m));
    }
    let mut body = json!({"@odata.context": format!("http://127.0.0.1:{}/api/data/v9.2/$metadata#{}", s.port, t.set), "value": out});
    if end < rows.len() {
        let base = target.split("&$skiptoken").next().unwrap_or(target);
        // A paging cookie, percent-encoded twice as Dataverse does.
        let cookie = format!(
            "%3Ccookie%20pagenumber=%22{}%22%20pagingcookie=%22%253ccookie%2520page%253d%2522{}%2522%253e%22%20last=%22{end}%22%20istracking=%22False%22%20/%3E",
            page_no + 2,
            page_no + 1
        );
        let link = format!("http://127.0.0.1:{}{base}&$skiptoken={cookie}", s.port);
        s.issued.lock().unwrap_or_else(PoisonError::into_inner).insert(link.clone());
        body["@odata.nextLink"] = json!(link);
    }
    ok(body, dv)
}

/// `SET(ID)/COLUMN/$value`: a file column's content as it is stored (a row's
/// `COLUMN` text); a 404 when the row has none.
fn file_column(dv: &Dataverse, path: &str) -> Option<Answer> {
    let (head, tail) = path.split_once(")/")?;
    let (set, id) = head.split_once('(')?;
    let column = tail.strip_suffix("/$value")?;
    let table = dv.tables.values().find(|t| t.set == set)?;
    let row = table.rows.iter().find(|r| r.get(&table.id).and_then(Value::as_str) == Some(id));
    Some(match row.and_then(|r| r.get(column)).and_then(Value::as_str) {
        Some(text) => Some((200, Vec::new(), text.to_string())),
        None => error(404, "0x80060891", &format!("no file in column `{column}` of `{set}({id})`")),
    })
}
