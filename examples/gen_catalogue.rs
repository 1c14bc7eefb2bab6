//! Generates `data/relationships.json`, the catalogue of standard Dataverse
//! one-to-many relationships that folder tenants resolve when a table
//! permission names one that nothing declares (tenant-format.md).
//!
//! ```text
//! cargo run --example gen_catalogue -- <entities dir> [out file]
//! ```
//!
//! `<entities dir>` holds table pages of the Dataverse table reference
//! (MicrosoftDocs/powerapps-docs,
//! `powerapps-docs/developer/data-platform/reference/entities/<table>.md`).
//! A `COMMITS` file there (`<page> <commit>` a line) names the commit each
//! page was read at; the header of the output records it.
//!
//! Both layouts of the pages are read: the older one (a `## One-To-Many
//! Relationships` section whose entries give `ReferencingEntity` and
//! `ReferencingAttribute`, the page's table being the referenced one) and the
//! newer one (a `## Many-to-One relationships` section whose entries give
//! `ReferencedEntity` and `ReferencingAttribute`, the page's table being the
//! referencing one). Many-to-many relationships are skipped, and so are the
//! `activityid` links of an activity to its `activitypointer` row (not a
//! lookup a permission walks). Only relationships whose two tables are both
//! in [`TABLES`] are kept.

use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The tables portals use: the standard ones of Power Pages templates, the
/// activity tables, and every standard table that the relationships named
/// by `tests/fixtures` (`parentrelationship`, `contactrelationship`,
/// `accountrelationship`) join.
const TABLES: &[&str] = &[
    "account",
    "activitypointer",
    "adx_portalcomment",
    "annotation",
    "appointment",
    "contact",
    "email",
    "fax",
    "incident",
    "knowledgearticle",
    "letter",
    "phonecall",
    "socialactivity",
    "task",
];

const REPOSITORY: &str = "https://github.com/MicrosoftDocs/powerapps-docs";
const PATH: &str = "powerapps-docs/developer/data-platform/reference/entities";

/// One one-to-many relationship, as the library reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Entry {
    name: String,
    referencing: String,
    lookup: String,
    referenced: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Other,
    /// Entries give the referencing side; the page's table is referenced.
    OneToMany,
    /// Entries give the referenced side; the page's table is referencing.
    ManyToOne,
}

/// The one-to-many relationships that page `table` describes, both tables
/// in `keep`.
fn parse_page(table: &str, text: &str, keep: &[&str]) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut section = Section::Other;
    let mut current: Option<(String, BTreeMap<String, String>)> = None;
    let flush = |current: &mut Option<(String, BTreeMap<String, String>)>, section: Section, out: &mut Vec<Entry>| {
        let Some((name, props)) = current.take() else { return };
        let lookup = props.get("ReferencingAttribute").cloned().unwrap_or_default();
        let (referencing, referenced) = match section {
            Section::OneToMany => (props.get("ReferencingEntity").cloned().unwrap_or_default(), table.to_string()),
            Section::ManyToOne => (table.to_string(), props.get("ReferencedEntity").cloned().unwrap_or_default()),
            Section::Other => return,
        };
        if name.is_empty() || lookup.is_empty() || lookup == "activityid" || referencing.is_empty() || referenced.is_empty() {
            return;
        }
        if keep.contains(&referencing.as_str()) && keep.contains(&referenced.as_str()) {
            out.push(Entry { name, referencing, lookup, referenced });
        }
    };
    for line in text.lines() {
        let line = line.trim_end();
        if let Some(head) = line.strip_prefix("## ") {
            flush(&mut current, section, &mut out);
            let head = head.trim().to_ascii_lowercase();
            section = if head.starts_with("one-to-many relationships") {
                Section::OneToMany
            } else if head.starts_with("many-to-one relationships") {
                Section::ManyToOne
            } else {
                Section::Other
            };
        } else if let Some(head) = line.strip_prefix("### ") {
            flush(&mut current, section, &mut out);
            if section != Section::Other {
                let name = head.rsplit("</a>").next().unwrap_or(head).trim();
                if !name.is_empty() && !name.eq_ignore_ascii_case("see also") {
                    current = Some((name.to_string(), BTreeMap::new()));
                }
            }
        } else if let Some((_, props)) = current.as_mut() {
            let cells: Vec<&str> = line.split('|').map(|c| c.trim().trim_matches('`').trim()).collect();
            if cells.len() >= 4 && cells[0].is_empty() {
                props.insert(cells[1].to_string(), cells[2].to_string());
            }
        }
    }
    flush(&mut current, section, &mut out);
    out
}

/// Merges the entries of every page: one per name (a relationship is
/// described on both of its tables' pages), sorted by name without regard
/// to case; two different shapes under one name are an error.
fn merge(pages: Vec<Vec<Entry>>) -> Result<Vec<Entry>, String> {
    let mut by_name: BTreeMap<String, Entry> = BTreeMap::new();
    for e in pages.into_iter().flatten() {
        let key = e.name.to_ascii_lowercase();
        match by_name.get(&key) {
            Some(old) if old != &e => return Err(format!("`{}` has two shapes: {old:?} and {e:?}", e.name)),
            Some(_) => {}
            None => {
                by_name.insert(key, e);
            }
        }
    }
    Ok(by_name.into_values().collect())
}

fn run(dir: &Path, out: &Path) -> Result<usize, String> {
    let commits: BTreeMap<String, String> = std::fs::read_to_string(dir.join("COMMITS"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(p, c)| (p.trim().to_string(), c.trim().to_string())))
        .collect();
    let mut pages = Vec::new();
    let mut read = Vec::new();
    for table in TABLES {
        let page = format!("{table}.md");
        let Ok(text) = std::fs::read_to_string(dir.join(&page)) else { continue };
        pages.push(parse_page(table, &text, TABLES));
        let commit = commits.get(&page).cloned().unwrap_or_else(|| "unknown".to_string());
        read.push(serde_json::json!({"page": page, "commit": commit}));
    }
    let entries = merge(pages)?;
    let header = serde_json::json!({
        "repository": REPOSITORY,
        "path": PATH,
        "pages": read,
        "tables": TABLES,
        "generator": "examples/gen_catalogue.rs",
        "note": "one-to-many relationships between the tables listed, from the pages listed; regenerate with `cargo run --example gen_catalogue -- <entities dir>`"
    });
    let mut text = String::from("{\n  \"source\": ");
    let pretty = serde_json::to_string_pretty(&header).map_err(|e| e.to_string())?;
    text.push_str(&pretty.replace('\n', "\n  "));
    text.push_str(",\n  \"relationships\": [\n");
    for (i, e) in entries.iter().enumerate() {
        let line = serde_json::to_string(e).map_err(|e| e.to_string())?;
        text.push_str("    ");
        text.push_str(&line);
        text.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
    }
    text.push_str("  ]\n}\n");
    std::fs::write(out, text).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(entries.len())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_catalogue <entities dir> [out file (default data/relationships.json)]");
        std::process::exit(2);
    };
    let out = args.get(1).map(String::as_str).unwrap_or("data/relationships.json");
    match run(Path::new(dir), Path::new(out)) {
        Ok(n) => println!("{n} relationships written to {out}"),
        Err(e) => {
            eprintln!("gen_catalogue: {e}");
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "## Writable columns/attributes\n\n### <a name=\"BKMK_ObjectId\"></a> ObjectId\n\n|Property|Value|\n|---|---|\n|LogicalName|`objectid`|\n\n## Many-to-One relationships\n\n- [Contact_Annotation](#BKMK_Contact_Annotation)\n\n### <a name=\"BKMK_Contact_Annotation\"></a> Contact_Annotation\n\nOne-To-Many Relationship: [contact Contact_Annotation](contact.md#BKMK_Contact_Annotation)\n\n|Property|Value|\n|---|---|\n|ReferencedEntity|`contact`|\n|ReferencedAttribute|`contactid`|\n|ReferencingAttribute|`objectid`|\n\n### <a name=\"BKMK_team_annotations\"></a> team_annotations\n\n|Property|Value|\n|---|---|\n|ReferencedEntity|`team`|\n|ReferencingAttribute|`owningteam`|\n\n## One-to-Many relationships\n\n### <a name=\"BKMK_Annotation_AsyncOperations\"></a> Annotation_AsyncOperations\n\n|Property|Value|\n|---|---|\n|ReferencingEntity|`asyncoperation`|\n|ReferencingAttribute|`regardingobjectid`|\n\n### See also\n";

    const OLD: &str = "<a name=\"onetomany\"></a>\n\n## One-To-Many Relationships\n\n### <a name=\"BKMK_Account_Tasks\"></a> Account_Tasks\n\nSame as the [Account_Tasks](task.md#BKMK_Account_Tasks) many-to-one relationship for the [task](task.md) table/entity.\n\n|Property|Value|\n|--------|-----|\n|ReferencingEntity|task|\n|ReferencingAttribute|regardingobjectid|\n|IsHierarchical|False|\n\n### <a name=\"BKMK_activity_pointer_task\"></a> activity_pointer_task\n\n|Property|Value|\n|--------|-----|\n|ReferencingEntity|task|\n|ReferencingAttribute|activityid|\n\n<a name=\"manytoone\"></a>\n\n## Many-To-One Relationships\n\n### <a name=\"BKMK_account_primary_contact\"></a> account_primary_contact\n\nSee the [account_primary_contact](contact.md#BKMK_account_primary_contact) one-to-many relationship for the [contact](contact.md) table/entity.\n\n## Many-To-Many Relationships\n\n### <a name=\"BKMK_x\"></a> accountleads_association\n\n|Property|Value|\n|--------|-----|\n|IntersectEntityName|accountleads|\n";

    fn e(name: &str, referencing: &str, lookup: &str, referenced: &str) -> Entry {
        Entry { name: name.into(), referencing: referencing.into(), lookup: lookup.into(), referenced: referenced.into() }
    }

    #[test]
    fn new_layout_many_to_one_entries_of_kept_tables() {
        assert_eq!(parse_page("annotation", NEW, TABLES), vec![e("Contact_Annotation", "annotation", "objectid", "contact")]);
    }

    #[test]
    fn old_layout_one_to_many_entries_skip_activityid_and_other_sections() {
        assert_eq!(parse_page("account", OLD, TABLES), vec![e("Account_Tasks", "task", "regardingobjectid", "account")]);
    }

    #[test]
    fn merge_keeps_one_entry_a_name_and_rejects_two_shapes() {
        let a = e("Contact_Annotation", "annotation", "objectid", "contact");
        let b = e("account_primary_contact", "account", "primarycontactid", "contact");
        assert_eq!(merge(vec![vec![a.clone(), b.clone()], vec![a.clone()]]), Ok(vec![b, a.clone()]));
        let c = e("Contact_Annotation", "annotation", "regardingobjectid", "contact");
        assert!(merge(vec![vec![a], vec![c]]).is_err());
    }
}
