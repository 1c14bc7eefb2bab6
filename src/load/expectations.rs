//! Expectation files (spec `expectations.md`): access tests kept beside a
//! site, in YAML or JSON (JSON is read as the YAML it is, so that every
//! error names a line).
//!
//! This reads and shape-checks a file into [`Expectations`]; nothing here
//! knows the tenant: names of contacts, rows, tables and relationships are
//! checked when the expectations run ([`crate::answer::expect`]).

use super::yaml::{self, Kind, Node};
use crate::error::LoadError;
use serde_json::{Map, Value};
use std::path::Path;

/// The format tag of an expectations file.
pub const EXPECTATIONS_FORMAT: &str = "portal-access/expectations@1";

/// Privilege names a file may use.
const PRIVILEGES: [&str; 6] = ["read", "write", "create", "delete", "append", "append_to"];

/// One file's expectations, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectations {
    /// The file as given.
    pub file: String,
    /// The expectations.
    pub items: Vec<Expectation>,
}

/// One expectation as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// 1-based index in its file.
    pub index: usize,
    /// Line of the list item.
    pub line: usize,
    /// An optional name (`name:`), for reports.
    pub name: Option<String>,
    /// What it checks.
    pub check: Check,
    /// The expectation as written (less `name`), as JSON: the `expected` of a result.
    pub written: Value,
}

/// A visitor class of a `never` expectation (C10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VisitorClass {
    /// One contact, by id.
    Contact(String),
    /// The visitor who has not signed in.
    Anonymous,
    /// Someone who has just signed up (C9).
    Newcomer,
    /// The anonymous visitor or a newcomer (C10).
    Anyone,
    /// Every contact.
    Contacts,
}

/// The kinds of expectation and what each asks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `can: VISITOR PRIVILEGE TARGET` with `allowed` and/or `via`.
    Can {
        /// Contact id or `anonymous` (or `newcomer`).
        visitor: String,
        /// Privilege name.
        privilege: String,
        /// `TABLE:ID`, or `TABLE` for create.
        target: String,
        /// Expected decision.
        allowed: Option<bool>,
        /// Expected granting permissions (exact set).
        via: Option<Vec<String>>,
    },
    /// `who: PRIVILEGE TARGET` with `contacts`, `includes`, `excludes`, `anonymous`, `newcomer`, `anyone`.
    Who {
        /// Privilege name.
        privilege: String,
        /// `TABLE:ID`, or `TABLE` for create.
        target: String,
        /// Exactly these contacts.
        contacts: Option<Vec<String>>,
        /// At least these contacts.
        includes: Vec<String>,
        /// None of these contacts.
        excludes: Vec<String>,
        /// Expected `anonymous`.
        anonymous: Option<bool>,
        /// Expected `newcomer` (C9).
        newcomer: Option<bool>,
        /// Expected `anyone` (C10).
        anyone: Option<bool>,
    },
    /// `never: {visitor, privilege?, table?}`: no such grant exists.
    Never {
        /// The visitor class.
        visitor: VisitorClass,
        /// Only this privilege.
        privilege: Option<String>,
        /// Only this table.
        table: Option<String>,
    },
    /// `isolated: {table, through}`: every contact's read of the table is
    /// of a row related to them or their account through one of `through`.
    Isolated {
        /// The table.
        table: String,
        /// Relationship names.
        through: Vec<String>,
    },
    /// `columns: VISITOR TABLE:ID` (channels.md C6, C7), with its keys.
    Columns {
        /// Contact id, `anonymous` or `newcomer`.
        visitor: String,
        /// `TABLE:ID`.
        row: String,
        /// The keys given (`open`, `read`, `read_includes`, ...).
        keys: Map<String, Value>,
    },
    /// `bypass: {table?, visitor?}` (finance-operations.md F8), with `empty`.
    Bypass {
        /// Only this table.
        table: Option<String>,
        /// Only this visitor: a contact id, `anonymous`, `newcomer`,
        /// `anyone` or `contacts`.
        visitor: Option<String>,
        /// Expected emptiness.
        empty: Option<bool>,
    },
}

impl Check {
    /// The kind's name as the JSON answer prints it.
    pub fn kind(&self) -> &'static str {
        match self {
            Check::Can { .. } => "can",
            Check::Who { .. } => "who",
            Check::Never { .. } => "never",
            Check::Isolated { .. } => "isolated",
            Check::Columns { .. } => "columns",
            Check::Bypass { .. } => "bypass",
        }
    }
}

const KINDS: [&str; 6] = ["can", "who", "never", "isolated", "columns", "bypass"];

/// Reads an expectations file (YAML or JSON).
pub fn load_expectations(path: &Path) -> Result<Expectations, LoadError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read { file: file.clone(), reason: e.to_string() })?;
    parse_expectations(&text, &file)
}

/// Parses the text of an expectations file; `file` names it in errors.
pub fn parse_expectations(text: &str, file: &str) -> Result<Expectations, LoadError> {
    let root = yaml::parse(text, file)?;
    let p = Parser { file };
    let Kind::Map(entries) = &root.kind else {
        return Err(p.err(root.line, format!("expected a mapping with `format` and `expect`, found {}", root.describe())));
    };
    let mut format = None;
    let mut expect = None;
    for (key, line, value) in entries {
        match key.as_str() {
            "format" => format = Some((value, *line)),
            "expect" => expect = Some(value),
            "description" | "name" => {}
            other => return Err(p.err(*line, format!("unknown key `{other}` (expected `format` and `expect`)"))),
        }
    }
    match format {
        Some((v, line)) => match v.string() {
            Ok(Some(s)) if s == EXPECTATIONS_FORMAT => {}
            _ => return Err(p.err(line, format!("`format` must be `{EXPECTATIONS_FORMAT}`, found {}", v.describe()))),
        },
        None => return Err(p.err(root.line, format!("missing `format: {EXPECTATIONS_FORMAT}`"))),
    }
    let Some(expect) = expect else {
        return Err(p.err(root.line, "missing `expect` (a list of expectations)"));
    };
    let Kind::Seq(list) = &expect.kind else {
        return Err(p.err(expect.line, format!("`expect` must be a list, found {}", expect.describe())));
    };
    let items = list.iter().enumerate().map(|(i, n)| p.item(i + 1, n)).collect::<Result<Vec<_>, _>>()?;
    Ok(Expectations { file: file.to_string(), items })
}

struct Parser<'a> {
    file: &'a str,
}

/// The keys of an expectation besides its kind and `name`: `(key, line, value)`.
type Keys<'n> = Vec<(&'n str, usize, &'n Node)>;

fn get<'n>(keys: &Keys<'n>, k: &str) -> Option<&'n Node> {
    keys.iter().find(|e| e.0 == k).map(|e| e.2)
}

/// A node as JSON (scalars by value).
fn to_json(n: &Node) -> Value {
    match &n.kind {
        Kind::Scalar { value, .. } => value.clone(),
        Kind::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        Kind::Map(entries) => Value::Object(entries.iter().map(|(k, _, v)| (k.clone(), to_json(v))).collect()),
    }
}

impl Parser<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> LoadError {
        LoadError::Invalid { file: self.file.to_string(), place: format!("line {line}"), message: message.into() }
    }

    fn text(&self, n: &Node, what: &str) -> Result<String, LoadError> {
        match n.string() {
            Ok(Some(s)) => Ok(s),
            _ => Err(self.err(n.line, format!("{what} must be text, found {}", n.describe()))),
        }
    }

    fn boolean(&self, n: &Node, what: &str) -> Result<bool, LoadError> {
        match n.scalar() {
            Some(Value::Bool(b)) => Ok(*b),
            _ => Err(self.err(n.line, format!("{what} must be true or false, found {}", n.describe()))),
        }
    }

    fn list(&self, n: &Node, what: &str) -> Result<Vec<String>, LoadError> {
        match &n.kind {
            Kind::Seq(items) => items.iter().map(|i| self.text(i, &format!("each item of {what}"))).collect(),
            _ => Err(self.err(n.line, format!("{what} must be a list, found {}", n.describe()))),
        }
    }

    fn privilege(&self, s: &str, line: usize, at: &str) -> Result<String, LoadError> {
        if PRIVILEGES.contains(&s) {
            Ok(s.to_string())
        } else {
            Err(self.err(line, format!("{at}: privilege `{s}` is not one of {}", PRIVILEGES.join(", "))))
        }
    }

    /// The words of a one-line question (`can: C1 read incident:I1`).
    fn words(&self, n: &Node, at: &str, shape: &str, count: usize) -> Result<Vec<String>, LoadError> {
        let s = self.text(n, at)?;
        let words: Vec<String> = s.split_whitespace().map(String::from).collect();
        if words.len() != count {
            return Err(self.err(n.line, format!("{at} must read `{shape}`, found `{s}`")));
        }
        Ok(words)
    }

    fn item(&self, index: usize, n: &Node) -> Result<Expectation, LoadError> {
        let at = format!("`expect[{index}]`");
        let Kind::Map(entries) = &n.kind else {
            return Err(self.err(n.line, format!("{at} must be a mapping such as `can: C1 read incident:I1`, found {}", n.describe())));
        };
        let kinds: Vec<&(String, usize, Node)> = entries.iter().filter(|e| KINDS.contains(&e.0.as_str())).collect();
        let (kind, kind_line, head) = match kinds.as_slice() {
            [one] => (one.0.as_str(), one.1, &one.2),
            [] => return Err(self.err(n.line, format!("{at} names no kind of expectation (one of {})", KINDS.join(", ")))),
            [_, second, ..] => {
                return Err(self.err(second.1, format!("{at} names two kinds of expectation; give one per item")))
            }
        };
        let at = format!("`expect[{index}].{kind}`");
        let mut name = None;
        let mut keys: Keys = Vec::new();
        for (k, line, v) in entries {
            if k == "name" {
                name = Some(self.text(v, "`name`")?);
            } else if k != kind {
                keys.push((k.as_str(), *line, v));
            }
        }
        self.check_keys(kind, kind_line, &at, &keys)?;
        let check = match kind {
            "can" => self.can(head, &at, &keys)?,
            "who" => self.who(head, &at, &keys)?,
            "never" => self.never(head, &at)?,
            "isolated" => self.isolated(head, &at)?,
            "columns" => self.columns(head, &at, &keys)?,
            _ => self.bypass(head, &at, &keys)?,
        };
        let mut written = Map::new();
        for (k, _, v) in entries.iter().filter(|e| e.0 != "name") {
            written.insert(k.clone(), to_json(v));
        }
        Ok(Expectation { index, line: n.line, name, check, written: Value::Object(written) })
    }

    /// Refuses keys the kind does not take, and a `can`, `who`, `columns`
    /// or `bypass` that says nothing to check.
    fn check_keys(&self, kind: &str, kind_line: usize, at: &str, keys: &Keys) -> Result<(), LoadError> {
        let allowed_keys: &[&str] = match kind {
            "can" => &["allowed", "via"],
            "who" => &["contacts", "includes", "excludes", "anonymous", "newcomer", "anyone"],
            "columns" => &["open", "read", "update", "read_includes", "read_excludes", "update_includes", "update_excludes"],
            "bypass" => &["empty"],
            _ => &[],
        };
        let listed = || allowed_keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        if let Some((k, line, _)) = keys.iter().find(|(k, _, _)| !allowed_keys.contains(k)) {
            let expected = if allowed_keys.is_empty() { "no other key".to_string() } else { listed() };
            return Err(self.err(*line, format!("{at}: unknown key `{k}` (expected {expected})")));
        }
        if !allowed_keys.is_empty() && keys.is_empty() {
            return Err(self.err(kind_line, format!("{at} says nothing to check: give one of {}", listed())));
        }
        Ok(())
    }

    fn can(&self, head: &Node, at: &str, keys: &Keys) -> Result<Check, LoadError> {
        let w = self.words(head, at, "VISITOR PRIVILEGE TABLE:ID", 3)?;
        Ok(Check::Can {
            visitor: w[0].clone(),
            privilege: self.privilege(&w[1], head.line, at)?,
            target: w[2].clone(),
            allowed: get(keys, "allowed").map(|v| self.boolean(v, "`allowed`")).transpose()?,
            via: get(keys, "via").map(|v| self.list(v, "`via`")).transpose()?,
        })
    }

    fn who(&self, head: &Node, at: &str, keys: &Keys) -> Result<Check, LoadError> {
        let w = self.words(head, at, "PRIVILEGE TABLE:ID", 2)?;
        let list = |k: &str| get(keys, k).map(|v| self.list(v, &format!("`{k}`"))).transpose();
        let flag = |k: &str| get(keys, k).map(|v| self.boolean(v, &format!("`{k}`"))).transpose();
        Ok(Check::Who {
            privilege: self.privilege(&w[0], head.line, at)?,
            target: w[1].clone(),
            contacts: list("contacts")?,
            includes: list("includes")?.unwrap_or_default(),
            excludes: list("excludes")?.unwrap_or_default(),
            anonymous: flag("anonymous")?,
            newcomer: flag("newcomer")?,
            anyone: flag("anyone")?,
        })
    }

    fn never(&self, head: &Node, at: &str) -> Result<Check, LoadError> {
        let m = self.fields(head, at, &["visitor", "privilege", "table"], &["visitor"])?;
        let visitor = match m.get("visitor").map(String::as_str) {
            Some("anonymous") => VisitorClass::Anonymous,
            Some("newcomer") => VisitorClass::Newcomer,
            Some("anyone") | None => VisitorClass::Anyone,
            Some("contacts") => VisitorClass::Contacts,
            Some(c) => VisitorClass::Contact(c.to_string()),
        };
        let privilege = m.get("privilege").map(|p| self.privilege(p, head.line, at)).transpose()?;
        Ok(Check::Never { visitor, privilege, table: m.get("table").cloned() })
    }

    fn isolated(&self, head: &Node, at: &str) -> Result<Check, LoadError> {
        let Kind::Map(fields) = &head.kind else {
            return Err(self.err(head.line, format!("{at} must be a mapping `{{table, through}}`, found {}", head.describe())));
        };
        let (mut table, mut through) = (None, None);
        for (k, line, v) in fields {
            match k.as_str() {
                "table" => table = Some(self.text(v, "`table`")?),
                "through" => through = Some(self.list(v, "`through`")?),
                other => return Err(self.err(*line, format!("{at}: unknown key `{other}` (expected `table`, `through`)"))),
            }
        }
        let (Some(table), Some(through)) = (table, through) else {
            return Err(self.err(head.line, format!("{at} needs `table` and `through`")));
        };
        if through.is_empty() {
            return Err(self.err(head.line, format!("{at}: `through` names no relationship")));
        }
        Ok(Check::Isolated { table, through })
    }

    fn columns(&self, head: &Node, at: &str, keys: &Keys) -> Result<Check, LoadError> {
        let w = self.words(head, at, "VISITOR TABLE:ID", 2)?;
        let mut m = Map::new();
        for (k, _, v) in keys {
            if *k == "open" {
                self.boolean(v, "`open`")?;
            } else {
                self.list(v, &format!("`{k}`"))?;
            }
            m.insert(k.to_string(), to_json(v));
        }
        Ok(Check::Columns { visitor: w[0].clone(), row: w[1].clone(), keys: m })
    }

    fn bypass(&self, head: &Node, at: &str, keys: &Keys) -> Result<Check, LoadError> {
        let m = match &head.kind {
            Kind::Scalar { value: Value::Null, .. } => Default::default(),
            _ => self.fields(head, at, &["table", "visitor"], &[])?,
        };
        Ok(Check::Bypass {
            table: m.get("table").cloned(),
            visitor: m.get("visitor").cloned(),
            empty: get(keys, "empty").map(|v| self.boolean(v, "`empty`")).transpose()?,
        })
    }

    /// A mapping of text fields, with the keys it may and must have.
    fn fields(
        &self,
        n: &Node,
        at: &str,
        allowed: &[&str],
        required: &[&str],
    ) -> Result<std::collections::BTreeMap<String, String>, LoadError> {
        let Kind::Map(fields) = &n.kind else {
            let shape = allowed.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ");
            return Err(self.err(n.line, format!("{at} must be a mapping `{{{shape}}}`, found {}", n.describe())));
        };
        let mut out = std::collections::BTreeMap::new();
        for (k, line, v) in fields {
            if !allowed.contains(&k.as_str()) {
                let expected = allowed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
                return Err(self.err(*line, format!("{at}: unknown key `{k}` (expected {expected})")));
            }
            out.insert(k.clone(), self.text(v, &format!("`{k}`"))?);
        }
        if let Some(k) = required.iter().find(|k| !out.contains_key(**k)) {
            return Err(self.err(n.line, format!("{at} needs `{k}`")));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    fn err(text: &str) -> String {
        parse_expectations(text, "e.yaml").unwrap_err().to_string()
    }

    #[test]
    fn every_kind_parses_with_its_line() {
        let text = "format: portal-access/expectations@1\nexpect:\n  - can: C1 read incident:I1\n    allowed: true\n  - who: read incident:I1\n    contacts: [C1]\n    anonymous: false\n  - never: {visitor: anyone, privilege: read, table: contact}\n  - isolated: {table: incident, through: [a, b]}\n  - columns: C1 contact:C1\n    read_excludes: [birthdate]\n  - bypass: {table: t}\n    empty: true\n";
        let e = parse_expectations(text, "e.yaml").unwrap();
        let kinds: Vec<&str> = e.items.iter().map(|i| i.check.kind()).collect();
        assert_eq!(kinds, ["can", "who", "never", "isolated", "columns", "bypass"]);
        let lines: Vec<usize> = e.items.iter().map(|i| i.line).collect();
        assert_eq!(lines, [3, 5, 8, 9, 10, 12]);
        assert_eq!(e.items[2].check, Check::Never { visitor: VisitorClass::Anyone, privilege: Some("read".into()), table: Some("contact".into()) });
    }

    #[test]
    fn json_is_read_too() {
        let text = "{\"format\": \"portal-access/expectations@1\",\n \"expect\": [\n  {\"can\": \"anonymous create lead\", \"allowed\": true}]}";
        let e = parse_expectations(text, "e.json").unwrap();
        assert_eq!(e.items[0].line, 3);
    }

    #[test]
    fn errors_name_file_and_line() {
        let head = "format: portal-access/expectations@1\nexpect:\n";
        assert_eq!(err(&format!("{head}  - can: C1 read\n    allowed: true\n")), "e.yaml: at line 3: `expect[1].can` must read `VISITOR PRIVILEGE TABLE:ID`, found `C1 read`");
        assert!(err(&format!("{head}  - can: C1 read incident:I1\n    allowd: true\n")).starts_with("e.yaml: at line 4: `expect[1].can`: unknown key `allowd`"));
        assert!(err(&format!("{head}  - can: C1 reed incident:I1\n    allowed: true\n")).contains("line 3") );
        assert!(err(&format!("{head}  - who: read incident:I1\n")).contains("says nothing to check"));
        assert!(err(&format!("{head}  - never: {{privilege: read}}\n")).contains("needs `visitor`"));
        assert!(err("format: other\nexpect: []\n").contains("line 1: `format` must be"));
        assert!(err("expect: [\n").starts_with("e.yaml: line"));
    }
}
