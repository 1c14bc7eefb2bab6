//! Sites as Dataverse solutions (tenant-format "Solutions") and relationship
//! metadata (tenant-format "Relationship metadata"), on real files:
//! Microsoft's two published sample solutions in `tests/fixtures/solutions/`
//! (site, `customizations.xml` relationships, seed rows), an unpacked
//! solution's `Other/Relationships` in `tests/fixtures/unpacked/`, and Web
//! API metadata JSON in `tests/fixtures/webapi-metadata/`.
//!
//! The seed rows are in the samples' own wrapper; `data/` of each tenant
//! folder is those rows as Web API pages, made by
//! [`committed_pages_are_the_seed_rows_converted`] (run it with
//! `UPDATE_SEED_PAGES=1` to write them again). Expected answers are
//! computed from the seed rows here, independently of the engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod folder_support;

use folder_support::{bin, pairs, repo, with_id};
use portal_access::answer::lint;
use portal_access::load::metadata;
use portal_access::load::raw::RawRelationship;
use portal_access::model::{RelKind, Scope};
use portal_access::Analysis;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const SUPPLIER: &str = "tests/fixtures/solutions/supplier-invoice-portal";
const PORTAL_311: &str = "tests/fixtures/solutions/311-portal";
const AMY: &str = "60a29644-9d11-f111-8406-000d3a5bf33c";
const BOB: &str = "af95fa50-9d11-f111-8406-000d3a36e41e";
/// `Invoice - Contact Scope`: Contact scope through `spnvc_contact_invoice_submitter`, Authenticated Users.
const INVOICE_CONTACT_SCOPE: &str = "99689ef3-c7a1-4b92-b600-1e508a5092d7";
/// The `Reviewer` web role: Global read on invoices; no contact holds it in the seed rows.
const REVIEWER_ROLE: &str = "c8031dd9-b8d4-435a-87df-3b90748d2fc4";

fn seed(dir: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo(dir).join("seed-data/data.json")).unwrap()).unwrap()
}

/// The relationships of a solution's `customizations.xml`.
fn solution_relationships(dir: &str) -> Vec<RawRelationship> {
    let xml = repo(dir).join("site/customizations.xml");
    metadata::read_dir(Path::new("/nonexistent"), &[xml], &mut Vec::new())
        .unwrap()
        .into_iter()
        .map(|f| f.relationship)
        .collect()
}

/// The seed rows of one sample as Web API pages, one per table: records as
/// they are, except the 311 sample's own lookup keys (`categoryId`), which
/// become the Web API lookup `_spa311_categoryid_value` (the lookup of the
/// table's relationship whose column is the publisher prefix and the key),
/// annotated with the table it names.
fn seed_pages(dir: &str) -> BTreeMap<String, Value> {
    let rels = solution_relationships(dir);
    let seed = seed(dir);
    let mut pages = BTreeMap::new();
    for (_, table) in seed["tables"].as_object().unwrap() {
        let name = table["logicalName"].as_str().unwrap();
        let prefix = name.split('_').next().unwrap();
        let mut rows = Vec::new();
        for record in table["records"].as_array().unwrap() {
            let mut row = Map::new();
            for (k, v) in record.as_object().unwrap() {
                let own_key = k.chars().any(|c| c.is_ascii_uppercase()) && !k.contains('@') && !k.starts_with('_');
                if !own_key {
                    row.insert(k.clone(), v.clone());
                    continue;
                }
                let column = format!("{prefix}_{}", k.to_ascii_lowercase());
                let rel = rels
                    .iter()
                    .find(|r| r.referencing.as_deref() == Some(name) && r.lookup.as_deref() == Some(column.as_str()))
                    .unwrap_or_else(|| panic!("{dir}: no relationship for `{k}` of `{name}`"));
                row.insert(format!("_{column}_value"), v.clone());
                row.insert(
                    format!("_{column}_value@Microsoft.Dynamics.CRM.lookuplogicalname"),
                    json!(rel.referenced.as_deref().unwrap()),
                );
            }
            rows.push(Value::Object(row));
        }
        pages.insert(format!("{name}.json"), json!({ "value": rows }));
    }
    pages
}

#[test]
fn committed_pages_are_the_seed_rows_converted() {
    for dir in [SUPPLIER, PORTAL_311] {
        let data = repo(dir).join("data");
        for (file, page) in seed_pages(dir) {
            let text = serde_json::to_string_pretty(&page).unwrap() + "\n";
            if std::env::var_os("UPDATE_SEED_PAGES").is_some() {
                std::fs::create_dir_all(&data).unwrap();
                std::fs::write(data.join(&file), &text).unwrap();
            }
            let committed = std::fs::read_to_string(data.join(&file)).unwrap_or_default();
            assert_eq!(committed, text, "{dir}/data/{file} differs from the seed rows converted (UPDATE_SEED_PAGES=1 writes it)");
        }
    }
}

/// Ids of the seed rows of `table` whose `column` is `value`.
fn seed_ids(dir: &str, table: &str, column: &str, value: &str) -> Vec<String> {
    let seed = seed(dir);
    let t = seed["tables"].as_object().unwrap().values().find(|t| t["logicalName"] == table).unwrap();
    let id = t["idColumn"].as_str().unwrap();
    let mut out: Vec<String> = t["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| column.is_empty() || r[column] == value)
        .map(|r| format!("{table}:{}", r[id].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn supplier_portal_loads_site_relationships_and_rows() {
    let t = portal_access::model::load(&repo(SUPPLIER)).unwrap();
    let mut roles: Vec<&str> = t.roles.iter().map(|r| r.name.as_str()).collect();
    roles.sort();
    assert_eq!(roles, ["Administrators", "Anonymous Users", "Authenticated Users", "Reviewer", "Supplier"]);
    assert_eq!(t.permissions.len(), 13, "the 13 table permission records (type 18); website access (12) is not a permission");
    let p = &t.permissions[t.perm_id(INVOICE_CONTACT_SCOPE).unwrap() as usize];
    assert_eq!((p.name.as_str(), p.scope), ("Invoice - Contact Scope", Scope::Contact));
    // The relationship comes from customizations.xml, with logical names.
    let rel = p.scope_relationship().unwrap();
    let id = rel.id.expect("spnvc_contact_invoice_submitter is known from customizations.xml");
    match &t.relationships[id as usize].kind {
        RelKind::OneToMany { referencing, lookup, referenced } => {
            assert_eq!(t.tables[*referencing as usize].name, "spnvc_invoice");
            assert_eq!(lookup, "spnvc_contactid");
            assert_eq!(t.tables[*referenced as usize].name, "contact");
        }
        other => panic!("{other:?}"),
    }
    // The permission's origin is its record, at the line of its scope.
    let o = p.origin.as_ref().unwrap();
    assert!(o.file.ends_with("99689ef3-c7a1-4b92-b600-1e508a5092d7/powerpagecomponent.xml"), "{}", o.file);
    let scope_line = o.fields.iter().find(|f| f.0 == "scope").map(|f| f.1);
    assert_eq!(scope_line, Some(11));
    assert_eq!(t.contacts().len(), 2);
}

#[test]
fn supplier_portal_answers_can_who_what() {
    let a = Analysis::load(&repo(SUPPLIER)).unwrap();
    // Amy reads the invoices she submitted, through the authenticated users' Contact scope.
    let amys = seed_ids(SUPPLIER, "spnvc_invoice", "_spnvc_contactid_value", AMY);
    assert_eq!(amys.len(), 3);
    let what = a.what(AMY, "read", Some("spnvc_invoice")).unwrap();
    assert_eq!(what.rows.as_deref(), Some(&amys[..]));
    let can = a.can(AMY, "read", &amys[0]).unwrap();
    assert!(can.allowed);
    assert_eq!(can.via, vec![INVOICE_CONTACT_SCOPE.to_string()]);
    // Bob submitted none: he reads no invoice, and may not read Amy's.
    assert_eq!(a.what(BOB, "read", Some("spnvc_invoice")).unwrap().rows.as_deref(), Some(&[][..]));
    assert!(!a.can(BOB, "read", &amys[0]).unwrap().allowed);
    assert!(!a.can("anonymous", "read", &amys[0]).unwrap().allowed);
    let who = a.who("read", &amys[0]).unwrap();
    assert_eq!((who.anonymous, who.contacts.clone()), (false, vec![AMY.to_string()]));
    // Every signed-in contact reads every purchase order and every contact (Global).
    let pos = seed_ids(SUPPLIER, "spnvc_purchaseorder", "", "");
    assert_eq!(a.what(BOB, "read", Some("spnvc_purchaseorder")).unwrap().rows.as_deref(), Some(&pos[..]));
    let who = a.who("read", &pos[0]).unwrap();
    assert_eq!(who.contacts, vec![AMY.to_string(), BOB.to_string()]);
    // Create in a table: Amy may submit invoices, the anonymous visitor may not.
    assert!(a.can(AMY, "create", "spnvc_invoice").unwrap().allowed);
    assert!(!a.can("anonymous", "create", "spnvc_invoice").unwrap().allowed);

    // Made a Reviewer, Bob reads every invoice (Global).
    let mut folder = portal_access::load::site::read(&repo(SUPPLIER)).unwrap();
    std::sync::Arc::make_mut(&mut folder.raw.role_members).contacts.push((BOB.to_string(), REVIEWER_ROLE.to_string()));
    let reviewer = Analysis::new(portal_access::model::build_folder(&folder).unwrap());
    let all = seed_ids(SUPPLIER, "spnvc_invoice", "", "");
    assert_eq!(all.len(), 15);
    assert_eq!(reviewer.what(BOB, "read", Some("spnvc_invoice")).unwrap().rows.as_deref(), Some(&all[..]));
}

#[test]
fn supplier_portal_lint_knows_its_relationships() {
    let report = lint::load(&repo(SUPPLIER)).unwrap().report();
    assert!(with_id(&report.findings, "PP016").is_empty(), "{}", report.text());
    // `Contact - Read`: Global read on contact for every signed-in contact.
    assert!(pairs(&report.findings).contains(&("PP002".to_string(), "8ffb8cc4-2d4e-4b09-ad60-1f9026a88230".to_string())), "{}", report.text());

    // Without customizations.xml the Contact scopes name unknown relationships.
    let dir = copy_tree(&repo(SUPPLIER), &["site/customizations.xml"]);
    let report = lint::load(dir.path()).unwrap().report();
    let pp016: BTreeSet<String> = with_id(&report.findings, "PP016").iter().map(|f| f.subject.clone()).collect();
    assert!(pp016.contains(INVOICE_CONTACT_SCOPE), "{}", report.text());
    assert_eq!(pp016.len(), 6, "{}", report.text());
}

#[test]
fn portal_311_answers_for_the_anonymous_visitor() {
    let a = Analysis::load(&repo(PORTAL_311)).unwrap();
    let t = &a.tenant;
    assert_eq!(t.roles.len(), 3);
    assert_eq!(t.contacts().len(), 0, "the seed package holds no contacts");
    let categories = seed_ids(PORTAL_311, "spa311_category", "", "");
    assert_eq!(a.what("anonymous", "read", Some("spa311_category")).unwrap().rows.as_deref(), Some(&categories[..]));
    let types = seed_ids(PORTAL_311, "spa311_servicetype", "", "");
    assert_eq!(a.what("anonymous", "read", Some("spa311_servicetype")).unwrap().rows.as_deref(), Some(&types[..]));
    // Service requests are open only to Authenticated Users and Administrators.
    let requests = seed_ids(PORTAL_311, "spa311_servicerequest", "", "");
    let who = a.who("read", &requests[0]).unwrap();
    assert!(!who.anonymous && who.contacts.is_empty());
    assert!(!a.can("anonymous", "read", &requests[0]).unwrap().allowed);
    // The seed's own `categoryId` became a lookup the metadata knows.
    let x = a.row(&types[0]).unwrap();
    assert!(t.links.iter().any(|&(_, from, _)| from == x), "service type rows link to their categories");
}

/// A copy of `src` in a temporary folder, without the files in `leave_out`.
fn copy_tree(src: &Path, leave_out: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_into(src, dir.path(), leave_out);
    dir
}

fn copy_into(src: &Path, dst: &Path, leave_out: &[&str]) {
    let mut stack = vec![PathBuf::new()];
    std::fs::create_dir_all(dst).unwrap();
    while let Some(rel) = stack.pop() {
        for entry in std::fs::read_dir(src.join(&rel)).unwrap() {
            let entry = entry.unwrap();
            let r = rel.join(entry.file_name());
            if leave_out.iter().any(|l| Path::new(l) == r) {
                continue;
            }
            if entry.path().is_dir() {
                std::fs::create_dir_all(dst.join(&r)).unwrap();
                stack.push(r);
            } else {
                std::fs::copy(entry.path(), dst.join(&r)).unwrap();
            }
        }
    }
}

fn grant_lines(a: &Analysis) -> Vec<String> {
    let mut out = Vec::new();
    a.for_each_grant(None, |g| {
        out.push(serde_json::to_string(g).unwrap());
        Ok::<(), std::io::Error>(())
    })
    .unwrap()
    .unwrap();
    out
}

#[test]
fn web_api_metadata_json_gives_what_customizations_xml_gives() {
    // The site without its customizations.xml, and the same relationships as
    // Web API RelationshipDefinitions in metadata/.
    let dir = copy_tree(&repo(SUPPLIER), &["site/customizations.xml"]);
    let meta = dir.path().join("metadata");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::copy(
        repo("tests/fixtures/webapi-metadata/supplier-invoice-RelationshipDefinitions.json"),
        meta.join("RelationshipDefinitions.json"),
    )
    .unwrap();
    let from_json = Analysis::load(dir.path()).unwrap();
    let from_xml = Analysis::load(&repo(SUPPLIER)).unwrap();
    assert_eq!(grant_lines(&from_json), grant_lines(&from_xml));
    let report = lint::load(dir.path()).unwrap().report();
    assert!(with_id(&report.findings, "PP016").is_empty(), "{}", report.text());

    // The 311 service type's EntityDefinitions, expanded: the same three relationships as the XML.
    let mut found = Vec::new();
    let text = std::fs::read_to_string(repo("tests/fixtures/webapi-metadata/311-servicetype-EntityDefinitions.json")).unwrap();
    metadata::from_json(&text, "e.json", &mut found).unwrap();
    let xml = solution_relationships(PORTAL_311);
    assert_eq!(found.len(), 3);
    for f in &found {
        let same = xml.iter().find(|r| r.name == f.relationship.name).unwrap();
        assert_eq!((&same.referencing, &same.lookup, &same.referenced, &same.tables), (
            &f.relationship.referencing,
            &f.relationship.lookup,
            &f.relationship.referenced,
            &f.relationship.tables
        ));
    }
}

const HMCTS: &str = "tests/fixtures/unpacked/hmcts-pre-rec-evidence";
/// `RecordingContactRestrictions`: Contact scope through `cr074_pre__VideoPermissions_Contact_Contact`.
const HMCTS_RECORDINGS: &str = "1c6208df-b464-ec11-8f8f-000d3ad55d7e";

/// The hmcts site download with the relationship metadata of `other`
/// (`src/Other` or `src-archived/Other`) as its `metadata/`.
fn hmcts(other: &str) -> tempfile::TempDir {
    let src = repo(HMCTS);
    let dir = tempfile::tempdir().unwrap();
    copy_into(&src.join("src-archived/Portal"), &dir.path().join("site"), &[]);
    copy_into(&src.join(other), &dir.path().join("metadata"), &[]);
    dir
}

#[test]
fn unpacked_relationships_make_pp016_go_away() {
    let with = hmcts("src/Other");
    assert!(with.path().join("metadata/Relationships/Contact.xml").is_file());
    let report = lint::load(with.path()).unwrap().report();
    assert!(!pairs(&report.findings).iter().any(|(id, s)| id == "PP016" && s == HMCTS_RECORDINGS), "{}", report.text());
    let t = portal_access::model::load(with.path()).unwrap();
    let p = &t.permissions[t.perm_id(HMCTS_RECORDINGS).unwrap() as usize];
    assert!(p.scope_relationship().unwrap().id.is_some());

    // The older copy lacks the relationship: PP016.
    let without = hmcts("src-archived/Other");
    let report = lint::load(without.path()).unwrap().report();
    assert!(pairs(&report.findings).contains(&("PP016".to_string(), HMCTS_RECORDINGS.to_string())), "{}", report.text());
}

#[test]
fn relationships_json_overrides_metadata() {
    let dir = hmcts("src/Other");
    let over = json!({"relationships": [{"name": "cr074_pre__VideoPermissions_Contact_Contact", "referencing": "pre__videopermissions", "lookup": "other_contact", "referenced": "contact"}]});
    std::fs::write(dir.path().join("relationships.json"), over.to_string()).unwrap();
    let t = portal_access::model::load(dir.path()).unwrap();
    let id = t.rel_id("cr074_pre__VideoPermissions_Contact_Contact").unwrap();
    assert!(matches!(&t.relationships[id as usize].kind, RelKind::OneToMany { lookup, .. } if lookup == "other_contact"));
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_metadata_fails_the_load_with_file_and_line() {
    let dir = hmcts("src/Other");
    let broken = "<EntityRelationships>\n  <EntityRelationship Name=\"x_y\">\n    <EntityRelationshipType>OneToMany</EntityRelationshipType>\n  </EntityRelationship>\n</EntityRelationships>\n";
    std::fs::write(dir.path().join("metadata/Relationships/Broken.xml"), broken).unwrap();
    let (code, _, err) = run(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Broken.xml: at line 2 (`EntityRelationship`): relationship `x_y` has no `ReferencingEntityName`"), "{err}");

    std::fs::write(dir.path().join("metadata/Relationships/Broken.xml"), "<EntityRelationships>\n<a>\n</EntityRelationships>\n").unwrap();
    let (code, _, err) = run(&["lint", dir.path().to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("Broken.xml: line 3"), "{err}");
}

#[test]
fn bad_content_json_fails_the_load_with_file_and_line() {
    let dir = copy_tree(&repo(SUPPLIER), &[]);
    let rec = dir.path().join("site/powerpagecomponents/99689ef3-c7a1-4b92-b600-1e508a5092d7/powerpagecomponent.xml");
    let text = std::fs::read_to_string(&rec).unwrap().replace("\"scope\": 756150001", "\"scope\": \"sideways\"");
    std::fs::write(&rec, text).unwrap();
    let (code, _, err) = run(&["can", dir.path().to_str().unwrap(), AMY, "read", "spnvc_invoice:x"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("99689ef3-c7a1-4b92-b600-1e508a5092d7/powerpagecomponent.xml: at line 11 (`scope`)"), "{err}");
}

#[test]
fn several_sites_need_site() {
    let dir = copy_tree(&repo(SUPPLIER), &[]);
    let rec = dir.path().join("site/powerpagecomponents/8a87aa19-76b1-40b9-a157-e2312f9dfdbc/powerpagecomponent.xml");
    let text = std::fs::read_to_string(&rec).unwrap().replace(
        "<powerpagesiteid>2bea4a71-0a1c-4a6f-96cd-b6e7878d112c</powerpagesiteid>",
        "<powerpagesiteid>00000000-0000-0000-0000-000000000002</powerpagesiteid>",
    );
    std::fs::write(&rec, text).unwrap();
    let path = dir.path().to_str().unwrap();
    let (code, _, err) = run(&["what", path, "anonymous", "read"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the solution holds 2 sites: `00000000-0000-0000-0000-000000000002` (1 records), `2bea4a71-0a1c-4a6f-96cd-b6e7878d112c` (19 records); choose one with `--site ID`"), "{err}");
    let (code, out, err) = run(&["what", path, "anonymous", "read", "--site", "2bea4a71-0a1c-4a6f-96cd-b6e7878d112c", "--json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["rows"], json!([]), "no anonymous role in that site");
    let (code, _, err) = run(&["what", path, "anonymous", "read", "--site", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("no site `nope`"), "{err}");
    // In the library: read_site names the site.
    let f = portal_access::load::site::read_site(dir.path(), Some("00000000-0000-0000-0000-000000000002")).unwrap();
    assert_eq!(f.raw.web_roles.len(), 1);
}

#[test]
fn convert_then_grants_answers_as_the_folder() {
    for dir in [SUPPLIER, PORTAL_311] {
        let out = tempfile::tempdir().unwrap();
        let native = out.path().join("t.json");
        let (code, _, err) = run(&["convert", repo(dir).to_str().unwrap(), "-o", native.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let folder = Analysis::load(&repo(dir)).unwrap();
        let file = Analysis::load(&native).unwrap();
        assert_eq!(grant_lines(&folder), grant_lines(&file), "{dir}");
        assert!(!grant_lines(&folder).is_empty());
    }
}

/// splitmix64, for deterministic mutants.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SPLICES: &[&str] = &[
    "<", ">", "&", "&amp;", "&bogus;", "&#0;", "\"", "{", "}", "[", "]", ",", ":", "\u{0}", "<!DOCTYPE x>", "<![CDATA[", "]]>",
    "<EntityRelationship Name=\"x\">", "</EntityRelationship>", "<EntityRelationshipType>ManyToMany</EntityRelationshipType>",
    "</content>", "<content>", "<powerpagecomponenttype>99999999999</powerpagecomponenttype>", "\"scope\": null,", "\"value\": 3,",
];

/// `text` with a few random cuts, copies and splices.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(chars.len() + 1);
        match rng.below(3) {
            0 => {
                let end = (at + 1 + rng.below(40)).min(chars.len());
                chars.drain(at.min(end)..end);
            }
            1 => {
                let end = (at + 1 + rng.below(200)).min(chars.len());
                let copy: Vec<char> = chars[at.min(end)..end].to_vec();
                let to = rng.below(chars.len() + 1);
                chars.splice(to..to, copy);
            }
            _ => {
                let s = SPLICES[rng.below(SPLICES.len())];
                chars.splice(at..at, s.chars());
            }
        }
    }
    chars.into_iter().collect()
}

#[test]
fn mutated_solution_and_metadata_files_never_panic() {
    let record = std::fs::read_to_string(repo(SUPPLIER).join("site/powerpagecomponents/99689ef3-c7a1-4b92-b600-1e508a5092d7/powerpagecomponent.xml")).unwrap();
    let rels = std::fs::read_to_string(repo(HMCTS).join("src/Other/Relationships/Contact.xml")).unwrap();
    let json = std::fs::read_to_string(repo("tests/fixtures/webapi-metadata/311-servicetype-EntityDefinitions.json")).unwrap();
    // A small solution folder (no customizations.xml, to keep each load fast) and metadata/.
    let dir = copy_tree(&repo(SUPPLIER), &["site/customizations.xml"]);
    std::fs::create_dir_all(dir.path().join("metadata")).unwrap();
    let target = dir.path().join("site/powerpagecomponents/99689ef3-c7a1-4b92-b600-1e508a5092d7/powerpagecomponent.xml");
    let mut rng = Rng(12);
    let (mut loaded, mut refused) = (0, 0);
    for i in 0..300 {
        let (rec, rel, js) = (mutate(&mut rng, &record), mutate(&mut rng, &rels), mutate(&mut rng, &json));
        // The readers alone return a value or an error, never panic.
        if let Ok(root) = portal_access::load::xml::parse(&rel, "r.xml") {
            let _ = metadata::from_xml(&root, "r.xml", &mut Vec::new());
        }
        let _ = metadata::from_json(&js, "m.json", &mut Vec::new());
        // The whole folder: one mutated record and one mutated metadata file at a time.
        std::fs::write(&target, if i % 2 == 0 { &rec } else { &record }).unwrap();
        let meta = dir.path().join("metadata/m.xml");
        let meta_json = dir.path().join("metadata/m.json");
        std::fs::write(&meta, if i % 3 == 0 { rel.as_str() } else { "<EntityRelationships/>" }).unwrap();
        std::fs::write(&meta_json, if i % 3 == 1 { js.as_str() } else { "{\"value\": []}" }).unwrap();
        match portal_access::load::site::read(dir.path()).and_then(|f| portal_access::model::build_folder(&f)) {
            Ok(t) => {
                loaded += 1;
                let _ = lint::lint(&Analysis::new(t), None);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.to_string().is_empty());
            }
        }
    }
    assert!(loaded > 0 && refused > 0, "loaded {loaded}, refused {refused}");
    // The binary: exit 0, 2 or 4, never a crash.
    for _ in 0..10 {
        std::fs::write(&target, mutate(&mut rng, &record)).unwrap();
        let (code, _, err) = run(&["lint", dir.path().to_str().unwrap(), "--deny", "warning"]);
        assert!([0, 2, 4].contains(&code), "exit {code}: {err}");
    }
}
