//! A site's configuration (pull.md P5, P6, P16): its records in both data
//! models, each turned into the code-site spelling the loader reads
//! (`adx_x` and `_adx_x_value` become `x`, the primary id `id`), with their
//! role lists, and site settings' values kept only where they hold no
//! secret. Beside the configuration, the pages and endpoints `reach` reads
//! (surfaces.md; enhanced types 1, 2, 3, 12, 33, 35): publishing states,
//! website access, web pages, web files, page rules' scopes and states,
//! cloud flow consumers with their flows' definitions (`workflows`), and
//! server logic with its code (a file column, `SET(ID)/COLUMN/$value`).

use super::discover::{chunked_filters, is_guid, Entity, Model, Site, PREFER_PLAIN};
use super::error::PullError;
use super::http::{with_query, At, Client};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of site record written, each to its folder (P13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// `web-roles/ID.webrole.yml`.
    WebRole,
    /// `table-permissions/ID.tablepermission.yml`.
    TablePermission,
    /// `site-settings/ID.sitesetting.yml`.
    SiteSetting,
    /// `column-permission-profiles/ID.columnpermissionprofile.yml`.
    ColumnProfile,
    /// `column-permission-profiles/ID.columnpermission.yml`.
    ColumnPermission,
    /// `lists/ID.list.yml`.
    List,
    /// `basic-forms/ID.basicform.yml`.
    BasicForm,
    /// `advanced-forms/ID.advancedformstep.yml`.
    FormStep,
    /// `webpage-rules/ID.webpagerule.yml`.
    PageRule,
    /// `publishing-states/ID.publishingstate.yml`.
    PublishingState,
    /// `website-access/ID.websiteaccess.yml`.
    WebsiteAccess,
    /// `web-pages/ID.webpage.yml`.
    WebPage,
    /// `web-files/ID.webfile.yml`.
    WebFile,
    /// `cloud-flow-consumer/ID.cloudflowconsumer.yml`.
    CloudFlow,
    /// `server-logic/N/N.serverlogic.yml`, its code in `N.js` beside it.
    ServerLogic,
}

impl Kind {
    /// Every kind, in the order written.
    pub const ALL: [Kind; 15] = [
        Kind::WebRole,
        Kind::TablePermission,
        Kind::SiteSetting,
        Kind::ColumnProfile,
        Kind::ColumnPermission,
        Kind::List,
        Kind::BasicForm,
        Kind::FormStep,
        Kind::PageRule,
        Kind::PublishingState,
        Kind::WebsiteAccess,
        Kind::WebPage,
        Kind::WebFile,
        Kind::CloudFlow,
        Kind::ServerLogic,
    ];

    /// Folder under `site/` and file suffix.
    pub fn place(self) -> (&'static str, &'static str) {
        match self {
            Kind::WebRole => ("web-roles", "webrole"),
            Kind::TablePermission => ("table-permissions", "tablepermission"),
            Kind::SiteSetting => ("site-settings", "sitesetting"),
            Kind::ColumnProfile => ("column-permission-profiles", "columnpermissionprofile"),
            Kind::ColumnPermission => ("column-permission-profiles", "columnpermission"),
            Kind::List => ("lists", "list"),
            Kind::BasicForm => ("basic-forms", "basicform"),
            Kind::FormStep => ("advanced-forms", "advancedformstep"),
            Kind::PageRule => ("webpage-rules", "webpagerule"),
            Kind::PublishingState => ("publishing-states", "publishingstate"),
            Kind::WebsiteAccess => ("website-access", "websiteaccess"),
            Kind::WebPage => ("web-pages", "webpage"),
            Kind::WebFile => ("web-files", "webfile"),
            Kind::CloudFlow => ("cloud-flow-consumer", "cloudflowconsumer"),
            Kind::ServerLogic => ("server-logic", "serverlogic"),
        }
    }

    /// The manifest's name of the kind (`site_records`).
    pub fn label(self) -> &'static str {
        match self {
            Kind::WebRole => "web_roles",
            Kind::TablePermission => "table_permissions",
            Kind::SiteSetting => "site_settings",
            Kind::ColumnProfile => "column_permission_profiles",
            Kind::ColumnPermission => "column_permissions",
            Kind::List => "lists",
            Kind::BasicForm => "basic_forms",
            Kind::FormStep => "advanced_form_steps",
            Kind::PageRule => "page_rules",
            Kind::PublishingState => "publishing_states",
            Kind::WebsiteAccess => "website_access",
            Kind::WebPage => "web_pages",
            Kind::WebFile => "web_files",
            Kind::CloudFlow => "cloud_flows",
            Kind::ServerLogic => "server_logic",
        }
    }

    /// `powerpagecomponenttype` of the enhanced model (P5, P6).
    pub fn component_type(self) -> u64 {
        match self {
            Kind::PublishingState => 1,
            Kind::WebPage => 2,
            Kind::WebFile => 3,
            Kind::WebsiteAccess => 12,
            Kind::CloudFlow => 33,
            Kind::ServerLogic => 35,
            Kind::SiteSetting => 9,
            Kind::PageRule => 10,
            Kind::WebRole => 11,
            Kind::BasicForm => 15,
            Kind::List => 17,
            Kind::TablePermission => 18,
            Kind::FormStep => 20,
            Kind::ColumnProfile => 28,
            Kind::ColumnPermission => 29,
        }
    }
}

/// One site record, in the code-site spelling.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What it is.
    pub kind: Kind,
    /// Its id.
    pub id: String,
    /// Its fields (`id` first), in the order written.
    pub fields: Vec<(String, Value)>,
}

impl Record {
    /// A text field.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == key).and_then(|(_, v)| v.as_str()).filter(|s| !s.is_empty())
    }
}

/// A site's configuration.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Config {
    /// Every record, by kind then id.
    pub records: Vec<Record>,
    /// Server logic code (its file column), by record id.
    pub code: BTreeMap<String, String>,
    /// Cloud flow definitions (the workflow's `clientdata`), by process id
    /// as the consumers name it.
    pub definitions: BTreeMap<String, String>,
    /// What was not read, and why.
    pub warnings: Vec<String>,
}

impl Config {
    /// The site's web role ids.
    pub fn roles(&self) -> BTreeSet<String> {
        self.records.iter().filter(|r| r.kind == Kind::WebRole).map(|r| r.id.clone()).collect()
    }

    /// The tables the permissions name (P8).
    pub fn permission_tables(&self) -> BTreeSet<String> {
        self.of(Kind::TablePermission)
            .filter_map(|r| r.text("entitylogicalname"))
            .map(str::to_ascii_lowercase)
            .collect()
    }

    /// The relationships the permissions name (P7).
    pub fn relationship_names(&self) -> BTreeSet<String> {
        let keys = ["parentrelationship", "contactrelationship", "accountrelationship"];
        self.of(Kind::TablePermission).flat_map(|r| keys.iter().filter_map(|k| r.text(k))).map(str::to_string).collect()
    }

    /// Records of one kind.
    pub fn of(&self, kind: Kind) -> impl Iterator<Item = &Record> {
        self.records.iter().filter(move |r| r.kind == kind)
    }
}

/// The code-site name of a Web API column: `adx_x`, `mspp_x`, `_adx_x_value`, `_x_value` become `x`.
pub fn code_site_key(key: &str) -> String {
    let k = key.strip_prefix('_').and_then(|k| k.strip_suffix("_value")).unwrap_or(key);
    let k = k.strip_prefix("adx_").or_else(|| k.strip_prefix("mspp_")).unwrap_or(k);
    k.to_string()
}

/// P16: only `Webapi/...` and `Authentication/Registration/...` settings keep their values.
pub fn keeps_value(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("webapi/") || lower.starts_with("authentication/registration/")
}

/// One standard-model table of records (P6).
struct Standard {
    kind: Kind,
    table: &'static str,
    columns: &'static [&'static str],
    /// N:N lists, each written as a key (the intersect table's code-site
    /// name): the intersect table, its column of this record's id, and its
    /// column of the listed id (a web role, a publishing state).
    lists: &'static [(&'static str, &'static str, &'static str)],
}

const STANDARD: &[Standard] = &[
    Standard {
        kind: Kind::WebRole,
        table: "adx_webrole",
        columns: &["adx_name", "adx_anonymoususersrole", "adx_authenticatedusersrole", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::TablePermission,
        table: "adx_entitypermission",
        columns: &[
            "adx_entityname",
            "adx_entitylogicalname",
            "adx_scope",
            "adx_read",
            "adx_write",
            "adx_create",
            "adx_delete",
            "adx_append",
            "adx_appendto",
            "_adx_parententitypermission_value",
            "adx_parentrelationship",
            "adx_contactrelationship",
            "adx_accountrelationship",
            "statecode",
        ],
        lists: &[("adx_entitypermission_webrole", "adx_entitypermissionid", ROLE)],
    },
    Standard {
        kind: Kind::SiteSetting,
        table: "adx_sitesetting",
        columns: &["adx_name", "adx_value", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::ColumnProfile,
        table: "adx_columnpermissionprofile",
        columns: &["adx_name", "adx_tablename", "adx_allcolumnpermissions", "statecode"],
        lists: &[("adx_columnpermissionprofile_webrole", "adx_columnpermissionprofileid", ROLE)],
    },
    Standard {
        kind: Kind::List,
        table: "adx_entitylist",
        columns: &["adx_name", "adx_entityname", "adx_entitypermissionsenabled", "adx_odata_enabled", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::BasicForm,
        table: "adx_entityform",
        columns: &["adx_name", "adx_entityname", "adx_entitypermissionsenabled", "adx_mode", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::PageRule,
        table: "adx_webpageaccesscontrolrule",
        columns: &["adx_name", "_adx_webpageid_value", "adx_right", "adx_scope", "statecode"],
        lists: &[
            ("adx_webpageaccesscontrolrule_webrole", "adx_webpageaccesscontrolruleid", ROLE),
            ("adx_accesscontrolrule_publishingstate", "adx_webpageaccesscontrolruleid", "adx_publishingstateid"),
        ],
    },
    Standard {
        kind: Kind::PublishingState,
        table: "adx_publishingstate",
        columns: &["adx_name", "adx_isvisible", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::WebsiteAccess,
        table: "adx_websiteaccess",
        columns: &["adx_name", "adx_previewunpublishedentities", "statecode"],
        lists: &[("adx_websiteaccess_webrole", "adx_websiteaccessid", ROLE)],
    },
    Standard {
        kind: Kind::WebPage,
        table: "adx_webpage",
        columns: &[
            "adx_name",
            "_adx_parentpageid_value",
            "_adx_rootwebpageid_value",
            "adx_isroot",
            "adx_partialurl",
            "_adx_publishingstateid_value",
            "_adx_entitylist_value",
            "_adx_entityform_value",
            "_adx_webform_value",
            "statecode",
        ],
        lists: &[],
    },
    Standard {
        kind: Kind::WebFile,
        table: "adx_webfile",
        columns: &["adx_name", "_adx_parentpageid_value", "_adx_publishingstateid_value", "statecode"],
        lists: &[],
    },
    Standard {
        kind: Kind::CloudFlow,
        table: "adx_cloudflowconsumer",
        columns: &["adx_name", "adx_processid", "statecode"],
        lists: &[("adx_cloudflowconsumer_adx_webrole", "adx_cloudflowconsumerid", ROLE)],
    },
    Standard {
        kind: Kind::ServerLogic,
        table: "adx_serverlogic",
        columns: &["adx_name", "statecode"],
        lists: &[("adx_serverlogic_adx_webrole", "adx_serverlogicid", ROLE)],
    },
];
/// The web role column of role lists.
const ROLE: &str = "adx_webroleid";
/// The file column holding a server logic's code, by model (P6).
const CODE_STANDARD: &str = "adx_filecontent";
/// The enhanced model's file column (`powerpagecomponent.filecontent`).
const CODE_ENHANCED: &str = "filecontent";
const COLUMN_PERMISSION: &[&str] =
    &["adx_columnname", "adx_permissions", "_adx_columnpermissionprofileid_value", "statecode"];
const FORM_STEP: &[&str] =
    &["adx_name", "adx_targetentitylogicalname", "adx_entitypermissionsenabled", "adx_mode", "statecode"];

/// The tables [`read`] needs the entity sets of, for a model.
pub fn tables(model: Model) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    match model {
        Model::Standard => {
            for s in STANDARD {
                out.insert(s.table.to_string());
                out.extend(s.lists.iter().map(|l| l.0.to_string()));
            }
            out.extend(["adx_columnpermission", "adx_webform", "adx_webformstep"].map(String::from));
        }
        Model::Enhanced => {
            out.insert("powerpagecomponent".to_string());
        }
    }
    out.insert(WORKFLOW.to_string());
    out
}

/// Everything [`read`] reads with: the client, the tables known, and
/// each table's columns.
pub struct Reader<'a> {
    /// The client.
    pub client: &'a Client,
    /// Entity sets by logical name.
    pub entities: &'a BTreeMap<String, Entity>,
    /// Columns by logical name.
    pub columns: &'a BTreeMap<String, BTreeSet<String>>,
}

impl Reader<'_> {
    /// The `$select` of a table: its id and those of `wanted` it has; the
    /// others are reported.
    pub fn select(&self, e: &Entity, wanted: &[&str], warnings: &mut Vec<String>) -> Vec<String> {
        let have = self.columns.get(&e.logical);
        let mut out = vec![e.id.clone()];
        for w in wanted {
            let attr = w.strip_prefix('_').and_then(|k| k.strip_suffix("_value")).unwrap_or(w);
            if have.is_none_or(|h| h.contains(attr)) {
                out.push(w.to_string());
            } else {
                warnings.push(format!("`{}` has no column `{attr}`: not read", e.logical));
            }
        }
        out
    }

    /// Every row of `table` the `filter`s pick (each filter URL read in turn).
    fn rows(&self, e: &Entity, filters: Vec<String>) -> Result<Vec<Map<String, Value>>, PullError> {
        let mut out = Vec::new();
        for url in filters {
            self.client.pages(&url, &e.set, PREFER_PLAIN, &mut |rows| {
                out.extend(rows);
                Ok(())
            })?;
        }
        Ok(out)
    }

    fn filter_url(&self, e: &Entity, select: &[String], filter: &str) -> String {
        self.client.url(&with_query(&e.set, &[("$select", select.join(",")), ("$filter", filter.to_string())]))
    }
}

/// Reads the configuration of `site`.
pub fn read(r: &Reader<'_>, site: &Site) -> Result<Config, PullError> {
    let mut config = match site.model {
        Model::Standard => standard(r, site)?,
        Model::Enhanced => enhanced(r, site)?,
    };
    definitions(r, &mut config)?;
    for rec in &mut config.records {
        if rec.kind == Kind::SiteSetting && !rec.text("name").is_some_and(keeps_value) {
            rec.fields.retain(|(k, _)| k != "value");
        }
    }
    config.records.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
    Ok(config)
}

fn standard(r: &Reader<'_>, site: &Site) -> Result<Config, PullError> {
    let mut config = Config::default();
    let by_site = format!("_adx_websiteid_value eq {}", site.id);
    for spec in STANDARD {
        let Some(e) = r.entities.get(spec.table) else {
            config.warnings.push(format!(
                "the environment has no table `{}`: no {} read",
                spec.table,
                spec.kind.label()
            ));
            continue;
        };
        let select = r.select(e, spec.columns, &mut config.warnings);
        let rows = r.rows(e, vec![r.filter_url(e, &select, &by_site)])?;
        let mut records: Vec<Record> = rows.into_iter().filter_map(|row| record(spec.kind, &e.id, row)).collect();
        for (intersect, own, other) in spec.lists {
            lists(r, intersect, own, other, &mut records, &mut config.warnings)?;
        }
        if spec.kind == Kind::ServerLogic {
            code(r, e, CODE_STANDARD, &records, &mut config)?;
        }
        if spec.kind == Kind::ColumnProfile {
            let ids: Vec<String> = records.iter().map(|p| p.id.clone()).collect();
            by_parent(
                r,
                "adx_columnpermission",
                COLUMN_PERMISSION,
                "_adx_columnpermissionprofileid_value",
                &ids,
                Kind::ColumnPermission,
                &mut config,
            )?;
        }
        config.records.extend(records);
    }
    // Advanced form steps, by the site's advanced forms.
    if let Some(e) = r.entities.get("adx_webform") {
        let select = vec![e.id.clone()];
        let forms = r.rows(e, vec![r.filter_url(e, &select, &by_site)])?;
        let ids: Vec<String> =
            forms.iter().filter_map(|f| f.get(&e.id).and_then(Value::as_str).map(str::to_string)).collect();
        by_parent(r, "adx_webformstep", FORM_STEP, "_adx_webform_value", &ids, Kind::FormStep, &mut config)?;
    }
    Ok(config)
}

/// Records of `table` whose `parent` lookup is one of `ids`.
fn by_parent(
    r: &Reader<'_>,
    table: &str,
    columns: &[&str],
    parent: &str,
    ids: &[String],
    kind: Kind,
    config: &mut Config,
) -> Result<(), PullError> {
    let Some(e) = r.entities.get(table) else {
        config.warnings.push(format!("the environment has no table `{table}`: no {} read", kind.label()));
        return Ok(());
    };
    if ids.is_empty() {
        return Ok(());
    }
    let select = r.select(e, columns, &mut config.warnings);
    let urls = chunked_filters(r.client, &e.set, &select.join(","), parent, ids, false);
    let rows = r.rows(e, urls)?;
    config.records.extend(rows.into_iter().filter_map(|row| record(kind, &e.id, row)));
    Ok(())
}

/// A Web API row as a record: keys in the code-site spelling, the primary
/// id as `id`, annotations left out.
fn record(kind: Kind, id_column: &str, row: Map<String, Value>) -> Option<Record> {
    let id = row.get(id_column).and_then(Value::as_str)?.to_string();
    let mut fields = vec![("id".to_string(), Value::String(id.clone()))];
    for (k, v) in row {
        if k == id_column || k.contains('@') {
            continue;
        }
        fields.push((code_site_key(&k), v));
    }
    Some(Record { kind, id, fields })
}

/// Adds each record's list (the ids of `other`, sorted) from the
/// intersect table: its web roles, or a page rule's publishing states.
fn lists(
    r: &Reader<'_>,
    intersect: &str,
    own: &str,
    other: &str,
    records: &mut [Record],
    warnings: &mut Vec<String>,
) -> Result<(), PullError> {
    let Some(e) = r.entities.get(intersect) else {
        warnings.push(format!("the environment has no table `{intersect}`: its lists not read"));
        return Ok(());
    };
    let select = [own.to_string(), other.to_string()];
    let url = r.client.url(&with_query(&e.set, &[("$select", select.join(","))]));
    let mut lists: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in r.rows(e, vec![url])? {
        if let (Some(Value::String(a)), Some(Value::String(b))) = (row.get(own), row.get(other)) {
            lists.entry(a.clone()).or_default().insert(b.clone());
        }
    }
    let key = code_site_key(intersect);
    for rec in records {
        let roles = lists.remove(&rec.id).unwrap_or_default();
        rec.fields.push((key.clone(), Value::Array(roles.into_iter().map(Value::String).collect())));
    }
    Ok(())
}

fn enhanced(r: &Reader<'_>, site: &Site) -> Result<Config, PullError> {
    let mut config = Config::default();
    let Some(e) = r.entities.get("powerpagecomponent") else {
        config.warnings.push("the environment has no table `powerpagecomponent`: no site records read".to_string());
        return Ok(config);
    };
    let select = r.select(e, &["name", "powerpagecomponenttype", "content", "statecode"], &mut config.warnings);
    let types: Vec<String> =
        Kind::ALL.iter().map(|k| format!("powerpagecomponenttype eq {}", k.component_type())).collect();
    let filter = format!("_powerpagesiteid_value eq {} and ({})", site.id, types.join(" or "));
    for row in r.rows(e, vec![r.filter_url(e, &select, &filter)])? {
        if let Some(rec) = component(row, &e.id, &mut config.warnings) {
            config.records.push(rec);
        }
    }
    let logic: Vec<Record> = config.of(Kind::ServerLogic).cloned().collect();
    code(r, e, CODE_ENHANCED, &logic, &mut config)?;
    Ok(config)
}

/// The table of cloud flows (`workflow`: `clientdata` is a flow's JSON).
const WORKFLOW: &str = "workflow";

/// The definitions of the flows the site's consumers name (their
/// `processid`, a GUID), read from `workflows` by id.
fn definitions(r: &Reader<'_>, config: &mut Config) -> Result<(), PullError> {
    let wanted: BTreeMap<String, String> = config
        .of(Kind::CloudFlow)
        .filter_map(|c| c.text("processid"))
        .filter(|p| is_guid(p.trim_matches(['{', '}'])))
        .map(|p| (p.trim_matches(['{', '}']).to_ascii_lowercase(), p.to_string()))
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    let Some(e) = r.entities.get(WORKFLOW) else {
        config.warnings.push(format!("the environment has no table `{WORKFLOW}`: no cloud flow definitions read"));
        return Ok(());
    };
    let select = r.select(e, &["clientdata"], &mut config.warnings);
    let ids: Vec<String> = wanted.keys().cloned().collect();
    let urls = chunked_filters(r.client, &e.set, &select.join(","), &e.id, &ids, false);
    for row in r.rows(e, urls)? {
        let id = row.get(&e.id).and_then(Value::as_str).map(|i| i.to_ascii_lowercase());
        let data = row.get("clientdata").and_then(Value::as_str);
        if let (Some(pid), Some(data)) = (id.and_then(|i| wanted.get(&i)), data) {
            config.definitions.insert(pid.clone(), data.to_string());
        }
    }
    Ok(())
}

/// Each server logic's code: its file column, `SET(ID)/COLUMN/$value`
/// (a 404: no code).
fn code(r: &Reader<'_>, e: &Entity, column: &str, records: &[Record], config: &mut Config) -> Result<(), PullError> {
    for rec in records.iter().filter(|rec| rec.kind == Kind::ServerLogic) {
        let path = format!("{}({})/{column}/$value", e.set, rec.id);
        let at = At { entity_set: &e.set, page: 1 };
        if let Some(text) = r.client.get_text(&r.client.url(&path), at, PREFER_PLAIN)? {
            config.code.insert(rec.id.clone(), text);
        }
    }
    Ok(())
}

/// A `powerpagecomponent` as a record: its `content` (code-site JSON) plus
/// `id`, `name` and `statecode`.
fn component(row: Map<String, Value>, id_column: &str, warnings: &mut Vec<String>) -> Option<Record> {
    let id = row.get(id_column).and_then(Value::as_str)?.to_string();
    let code = row.get("powerpagecomponenttype").and_then(Value::as_u64)?;
    let kind = Kind::ALL.into_iter().find(|k| k.component_type() == code)?;
    let mut fields = vec![("id".to_string(), Value::String(id.clone()))];
    let content = row.get("content").and_then(Value::as_str).unwrap_or("{}");
    match serde_json::from_str::<Value>(content) {
        Ok(Value::Object(m)) => {
            for (k, v) in m {
                let key = code_site_key(&k);
                if !["id", "name", "statecode"].contains(&key.as_str()) && !k.contains('@') {
                    fields.push((key, v));
                }
            }
        }
        _ => warnings.push(format!(
            "powerpagecomponent `{id}`: its `content` is not a JSON object: only its id, name and state written"
        )),
    }
    for key in ["name", "statecode"] {
        if let Some(v) = row.get(key) {
            fields.push((key.to_string(), v.clone()));
        }
    }
    Some(Record { kind, id, fields })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p13_keys_take_the_code_site_spelling() {
        assert_eq!(code_site_key("adx_entitylogicalname"), "entitylogicalname");
        assert_eq!(code_site_key("_adx_parententitypermission_value"), "parententitypermission");
        assert_eq!(code_site_key("mspp_scope"), "scope");
        assert_eq!(code_site_key("statecode"), "statecode");
        assert_eq!(code_site_key("adx_entitypermission_webrole"), "entitypermission_webrole");
    }

    #[test]
    fn p16_only_web_api_and_registration_settings_keep_values() {
        assert!(keeps_value("Webapi/contact/fields"));
        assert!(keeps_value("Authentication/Registration/Enabled"));
        assert!(!keeps_value("Authentication/OpenIdConnect/Contoso/ClientSecret"));
    }
}
