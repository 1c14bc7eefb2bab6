//! The folder a pull writes (pull.md P13, P14): `site/` with one
//! block-YAML record a file (server logic with its code beside it, cloud
//! flow definitions named as a solution names them, `Workflows/flow-<GUID>.json`), `metadata/` with the relationships, `data/`
//! (written by [`super::rows`]), all inside `DIR.partial-PID`, renamed to
//! `DIR` after the last file and removed on failure.

use super::config::{Config, Kind, Record};
use super::discover::Relationship;
use super::error::PullError;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The folder being written; removed when dropped before [`Partial::commit`].
pub struct Partial {
    /// `DIR.partial-PID`.
    pub path: PathBuf,
    done: bool,
}

impl Partial {
    /// Makes `DIR.partial-PID` beside `out` (an old one of this process is removed first).
    pub fn create(out: &Path) -> Result<Partial, PullError> {
        let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "pull".to_string());
        let path = out.with_file_name(format!("{name}.partial-{}", std::process::id()));
        if path.exists() {
            std::fs::remove_dir_all(&path).map_err(|e| PullError::write(&path, e))?;
        }
        std::fs::create_dir_all(&path).map_err(|e| PullError::write(&path, e))?;
        Ok(Partial { path, done: false })
    }

    /// Renames the folder to `out`; an existing `out` is deleted first with `force`.
    pub fn commit(mut self, out: &Path, force: bool) -> Result<(), PullError> {
        if out.exists() {
            if !force {
                return Err(PullError::Exists { dir: out.display().to_string() });
            }
            std::fs::remove_dir_all(out).map_err(|e| PullError::write(out, e))?;
        }
        std::fs::rename(&self.path, out).map_err(|e| PullError::write(out, e))?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// A file name from an id the server gave: anything but letters, digits,
/// `-`, `_` and `.` becomes `_`, so no id leaves its folder.
pub fn file_id(id: &str) -> String {
    let s: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    if s.is_empty() {
        "_".to_string()
    } else {
        s
    }
}

/// Writes `site/`: every kind's folder (made even when empty), a file a record.
pub fn site(root: &Path, config: &Config) -> Result<(), PullError> {
    let site = root.join("site");
    for kind in Kind::ALL {
        let dir = site.join(kind.place().0);
        std::fs::create_dir_all(&dir).map_err(|e| PullError::write(&dir, e))?;
    }
    for rec in &config.records {
        let (folder, suffix) = rec.kind.place();
        if rec.kind == Kind::ServerLogic {
            server_logic(&site.join(folder), rec, config.code.get(&rec.id))?;
            continue;
        }
        let path = site.join(folder).join(format!("{}.{suffix}.yml", file_id(&rec.id)));
        std::fs::write(&path, yaml(rec)).map_err(|e| PullError::write(&path, e))?;
    }
    if !config.definitions.is_empty() {
        let dir = site.join("Workflows");
        std::fs::create_dir_all(&dir).map_err(|e| PullError::write(&dir, e))?;
        for (process, definition) in &config.definitions {
            let path = dir.join(format!("flow-{}.json", file_id(process)));
            std::fs::write(&path, definition).map_err(|e| PullError::write(&path, e))?;
        }
    }
    Ok(())
}

/// `server-logic/N/N.serverlogic.yml` and its code, `N.js`, beside it (N:
/// the endpoint's name as a file name, else its id).
fn server_logic(dir: &Path, rec: &Record, code: Option<&String>) -> Result<(), PullError> {
    let stem = file_id(rec.text("name").unwrap_or(&rec.id));
    let folder = dir.join(&stem);
    std::fs::create_dir_all(&folder).map_err(|e| PullError::write(&folder, e))?;
    let path = folder.join(format!("{stem}.serverlogic.yml"));
    std::fs::write(&path, yaml(rec)).map_err(|e| PullError::write(&path, e))?;
    if let Some(code) = code {
        let js = folder.join(format!("{stem}.js"));
        std::fs::write(&js, code).map_err(|e| PullError::write(&js, e))?;
    }
    Ok(())
}

/// One record as block YAML, strings quoted.
pub fn yaml(rec: &Record) -> String {
    let mut out = String::new();
    for (k, v) in &rec.fields {
        let key = if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            k.clone()
        } else {
            quote(k)
        };
        match v {
            Value::Array(items) if !items.is_empty() && items.iter().all(|i| !i.is_array() && !i.is_object()) => {
                out.push_str(&format!("{key}:\n"));
                for i in items {
                    out.push_str(&format!("- {}\n", scalar(i)));
                }
            }
            _ => out.push_str(&format!("{key}: {}\n", scalar(v))),
        }
    }
    out
}

fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A value on one line: JSON is YAML's flow style.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        other => other.to_string(),
    }
}

/// Writes `metadata/one-to-many.json` and `metadata/many-to-many.json` (P7's answers).
pub fn metadata(root: &Path, rels: &[Relationship]) -> Result<(), PullError> {
    let dir = root.join("metadata");
    std::fs::create_dir_all(&dir).map_err(|e| PullError::write(&dir, e))?;
    let (mut one, mut many) = (Vec::new(), Vec::new());
    for r in rels {
        match r {
            Relationship::OneToMany { name, referencing, lookup, referenced } => one.push(json!({
                "@odata.type": "#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata",
                "SchemaName": name, "ReferencingEntity": referencing, "ReferencingAttribute": lookup, "ReferencedEntity": referenced,
            })),
            Relationship::ManyToMany { name, tables, intersect, columns } => many.push(json!({
                "@odata.type": "#Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata",
                "SchemaName": name, "Entity1LogicalName": tables[0], "Entity2LogicalName": tables[1],
                "IntersectEntityName": intersect, "Entity1IntersectAttribute": columns[0], "Entity2IntersectAttribute": columns[1],
            })),
        }
    }
    for (file, list) in [("one-to-many.json", one), ("many-to-many.json", many)] {
        let path = dir.join(file);
        let text = serde_json::to_string_pretty(&json!({ "value": list })).map_err(|e| PullError::write(&path, e))?;
        std::fs::write(&path, text + "\n").map_err(|e| PullError::write(&path, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn p13_records_are_block_yaml_with_quoted_strings() {
        let rec = Record {
            kind: Kind::TablePermission,
            id: "P1".into(),
            fields: vec![
                ("id".into(), json!("P1")),
                ("scope".into(), json!(756150001)),
                ("read".into(), json!(true)),
                ("parententitypermission".into(), Value::Null),
                ("entityname".into(), json!("Cases: \"mine\"\n")),
                ("entitypermission_webrole".into(), json!(["R1", "R2"])),
                ("x".into(), json!([])),
            ],
        };
        let text = yaml(&rec);
        assert_eq!(
            text,
            "id: \"P1\"\nscope: 756150001\nread: true\nparententitypermission: null\nentityname: \"Cases: \\\"mine\\\"\\n\"\nentitypermission_webrole:\n- \"R1\"\n- \"R2\"\nx: []\n"
        );
        let node = crate::load::yaml::parse(&text, "p.yml").unwrap();
        assert!(matches!(node.kind, crate::load::yaml::Kind::Map(ref m) if m.len() == 7));
        assert_eq!(file_id("../x y"), "___x_y");
    }
}
