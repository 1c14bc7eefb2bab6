//! Change documents (`portal-access/changes@1`, whatif.md): parsing and
//! checking everything that does not depend on the tenant, with errors that
//! name the file and the JSON path of the offending value.

use crate::error::LoadError;
use crate::load::native::parse_json;
use crate::model::{kind_of, Privilege, Scope};

use crate::load::raw::{objects, RawPermission, RawRole};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::path::Path;

/// The change document format tag.
pub const CHANGES_FORMAT: &str = "portal-access/changes@1";

/// A loaded change document: its scenarios, in document order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSet {
    /// The file it was read from.
    pub file: String,
    /// Its scenarios.
    pub scenarios: Vec<Scenario>,
}

/// One scenario: a name and the changes applied, in order, to the tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The scenario name (or the file name for a top-level `changes` array).
    pub name: String,
    /// The changes, in order.
    pub changes: Vec<Change>,
}

/// What `set_active` switches on or off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActiveTarget {
    /// A table permission id.
    Permission(String),
    /// A web role id.
    Role(String),
}

/// Who a membership change is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A contact id.
    Contact(String),
    /// An account id.
    Account(String),
}

/// A row reference `TABLE:ID`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowRef {
    /// Table logical name.
    pub table: String,
    /// Row id.
    pub id: String,
}

impl std::fmt::Display for RowRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.table, self.id)
    }
}

/// The new scope of a `set_scope` change and the fields it sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeChange {
    /// The permission id.
    pub permission: String,
    /// The scope as written (a name or a Dataverse code), already checked.
    pub scope: Value,
    /// New contact relationship, when given.
    pub contact_relationship: Option<String>,
    /// New account relationship, when given.
    pub account_relationship: Option<String>,
    /// New parent: `Some(None)` makes the permission a root (`"parent": null`).
    pub parent: Option<Option<String>>,
    /// New parent relationship, when given.
    pub parent_relationship: Option<String>,
}

/// One edit of whatif.md, checked for shape.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `add_permission`: a full table permission object.
    AddPermission(Box<RawPermission>),
    /// `remove_permission`: removes it and every permission below it.
    RemovePermission(String),
    /// `set_scope`.
    SetScope(Box<ScopeChange>),
    /// `add_privilege` (`true`) or `remove_privilege` (`false`).
    Privilege {
        /// The permission id.
        permission: String,
        /// The flag.
        privilege: Privilege,
        /// Set (`add_privilege`) or clear (`remove_privilege`).
        set: bool,
    },
    /// `set_active`.
    SetActive {
        /// The permission or role.
        target: ActiveTarget,
        /// The new value.
        active: bool,
    },
    /// `link_role` (`true`) or `unlink_role` (`false`).
    Link {
        /// The permission id.
        permission: String,
        /// The role id.
        role: String,
        /// Link or unlink.
        link: bool,
    },
    /// `add_role`: a full web role object.
    AddRole(RawRole),
    /// `remove_role`: removes the role, its memberships and its links.
    RemoveRole(String),
    /// `add_member` (`true`) or `remove_member` (`false`).
    Membership {
        /// The contact or account.
        member: Member,
        /// The role id.
        role: String,
        /// Add or remove.
        add: bool,
    },
    /// `set_lookup`: one lookup value of one row.
    SetLookup {
        /// The row.
        row: RowRef,
        /// The lookup column.
        column: String,
        /// The new value, `None` for empty.
        value: Option<String>,
    },
    /// `add_row`: a row object as in the tenant format.
    AddRow {
        /// The table.
        table: String,
        /// The row id.
        id: String,
        /// Every other column, in document order.
        fields: Vec<(String, Value)>,
    },
    /// `remove_row`: the row and its associations (and role memberships).
    RemoveRow(RowRef),
    /// `associate` (`true`) or `disassociate` (`false`).
    Association {
        /// The N:N relationship.
        relationship: String,
        /// The two ids, in the order of the relationship's tables.
        pair: (String, String),
        /// Associate or disassociate.
        add: bool,
    },
}

// ------------------------------------------------------------------ parsing

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a change document object")]
struct Doc {
    #[serde(default)]
    format: Option<String>,
    #[serde(default, deserialize_with = "some_objects")]
    scenarios: Option<Vec<ScenarioDoc>>,
    #[serde(default, deserialize_with = "some_objects")]
    changes: Option<Vec<ChangeDoc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a scenario object")]
struct ScenarioDoc {
    #[serde(default)]
    name: Option<String>,
    #[serde(deserialize_with = "objects")]
    changes: Vec<ChangeDoc>,
}

fn some_objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Vec<T>>, D::Error> {
    objects(d).map(Some)
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
enum Op {
    AddPermission,
    RemovePermission,
    SetScope,
    AddPrivilege,
    RemovePrivilege,
    SetActive,
    LinkRole,
    UnlinkRole,
    AddRole,
    RemoveRole,
    AddMember,
    RemoveMember,
    SetLookup,
    AddRow,
    RemoveRow,
    Associate,
    Disassociate,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::AddPermission => "add_permission",
            Op::RemovePermission => "remove_permission",
            Op::SetScope => "set_scope",
            Op::AddPrivilege => "add_privilege",
            Op::RemovePrivilege => "remove_privilege",
            Op::SetActive => "set_active",
            Op::LinkRole => "link_role",
            Op::UnlinkRole => "unlink_role",
            Op::AddRole => "add_role",
            Op::RemoveRole => "remove_role",
            Op::AddMember => "add_member",
            Op::RemoveMember => "remove_member",
            Op::SetLookup => "set_lookup",
            Op::AddRow => "add_row",
            Op::RemoveRow => "remove_row",
            Op::Associate => "associate",
            Op::Disassociate => "disassociate",
        }
    }

    /// The fields besides `op` that this operation takes.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Op::AddPermission | Op::RemovePermission => &["permission"],
            Op::SetScope => &[
                "permission",
                "scope",
                "contact_relationship",
                "account_relationship",
                "parent",
                "parent_relationship",
            ],
            Op::AddPrivilege | Op::RemovePrivilege => &["permission", "privilege"],
            Op::SetActive => &["permission", "role", "active"],
            Op::LinkRole | Op::UnlinkRole => &["permission", "role"],
            Op::AddRole | Op::RemoveRole => &["role"],
            Op::AddMember | Op::RemoveMember => &["contact", "account", "role"],
            Op::SetLookup => &["row", "column", "value"],
            Op::AddRow => &["table", "row"],
            Op::RemoveRow => &["row"],
            Op::Associate | Op::Disassociate => &["relationship", "pair"],
        }
    }
}

/// Distinguishes a missing field (`None`) from an explicit `null` (`Some(Null)`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a change object")]
struct ChangeDoc {
    op: Op,
    #[serde(default, deserialize_with = "present")]
    permission: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    role: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    privilege: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    scope: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    contact_relationship: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    account_relationship: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    parent: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    parent_relationship: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    active: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    contact: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    account: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    row: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    column: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    value: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    table: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    relationship: Option<Value>,
    #[serde(default, deserialize_with = "present")]
    pair: Option<Value>,
}

impl ChangeDoc {
    fn present_fields(&self) -> Vec<(&'static str, &Value)> {
        let all: [(&'static str, &Option<Value>); 17] = [
            ("permission", &self.permission),
            ("role", &self.role),
            ("privilege", &self.privilege),
            ("scope", &self.scope),
            ("contact_relationship", &self.contact_relationship),
            ("account_relationship", &self.account_relationship),
            ("parent", &self.parent),
            ("parent_relationship", &self.parent_relationship),
            ("active", &self.active),
            ("contact", &self.contact),
            ("account", &self.account),
            ("row", &self.row),
            ("column", &self.column),
            ("value", &self.value),
            ("table", &self.table),
            ("relationship", &self.relationship),
            ("pair", &self.pair),
        ];
        all.into_iter().filter_map(|(k, v)| v.as_ref().map(|v| (k, v))).collect()
    }
}

/// Checks one change object, whose JSON path is `path`.
struct Check<'a> {
    file: &'a str,
    path: String,
    op: Op,
}

impl Check<'_> {
    fn err(&self, field: &str, message: impl Into<String>) -> LoadError {
        let path = if field.is_empty() { self.path.clone() } else { format!("{}.{field}", self.path) };
        LoadError::at(self.file, path, message)
    }

    fn missing(&self, field: &str) -> LoadError {
        self.err("", format!("`{}` needs `{field}`", self.op.name()))
    }

    /// A required non-empty string field.
    fn string(&self, field: &str, v: &Option<Value>) -> Result<String, LoadError> {
        match v {
            None => Err(self.missing(field)),
            Some(v) => self.string_value(field, v),
        }
    }

    fn string_value(&self, field: &str, v: &Value) -> Result<String, LoadError> {
        match v {
            Value::String(s) if !s.is_empty() => Ok(s.clone()),
            Value::String(_) => Err(self.err(field, "expected a non-empty string")),
            other => Err(self.err(field, format!("expected a string, found {}", kind_of(other)))),
        }
    }

    /// An optional string field (absent or null: `None`).
    fn opt_string(&self, field: &str, v: &Option<Value>) -> Result<Option<String>, LoadError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => self.string_value(field, v).map(Some),
        }
    }

    fn row_ref(&self, field: &str, v: &Option<Value>) -> Result<RowRef, LoadError> {
        let s = self.string(field, v)?;
        match s.split_once(':') {
            Some((t, id)) if !t.is_empty() && !id.is_empty() => Ok(RowRef { table: t.to_string(), id: id.to_string() }),
            _ => Err(self.err(field, format!("expected a row reference `TABLE:ID`, found `{s}`"))),
        }
    }

    fn privilege(&self, field: &str, v: &Value) -> Result<Privilege, LoadError> {
        let s = self.string_value(field, v)?;
        Privilege::parse(&s).ok_or_else(|| {
            self.err(
                field,
                format!("unknown privilege `{s}` (expected read, write, create, delete, append or append_to)"),
            )
        })
    }

    fn scope(&self, field: &str, v: &Value) -> Result<Value, LoadError> {
        match Scope::parse(v) {
            Some(_) => Ok(v.clone()),
            None => {
                let shown = match v {
                    Value::String(s) => format!("`{s}`"),
                    other => format!("`{other}`"),
                };
                Err(self.err(
                    field,
                    format!(
                        "unknown scope {shown} (expected global, contact, account, parent, self, custom or a code 756150000 to 756150004)"
                    ),
                ))
            }
        }
    }

    /// Deserializes an embedded object (a permission or role) with paths below `field`.
    fn object<T: serde::de::DeserializeOwned>(&self, field: &str, v: &Value) -> Result<T, LoadError> {
        if !v.is_object() {
            return Err(self.err(field, format!("expected an object, found {}", kind_of(v))));
        }
        serde_path_to_error::deserialize::<_, T>(v.clone()).map_err(|e| {
            let inner = e.path().to_string();
            let sub = if inner == "." { field.to_string() } else { format!("{field}.{inner}") };
            self.err(&sub, e.into_inner().to_string())
        })
    }
}

fn check_change(file: &str, path: String, d: ChangeDoc) -> Result<Change, LoadError> {
    let c = Check { file, path, op: d.op };
    let allowed = d.op.fields();
    for (k, _) in d.present_fields() {
        if !allowed.contains(&k) {
            return Err(c.err(k, format!("`{}` takes no `{k}` (it takes {})", d.op.name(), list(allowed))));
        }
    }
    let change = match d.op {
        Op::AddPermission => {
            let v = d.permission.as_ref().ok_or_else(|| c.missing("permission"))?;
            let p: RawPermission = c.object("permission", v)?;
            c.scope("permission.scope", &p.scope)?;
            for (j, name) in p.privileges.iter().enumerate() {
                c.privilege(&format!("permission.privileges[{j}]"), &Value::String(name.clone()))?;
            }
            if p.id.is_empty() {
                return Err(c.err("permission.id", "a permission id must not be empty"));
            }
            if p.table.is_empty() {
                return Err(c.err("permission.table", "the table name must not be empty"));
            }
            Change::AddPermission(Box::new(p))
        }
        Op::RemovePermission => Change::RemovePermission(c.string("permission", &d.permission)?),
        Op::SetScope => {
            let permission = c.string("permission", &d.permission)?;
            let scope = c.scope("scope", d.scope.as_ref().ok_or_else(|| c.missing("scope"))?)?;
            let parent = match &d.parent {
                None => None,
                Some(Value::Null) => Some(None),
                Some(v) => Some(Some(c.string_value("parent", v)?)),
            };
            Change::SetScope(Box::new(ScopeChange {
                permission,
                scope,
                contact_relationship: c.opt_string("contact_relationship", &d.contact_relationship)?,
                account_relationship: c.opt_string("account_relationship", &d.account_relationship)?,
                parent,
                parent_relationship: c.opt_string("parent_relationship", &d.parent_relationship)?,
            }))
        }
        Op::AddPrivilege | Op::RemovePrivilege => Change::Privilege {
            permission: c.string("permission", &d.permission)?,
            privilege: c.privilege("privilege", d.privilege.as_ref().ok_or_else(|| c.missing("privilege"))?)?,
            set: d.op == Op::AddPrivilege,
        },
        Op::SetActive => {
            let target = match (&d.permission, &d.role) {
                (Some(p), None) => ActiveTarget::Permission(c.string_value("permission", p)?),
                (None, Some(r)) => ActiveTarget::Role(c.string_value("role", r)?),
                _ => return Err(c.err("", "`set_active` needs exactly one of `permission` and `role`")),
            };
            let active = match &d.active {
                Some(Value::Bool(b)) => *b,
                Some(other) => return Err(c.err("active", format!("expected a boolean, found {}", kind_of(other)))),
                None => return Err(c.missing("active")),
            };
            Change::SetActive { target, active }
        }
        Op::LinkRole | Op::UnlinkRole => Change::Link {
            permission: c.string("permission", &d.permission)?,
            role: c.string("role", &d.role)?,
            link: d.op == Op::LinkRole,
        },
        Op::AddRole => {
            let v = d.role.as_ref().ok_or_else(|| c.missing("role"))?;
            let r: RawRole = c.object("role", v)?;
            if r.id.is_empty() {
                return Err(c.err("role.id", "a role id must not be empty"));
            }
            Change::AddRole(r)
        }
        Op::RemoveRole => Change::RemoveRole(c.string("role", &d.role)?),
        Op::AddMember | Op::RemoveMember => {
            let member = match (&d.contact, &d.account) {
                (Some(v), None) => Member::Contact(c.string_value("contact", v)?),
                (None, Some(v)) => Member::Account(c.string_value("account", v)?),
                _ => return Err(c.err("", format!("`{}` needs exactly one of `contact` and `account`", d.op.name()))),
            };
            Change::Membership { member, role: c.string("role", &d.role)?, add: d.op == Op::AddMember }
        }
        Op::SetLookup => {
            let row = c.row_ref("row", &d.row)?;
            let column = c.string("column", &d.column)?;
            if column == "id" {
                return Err(c.err("column", "`id` is not a lookup column"));
            }
            let value = match &d.value {
                None => return Err(c.missing("value")),
                Some(Value::Null) => None,
                Some(v) => Some(c.string_value("value", v)?),
            };
            Change::SetLookup { row, column, value }
        }
        Op::AddRow => {
            let table = c.string("table", &d.table)?;
            let obj: Map<String, Value> = match &d.row {
                None => return Err(c.missing("row")),
                Some(Value::Object(m)) => m.clone(),
                Some(other) => return Err(c.err("row", format!("expected a row object, found {}", kind_of(other)))),
            };
            let mut id = None;
            let mut fields = Vec::new();
            for (k, v) in obj {
                if k == "id" {
                    id = Some(c.string_value("row.id", &v)?);
                } else {
                    fields.push((k, v));
                }
            }
            let id = id.ok_or_else(|| c.err("row", "a row object needs a string `id`"))?;
            Change::AddRow { table, id, fields }
        }
        Op::RemoveRow => Change::RemoveRow(c.row_ref("row", &d.row)?),
        Op::Associate | Op::Disassociate => {
            let relationship = c.string("relationship", &d.relationship)?;
            let pair = match &d.pair {
                None => return Err(c.missing("pair")),
                Some(Value::Array(a)) => match a.as_slice() {
                    [Value::String(x), Value::String(y)] if !x.is_empty() && !y.is_empty() => (x.clone(), y.clone()),
                    _ => return Err(c.err("pair", "expected a pair of two string ids `[first, second]`")),
                },
                Some(other) => {
                    return Err(c.err("pair", format!("expected a pair of two string ids, found {}", kind_of(other))))
                }
            };
            Change::Association { relationship, pair, add: d.op == Op::Associate }
        }
    };
    Ok(change)
}

fn list(fields: &[&str]) -> String {
    let v: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    v.join(", ")
}

/// The scenario name of a document with a top-level `changes` array: the
/// file name without its directory and extension.
pub fn name_from_file(file: &str) -> String {
    let p = Path::new(file);
    p.file_stem()
        .or_else(|| p.file_name())
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.to_string())
}

/// Parses a change document; `file` names it in errors and (for a top-level
/// `changes` array) names its one scenario.
pub fn parse_changes(text: &str, file: &str) -> Result<ChangeSet, LoadError> {
    if text.trim_start().starts_with('[') {
        return Err(LoadError::Invalid {
            file: file.to_string(),
            place: "the top level".to_string(),
            message: "expected a change document object, found an array".to_string(),
        });
    }
    let doc: Doc = parse_json(text, file)?;
    if let Some(f) = &doc.format {
        if f != CHANGES_FORMAT {
            return Err(LoadError::at(file, "format", format!("expected `{CHANGES_FORMAT}`, found `{f}`")));
        }
    }
    let scenarios = match (doc.scenarios, doc.changes) {
        (Some(_), Some(_)) => {
            return Err(LoadError::Invalid {
                file: file.to_string(),
                place: "the top level".to_string(),
                message: "give either `scenarios` or `changes`, not both".to_string(),
            })
        }
        (None, None) => {
            return Err(LoadError::Invalid {
                file: file.to_string(),
                place: "the top level".to_string(),
                message: "a change document needs `scenarios` or `changes`".to_string(),
            })
        }
        (None, Some(changes)) => {
            let changes = changes
                .into_iter()
                .enumerate()
                .map(|(j, d)| check_change(file, format!("changes[{j}]"), d))
                .collect::<Result<Vec<_>, _>>()?;
            vec![Scenario { name: name_from_file(file), changes }]
        }
        (Some(list), None) => {
            let mut out: Vec<Scenario> = Vec::with_capacity(list.len());
            for (i, s) in list.into_iter().enumerate() {
                let name = match s.name {
                    Some(n) if !n.is_empty() => n,
                    Some(_) => {
                        return Err(LoadError::at(
                            file,
                            format!("scenarios[{i}].name"),
                            "a scenario name must not be empty",
                        ))
                    }
                    None => format!("scenario {}", i + 1),
                };
                if let Some(j) = out.iter().position(|o| o.name == name) {
                    return Err(LoadError::at(
                        file,
                        format!("scenarios[{i}].name"),
                        format!("scenario name `{name}` is used twice (also at `scenarios[{j}]`)"),
                    ));
                }
                let changes = s
                    .changes
                    .into_iter()
                    .enumerate()
                    .map(|(j, d)| check_change(file, format!("scenarios[{i}].changes[{j}]"), d))
                    .collect::<Result<Vec<_>, _>>()?;
                out.push(Scenario { name, changes });
            }
            out
        }
    };
    Ok(ChangeSet { file: file.to_string(), scenarios })
}

/// Reads and parses a change document.
pub fn load_changes(path: &Path) -> Result<ChangeSet, LoadError> {
    let file = path.display().to_string();
    if path.is_dir() {
        return Err(LoadError::Read { file, reason: "is a folder, not a change document".to_string() });
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| LoadError::Read { file: file.clone(), reason: e.to_string() })?;
    parse_changes(&text, &file)
}
