//! Relationship metadata as Dataverse exports it (tenant-format.md,
//! "Relationship metadata"): a tenant folder's `metadata/`, and the
//! `customizations.xml` of a solution site.
//!
//! Two forms are read: solution XML (`EntityRelationship` elements, in an
//! extracted solution's `customizations.xml` or an unpacked one's
//! `Other/Relationships/*.xml`; the bare `<EntityRelationship Name="..."/>`
//! of `Other/Relationships.xml` are an index and name nothing new), and Web
//! API metadata JSON (`RelationshipDefinitions`, or `EntityDefinitions`
//! expanded with their `OneToManyRelationships`, `ManyToOneRelationships`
//! and `ManyToManyRelationships`; one object or a `{"value": [...]}`
//! collection). Names stay as written (schema names); table and column
//! names become logical names (lower case). The same relationship met
//! twice (a relationship is listed under both of its tables) is read once;
//! two different definitions under one name fail the load with both places.

use super::files::{display, read_error};
use super::raw::RawRelationship;
use super::xml::{self, Element};
use super::yaml::{self, Kind, Node};
use crate::error::LoadError;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Deepest folder level searched under `metadata/`.
const MAX_FOLDER_DEPTH: usize = 8;

/// One relationship read from metadata, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The relationship in the native form.
    pub relationship: RawRelationship,
    /// The file it was read from.
    pub file: String,
    /// Its line there.
    pub line: usize,
}

/// The relationships of every metadata file under `dir` (searched in
/// name order, `.xml` and `.json` files), plus `extra` files (a solution's
/// `customizations.xml`), each read once.
pub fn read_dir(dir: &Path, extra: &[PathBuf], inputs: &mut Vec<PathBuf>) -> Result<Vec<Found>, LoadError> {
    let mut files = extra.to_vec();
    if dir.is_dir() {
        walk(dir, 0, &mut files)?;
    }
    let mut all = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
        let file = display(&path);
        inputs.push(path.clone());
        let is_json = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            from_json(&text, &file, &mut all)?;
        } else {
            from_xml(&xml::parse(&text, &file)?, &file, &mut all)?;
        }
    }
    dedup(all)
}

/// The entity sets of the tables a solution's `customizations.xml` defines
/// (`<entity Name="..."><EntitySetName>...`): `(set, table)`, the table's
/// logical name in lower case (surfaces.md R12).
pub fn entity_sets(files: &[PathBuf]) -> Result<Vec<(String, String)>, LoadError> {
    let mut out = Vec::new();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"))) {
        let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
        let root = xml::parse(&text, &display(path))?;
        let mut entities = Vec::new();
        root.find_all("entity", &mut entities);
        for e in entities {
            if let (Some(table), Some(set)) = (e.attr("Name"), e.child_text("EntitySetName")) {
                if !set.trim().is_empty() {
                    out.push((set.trim().to_string(), table.to_ascii_lowercase()));
                }
            }
        }
    }
    Ok(out)
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| read_error(dir, e))? {
        entries.push(entry.map_err(|e| read_error(dir, e))?.path());
    }
    entries.sort();
    for path in entries {
        let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase());
        if path.is_dir() && depth < MAX_FOLDER_DEPTH {
            walk(&path, depth + 1, out)?;
        } else if path.is_file() && matches!(ext.as_deref(), Some("xml" | "json")) {
            out.push(path);
        }
    }
    Ok(())
}

/// One relationship per name: the first of identical definitions; two
/// different ones are an error naming both places.
fn dedup(all: Vec<Found>) -> Result<Vec<Found>, LoadError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Found> = Vec::new();
    for f in all {
        match seen.get(&f.relationship.name) {
            Some(&i) if out[i].relationship == f.relationship => {}
            Some(&i) => {
                let first = &out[i];
                return Err(LoadError::Invalid {
                    file: f.file.clone(),
                    place: format!("line {}", f.line),
                    message: format!(
                        "relationship `{}` is defined differently in `{}` line {}",
                        f.relationship.name, first.file, first.line
                    ),
                });
            }
            None => {
                seen.insert(f.relationship.name.clone(), out.len());
                out.push(f);
            }
        }
    }
    Ok(out)
}

fn bad(file: &str, place: String, message: impl Into<String>) -> LoadError {
    LoadError::Invalid { file: file.to_string(), place, message: message.into() }
}

// -------------------------------------------------------------------- XML

/// The `EntityRelationship` elements of one solution XML document.
pub fn from_xml(root: &Element, file: &str, out: &mut Vec<Found>) -> Result<(), LoadError> {
    let mut found = Vec::new();
    root.find_all("EntityRelationship", &mut found);
    for e in found {
        // `Other/Relationships.xml` lists names only: an index, not a definition.
        if e.children.is_empty() {
            continue;
        }
        out.push(Found { relationship: xml_relationship(e, file)?, file: file.to_string(), line: e.line });
    }
    Ok(())
}

fn xml_relationship(e: &Element, file: &str) -> Result<RawRelationship, LoadError> {
    let at = |el: &Element| format!("line {} (`{}`)", el.line, el.name);
    let name = match e.attr("Name").map(str::trim) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => return Err(bad(file, at(e), "an `EntityRelationship` needs a `Name`")),
    };
    let need = |child: &str| -> Result<String, LoadError> {
        e.child_text(child)
            .map(str::to_ascii_lowercase)
            .ok_or_else(|| bad(file, at(e), format!("relationship `{name}` has no `{child}`")))
    };
    let kind = e.child("EntityRelationshipType").map(|k| (k.text.trim(), k));
    match kind {
        Some(("OneToMany", _)) => Ok(one_to_many(
            name.clone(),
            need("ReferencingEntityName")?,
            need("ReferencingAttributeName")?,
            need("ReferencedEntityName")?,
        )),
        Some(("ManyToMany", _)) => Ok(many_to_many(
            name.clone(),
            [need("FirstEntityName")?, need("SecondEntityName")?],
            e.child_text("IntersectEntityName").map(str::to_ascii_lowercase),
            None,
        )),
        Some((other, k)) => Err(bad(
            file,
            at(k),
            format!("relationship `{name}`: unknown `EntityRelationshipType` `{other}` (expected `OneToMany` or `ManyToMany`)"),
        )),
        None => Err(bad(file, at(e), format!("relationship `{name}` has no `EntityRelationshipType`"))),
    }
}

fn one_to_many(name: String, referencing: String, lookup: String, referenced: String) -> RawRelationship {
    RawRelationship {
        name,
        kind: Some("one_to_many".to_string()),
        referencing: Some(referencing),
        lookup: Some(lookup),
        referenced: Some(referenced),
        ..RawRelationship::default()
    }
}

fn many_to_many(name: String, tables: [String; 2], intersect: Option<String>, columns: Option<[String; 2]>) -> RawRelationship {
    RawRelationship {
        name,
        kind: Some("many_to_many".to_string()),
        tables: Some(tables.to_vec()),
        intersect,
        columns: columns.map(|c| c.to_vec()),
        ..RawRelationship::default()
    }
}

// ------------------------------------------------------------------- JSON

/// A JSON document as a tree with lines: checked by the JSON parser first
/// (so a syntax error reads as one), then read with the line-keeping YAML
/// reader (JSON is YAML); a document that reader cannot take is read
/// without lines (every node on line `1 + offset`). `offset` is added to
/// every line, for JSON inside another file.
pub fn json_tree(text: &str, file: &str, offset: usize) -> Result<Node, LoadError> {
    let value: Value = crate::load::native::parse_json(text, file).map_err(|e| match e {
        LoadError::Syntax { file, line, column, message } => LoadError::Syntax { file, line: line + offset, column, message },
        other => other,
    })?;
    match yaml::parse(text, file) {
        Ok(mut node) => {
            shift(&mut node, offset);
            Ok(node)
        }
        Err(_) => Ok(from_value(&value, 1 + offset)),
    }
}

fn shift(node: &mut Node, offset: usize) {
    node.line += offset;
    match &mut node.kind {
        Kind::Seq(items) => items.iter_mut().for_each(|n| shift(n, offset)),
        Kind::Map(entries) => entries.iter_mut().for_each(|(_, l, n)| {
            *l += offset;
            shift(n, offset)
        }),
        Kind::Scalar { .. } => {}
    }
}

fn from_value(v: &Value, line: usize) -> Node {
    let kind = match v {
        Value::Array(items) => Kind::Seq(items.iter().map(|x| from_value(x, line)).collect()),
        Value::Object(m) => Kind::Map(m.iter().map(|(k, x)| (k.clone(), line, from_value(x, line))).collect()),
        Value::String(s) => Kind::Scalar { value: v.clone(), text: s.clone() },
        other => Kind::Scalar { value: other.clone(), text: other.to_string() },
    };
    Node { line, kind }
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        Kind::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, n)| n),
        _ => None,
    }
}

fn text_of(node: &Node, key: &str) -> Option<String> {
    get(node, key).and_then(|n| n.string().ok().flatten())
}

/// The relationships of one Web API metadata document.
pub fn from_json(text: &str, file: &str, out: &mut Vec<Found>) -> Result<(), LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = json_tree(text, file, 0)?;
    match get(&root, "value") {
        Some(Node { kind: Kind::Seq(items), .. }) => {
            for (i, item) in items.iter().enumerate() {
                json_item(item, &format!("value[{i}]"), file, out)?;
            }
            Ok(())
        }
        Some(other) => Err(bad(file, format!("line {} (`value`)", other.line), "expected an array of definitions")),
        None if matches!(root.kind, Kind::Map(_)) => json_item(&root, "", file, out),
        None => Err(bad(file, format!("line {}", root.line), "expected a Web API metadata object or `{\"value\": [...]}` collection")),
    }
}

const ENTITY_LISTS: &[&str] = &["OneToManyRelationships", "ManyToOneRelationships", "ManyToManyRelationships"];

/// A table definition (its relationship lists) or one relationship.
fn json_item(node: &Node, path: &str, file: &str, out: &mut Vec<Found>) -> Result<(), LoadError> {
    let place = |n: &Node, p: &str| if p.is_empty() { format!("line {}", n.line) } else { format!("line {} (`{p}`)", n.line) };
    if !matches!(node.kind, Kind::Map(_)) {
        return Err(bad(file, place(node, path), "expected a relationship or table definition object"));
    }
    let lists: Vec<(&str, &Node)> = ENTITY_LISTS.iter().filter_map(|k| get(node, k).map(|n| (*k, n))).collect();
    if !lists.is_empty() {
        for (key, list) in lists {
            let sub = if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
            let Kind::Seq(items) = &list.kind else {
                return Err(bad(file, place(list, &sub), "expected an array of relationships"));
            };
            for (i, item) in items.iter().enumerate() {
                json_item(item, &format!("{sub}[{i}]"), file, out)?;
            }
        }
        return Ok(());
    }
    let relationship = json_relationship(node, path, file)?;
    out.push(Found { relationship, file: file.to_string(), line: node.line });
    Ok(())
}

fn json_relationship(node: &Node, path: &str, file: &str) -> Result<RawRelationship, LoadError> {
    let place = if path.is_empty() { format!("line {}", node.line) } else { format!("line {} (`{path}`)", node.line) };
    let Some(name) = text_of(node, "SchemaName") else {
        return Err(bad(
            file,
            place,
            "expected a relationship (`SchemaName` with `ReferencingEntity` or `Entity1LogicalName`) or a table definition with its relationships",
        ));
    };
    let need = |key: &str| {
        text_of(node, key)
            .map(|s| s.to_ascii_lowercase())
            .ok_or_else(|| bad(file, place.clone(), format!("relationship `{name}` has no `{key}`")))
    };
    let odata = text_of(node, "@odata.type").unwrap_or_default();
    let kind = text_of(node, "RelationshipType").unwrap_or_default();
    let many = odata.contains("ManyToMany") || kind == "ManyToManyRelationship" || get(node, "Entity1LogicalName").is_some();
    if many {
        let columns = match (text_of(node, "Entity1IntersectAttribute"), text_of(node, "Entity2IntersectAttribute")) {
            (Some(a), Some(b)) => Some([a.to_ascii_lowercase(), b.to_ascii_lowercase()]),
            _ => None,
        };
        let tables = [need("Entity1LogicalName")?, need("Entity2LogicalName")?];
        let intersect = text_of(node, "IntersectEntityName").map(|s| s.to_ascii_lowercase());
        return Ok(many_to_many(name.clone(), tables, intersect, columns));
    }
    Ok(one_to_many(name.clone(), need("ReferencingEntity")?, need("ReferencingAttribute")?, need("ReferencedEntity")?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn xml_rels(text: &str) -> Result<Vec<Found>, LoadError> {
        let mut out = Vec::new();
        from_xml(&xml::parse(text, "r.xml")?, "r.xml", &mut out)?;
        Ok(out)
    }

    #[test]
    fn solution_xml_reads_logical_names_and_skips_the_index() {
        let text = "<EntityRelationships>\n  <EntityRelationship Name=\"idx_only\" />\n  <EntityRelationship Name=\"new_Contact_Thing\">\n    <EntityRelationshipType>OneToMany</EntityRelationshipType>\n    <ReferencingEntityName>new_Thing</ReferencingEntityName>\n    <ReferencedEntityName>Contact</ReferencedEntityName>\n    <ReferencingAttributeName>new_ContactId</ReferencingAttributeName>\n  </EntityRelationship>\n  <EntityRelationship Name=\"new_a_b\">\n    <EntityRelationshipType>ManyToMany</EntityRelationshipType>\n    <FirstEntityName>new_A</FirstEntityName>\n    <SecondEntityName>new_B</SecondEntityName>\n    <IntersectEntityName>new_a_b</IntersectEntityName>\n  </EntityRelationship>\n</EntityRelationships>\n";
        let rels = xml_rels(text).unwrap();
        assert_eq!(rels.len(), 2);
        assert_eq!(rels[0].relationship, one_to_many("new_Contact_Thing".into(), "new_thing".into(), "new_contactid".into(), "contact".into()));
        assert_eq!(rels[0].line, 3);
        assert_eq!(rels[1].relationship.tables.as_deref(), Some(&["new_a".to_string(), "new_b".to_string()][..]));
        assert_eq!(rels[1].relationship.intersect.as_deref(), Some("new_a_b"));
    }

    #[test]
    fn solution_xml_errors_name_the_line() {
        let e = xml_rels("<r>\n<EntityRelationship Name=\"x\">\n<EntityRelationshipType>OneToMany</EntityRelationshipType>\n</EntityRelationship></r>").unwrap_err();
        assert_eq!(e.to_string(), "r.xml: at line 2 (`EntityRelationship`): relationship `x` has no `ReferencingEntityName`");
        let e = xml_rels("<r>\n<EntityRelationship Name=\"x\">\n<EntityRelationshipType>Sideways</EntityRelationshipType>\n</EntityRelationship></r>").unwrap_err();
        assert!(e.to_string().starts_with("r.xml: at line 3 (`EntityRelationshipType`)"), "{e}");
    }

    #[test]
    fn web_api_json_definitions_and_entities() {
        let text = "{\n \"value\": [\n  {\"@odata.type\": \"#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata\",\n   \"SchemaName\": \"new_Contact_Thing\", \"ReferencingEntity\": \"new_thing\",\n   \"ReferencingAttribute\": \"new_contactid\", \"ReferencedEntity\": \"contact\"},\n  {\"LogicalName\": \"new_a\", \"ManyToManyRelationships\": [\n    {\"SchemaName\": \"new_a_b\", \"Entity1LogicalName\": \"new_a\", \"Entity2LogicalName\": \"new_b\",\n     \"IntersectEntityName\": \"new_a_b\", \"Entity1IntersectAttribute\": \"new_aid\", \"Entity2IntersectAttribute\": \"new_bid\"}]}\n ]\n}\n";
        let mut out = Vec::new();
        from_json(text, "m.json", &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].relationship, one_to_many("new_Contact_Thing".into(), "new_thing".into(), "new_contactid".into(), "contact".into()));
        assert_eq!(out[0].line, 3);
        assert_eq!(out[1].relationship.columns.as_deref(), Some(&["new_aid".to_string(), "new_bid".to_string()][..]));
        let e = from_json("{\"value\": [\n{\"SchemaName\": \"x\", \"ReferencingEntity\": \"a\"}]}", "m.json", &mut Vec::new()).unwrap_err();
        assert_eq!(e.to_string(), "m.json: at line 2 (`value[0]`): relationship `x` has no `ReferencingAttribute`");
        let e = from_json("{\"value\": [\n{\"SchemaName\": \"x\",]}", "m.json", &mut Vec::new()).unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 2, .. }), "{e}");
    }

    #[test]
    fn one_name_two_definitions_is_an_error() {
        let a = Found { relationship: one_to_many("r".into(), "a".into(), "c".into(), "b".into()), file: "x.xml".into(), line: 3 };
        let mut b = a.clone();
        b.file = "y.json".into();
        assert_eq!(dedup(vec![a.clone(), b.clone()]).unwrap().len(), 1);
        b.relationship.referenced = Some("z".into());
        let e = dedup(vec![a, b]).unwrap_err();
        assert_eq!(e.to_string(), "y.json: at line 3: relationship `r` is defined differently in `x.xml` line 3");
    }
}
