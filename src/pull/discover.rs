//! What the environment says about itself (pull.md P3, P4, P7): the caller
//! (`WhoAmI`), the sites of both data models, the entity sets and key
//! columns of tables (from `EntityDefinitions`, never guessed), the columns
//! a table has, and the relationships permissions name.

use super::error::PullError;
use super::http::{with_query, At, Client, MAX_URL};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// `Prefer` of metadata and configuration requests.
pub const PREFER_PLAIN: &str = "odata.maxpagesize=5000";

/// The two ways a site is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Model {
    /// `adx_` tables (`adx_websites`, `adx_webroles`, ...).
    Standard,
    /// `powerpagesites` and `powerpagecomponents`.
    Enhanced,
}

impl Model {
    /// As the manifest writes it.
    pub fn name(self) -> &'static str {
        match self {
            Model::Standard => "standard",
            Model::Enhanced => "enhanced",
        }
    }
}

/// One site of the environment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    /// Its id (`adx_websiteid` or `powerpagesiteid`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its data model.
    pub model: Model,
}

/// A table as `EntityDefinitions` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// Logical name (`contact`).
    pub logical: String,
    /// Entity set (`contacts`).
    pub set: String,
    /// Primary id column (`contactid`).
    pub id: String,
    /// Primary name column (`fullname`), when it has one.
    pub name: Option<String>,
}

/// A relationship as the Web API's metadata gives it (P7).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relationship {
    /// `OneToManyRelationshipMetadata`.
    OneToMany {
        /// Schema name.
        name: String,
        /// The many side.
        referencing: String,
        /// Its lookup column.
        lookup: String,
        /// The one side.
        referenced: String,
    },
    /// `ManyToManyRelationshipMetadata`.
    ManyToMany {
        /// Schema name.
        name: String,
        /// The two tables.
        tables: [String; 2],
        /// The intersect table.
        intersect: String,
        /// Its two id columns.
        columns: [String; 2],
    },
}

/// `WhoAmI`'s `UserId` (P2: `pulled_by`).
pub fn who_am_i(c: &Client) -> Result<String, PullError> {
    let at = At { entity_set: "WhoAmI", page: 1 };
    let doc = c.get(&c.url("WhoAmI"), at, PREFER_PLAIN)?;
    text(&doc, "UserId").ok_or_else(|| malformed(at, "`UserId` is missing"))
}

fn malformed(at: At<'_>, reason: &str) -> PullError {
    PullError::Malformed {
        entity_set: at.entity_set.to_string(),
        page: at.page,
        what: "the expected answer".into(),
        reason: reason.into(),
    }
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Whether a text is a GUID (`--site` is then an id).
pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).eq([8, 4, 4, 4, 12]) && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Every site of both models (P4); a model whose table is missing (404 on
/// its `EntityDefinitions`) has none.
pub fn sites(c: &Client) -> Result<Vec<Site>, PullError> {
    let mut out = Vec::new();
    for (model, table, set, id, name) in [
        (Model::Enhanced, "powerpagesite", "powerpagesites", "powerpagesiteid", "name"),
        (Model::Standard, "adx_website", "adx_websites", "adx_websiteid", "adx_name"),
    ] {
        let path = format!("EntityDefinitions(LogicalName='{table}')");
        let at = At { entity_set: &path, page: 1 };
        let probe = with_query(&path, &[("$select", "LogicalName".to_string())]);
        if c.get_optional(&c.url(&probe), at, PREFER_PLAIN)?.is_none() {
            continue;
        }
        let url = c.url(&with_query(set, &[("$select", format!("{id},{name}"))]));
        c.pages(&url, set, PREFER_PLAIN, &mut |rows| {
            for r in rows {
                let v = Value::Object(r);
                let site_id = text(&v, id).unwrap_or_default();
                out.push(Site { id: site_id, name: text(&v, name).unwrap_or_default(), model });
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The site `--site` names: an id when a GUID, else a name (any case).
pub fn choose(all: &[Site], wanted: &str) -> Result<Site, PullError> {
    let by_id = is_guid(wanted);
    let hits: Vec<&Site> = all
        .iter()
        .filter(|s| if by_id { s.id.eq_ignore_ascii_case(wanted) } else { s.name.eq_ignore_ascii_case(wanted) })
        .collect();
    let list = || {
        let mut l: Vec<String> = all.iter().map(|s| format!("`{}` ({}, {})", s.name, s.id, s.model.name())).collect();
        l.sort();
        if l.is_empty() {
            "none".to_string()
        } else {
            l.join(", ")
        }
    };
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(PullError::Site { message: format!("--site `{wanted}` names no site"), sites: list() }),
        _ => Err(PullError::Site {
            message: format!("--site `{wanted}` names {} sites: give the id", hits.len()),
            sites: list(),
        }),
    }
}

/// `field eq 'a' or field eq 'b' ...` filters over `values`, each URL of
/// `path` (with `select`) under the URL limit.
pub fn chunked_filters(
    c: &Client,
    path: &str,
    select: &str,
    field: &str,
    values: &[String],
    quoted: bool,
) -> Vec<String> {
    let base = c.url(&with_query(path, &[("$select", select.to_string()), ("$filter", String::new())])).len();
    let mut out = Vec::new();
    let mut current: Vec<String> = Vec::new();
    let mut len = base;
    for v in values {
        let term = if quoted { format!("{field} eq '{}'", v.replace('\'', "''")) } else { format!("{field} eq {v}") };
        // Encoded, a term grows by its spaces (3 characters each) and the ` or `.
        let cost = term.len() + 2 * term.matches(' ').count() + 8;
        if !current.is_empty() && len + cost > MAX_URL {
            out.push(std::mem::take(&mut current).join(" or "));
            len = base;
        }
        len += cost;
        current.push(term);
    }
    if !current.is_empty() {
        out.push(current.join(" or "));
    }
    out.into_iter().map(|f| c.url(&with_query(path, &[("$select", select.to_string()), ("$filter", f)]))).collect()
}

/// The `value` array of an unpaged answer.
fn values(doc: Value, at: At<'_>) -> Result<Vec<Value>, PullError> {
    match doc {
        Value::Object(mut m) => match m.remove("value") {
            Some(Value::Array(v)) => Ok(v),
            _ => Err(malformed(at, "`value` is missing or not an array")),
        },
        _ => Err(malformed(at, "the top level is not an object")),
    }
}

/// The tables of `names` that exist (P3), by logical name; the others are
/// returned apart.
pub fn entities(c: &Client, names: &BTreeSet<String>) -> Result<(BTreeMap<String, Entity>, Vec<String>), PullError> {
    let names: Vec<String> = names.iter().cloned().collect();
    let select = "LogicalName,EntitySetName,PrimaryIdAttribute,PrimaryNameAttribute";
    let mut found = BTreeMap::new();
    for url in chunked_filters(c, "EntityDefinitions", select, "LogicalName", &names, true) {
        let at = At { entity_set: "EntityDefinitions", page: 1 };
        for v in values(c.get(&url, at, PREFER_PLAIN)?, at)? {
            let (Some(logical), Some(set), Some(id)) =
                (text(&v, "LogicalName"), text(&v, "EntitySetName"), text(&v, "PrimaryIdAttribute"))
            else {
                return Err(malformed(at, "a table without `LogicalName`, `EntitySetName` or `PrimaryIdAttribute`"));
            };
            let name = text(&v, "PrimaryNameAttribute").filter(|n| !n.is_empty());
            found.insert(logical.to_ascii_lowercase(), Entity { logical: logical.to_ascii_lowercase(), set, id, name });
        }
    }
    let missing = names.into_iter().filter(|n| !found.contains_key(n)).collect();
    Ok((found, missing))
}

/// The column names of a table (P3: `$select` is checked against them).
pub fn attributes(c: &Client, logical: &str) -> Result<BTreeSet<String>, PullError> {
    let path = format!("EntityDefinitions(LogicalName='{logical}')/Attributes");
    let at = At { entity_set: &path, page: 1 };
    let url = c.url(&with_query(&path, &[("$select", "LogicalName".to_string())]));
    let mut out = BTreeSet::new();
    for v in values(c.get(&url, at, PREFER_PLAIN)?, at)? {
        if let Some(n) = text(&v, "LogicalName") {
            out.insert(n.to_ascii_lowercase());
        }
    }
    Ok(out)
}

/// The relationships of `names` (P7), and the names neither cast knows.
pub fn relationships(c: &Client, names: &BTreeSet<String>) -> Result<(Vec<Relationship>, Vec<String>), PullError> {
    let list: Vec<String> = names.iter().cloned().collect();
    let mut out = Vec::new();
    let one = "RelationshipDefinitions/Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata";
    for url in chunked_filters(
        c,
        one,
        "SchemaName,ReferencingEntity,ReferencingAttribute,ReferencedEntity",
        "SchemaName",
        &list,
        true,
    ) {
        let at = At { entity_set: one, page: 1 };
        for v in values(c.get(&url, at, PREFER_PLAIN)?, at)? {
            let t = |k: &str| text(&v, k).ok_or_else(|| malformed(at, &format!("a relationship without `{k}`")));
            let lower = |k: &str| t(k).map(|s| s.to_ascii_lowercase());
            out.push(Relationship::OneToMany {
                name: t("SchemaName")?,
                referencing: lower("ReferencingEntity")?,
                lookup: lower("ReferencingAttribute")?,
                referenced: lower("ReferencedEntity")?,
            });
        }
    }
    let many = "RelationshipDefinitions/Microsoft.Dynamics.CRM.ManyToManyRelationshipMetadata";
    let select = "SchemaName,Entity1LogicalName,Entity2LogicalName,IntersectEntityName,Entity1IntersectAttribute,Entity2IntersectAttribute";
    for url in chunked_filters(c, many, select, "SchemaName", &list, true) {
        let at = At { entity_set: many, page: 1 };
        for v in values(c.get(&url, at, PREFER_PLAIN)?, at)? {
            let t = |k: &str| {
                text(&v, k)
                    .map(|s| s.to_ascii_lowercase())
                    .ok_or_else(|| malformed(at, &format!("a relationship without `{k}`")))
            };
            out.push(Relationship::ManyToMany {
                name: text(&v, "SchemaName").ok_or_else(|| malformed(at, "a relationship without `SchemaName`"))?,
                tables: [t("Entity1LogicalName")?, t("Entity2LogicalName")?],
                intersect: t("IntersectEntityName")?,
                columns: [t("Entity1IntersectAttribute")?, t("Entity2IntersectAttribute")?],
            });
        }
    }
    out.sort();
    out.dedup();
    let known: BTreeSet<String> = out.iter().map(|r| r.name().to_ascii_lowercase()).collect();
    let missing = list.into_iter().filter(|n| !known.contains(&n.to_ascii_lowercase())).collect();
    Ok((out, missing))
}

impl Relationship {
    /// The schema name.
    pub fn name(&self) -> &str {
        match self {
            Relationship::OneToMany { name, .. } | Relationship::ManyToMany { name, .. } => name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_ids() {
        assert!(is_guid("6d8a1b2c-0000-4e5f-9a0b-1234567890ab"));
        assert!(!is_guid("Contoso Portal"));
        assert!(!is_guid("6d8a1b2c-0000-4e5f-9a0b-1234567890a"));
    }
}
