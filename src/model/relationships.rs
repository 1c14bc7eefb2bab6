//! Relationships: the built-in catalogue ([`super::catalogue`]), overridden
//! by the tenant's declarations (one-to-many through a lookup column, or
//! many-to-many through associations).

use super::builder::Builder;
use super::catalogue::{standard_named, CATALOGUE};
use super::{RelId, RelKind, Relationship};
use crate::error::LoadError;
use crate::load::raw::{RawRelationship, RawTenant};
use std::collections::HashMap;

/// The relationships of `raw`: the catalogue's first, then each
/// declaration (replacing a catalogue entry of the same name).
pub(crate) fn build(b: &mut Builder<'_>, raw: &RawTenant) -> Result<(Vec<Relationship>, HashMap<String, RelId>), LoadError> {
    let mut relationships: Vec<Relationship> = Vec::new();
    let mut rel_index: HashMap<String, RelId> = HashMap::new();
    for (name, referencing, lookup, referenced) in CATALOGUE {
        let kind = RelKind::OneToMany {
            referencing: b.table(referencing),
            lookup: lookup.to_string(),
            referenced: b.table(referenced),
        };
        rel_index.insert(name.to_string(), relationships.len() as RelId);
        relationships.push(Relationship { name: name.to_string(), kind, builtin: true });
    }
    let mut declared: HashMap<&str, usize> = HashMap::new();
    for (i, r) in raw.relationships.iter().enumerate() {
        if r.name.is_empty() {
            return Err(LoadError::at(b.file, format!("relationships[{i}].name"), "a relationship name must not be empty"));
        }
        if let Some(j) = declared.insert(r.name.as_str(), i) {
            return Err(LoadError::at(
                b.file,
                format!("relationships[{i}].name"),
                format!("relationship `{}` is declared twice (also at `relationships[{j}]`)", r.name),
            ));
        }
        let rel = Relationship { name: r.name.clone(), kind: kind(b, i, r)?, builtin: false };
        match rel_index.get(&r.name) {
            Some(&id) => relationships[id as usize] = rel,
            None => {
                rel_index.insert(r.name.clone(), relationships.len() as RelId);
                relationships.push(rel);
            }
        }
    }
    if raw.lenient_relationships {
        // Folder tenants: the wider catalogue, for names a permission uses.
        let named: std::collections::HashSet<&str> = raw
            .table_permissions
            .iter()
            .flat_map(|p| [&p.contact_relationship, &p.account_relationship, &p.parent_relationship])
            .filter_map(|r| r.as_deref())
            .collect();
        let mut named: Vec<&str> = named.into_iter().collect();
        named.sort_unstable();
        for name in named {
            let Some(s) = standard_named(name).filter(|_| !rel_index.contains_key(name)) else { continue };
            // Registered under the permission's spelling, which it resolves by.
            let kind = RelKind::OneToMany { referencing: b.table(&s.referencing), lookup: s.lookup.clone(), referenced: b.table(&s.referenced) };
            rel_index.insert(name.to_string(), relationships.len() as RelId);
            relationships.push(Relationship { name: name.to_string(), kind, builtin: true });
        }
    }
    Ok((relationships, rel_index))
}

/// The shape of declaration `i`, `r`.
fn kind(b: &mut Builder<'_>, i: usize, r: &RawRelationship) -> Result<RelKind, LoadError> {
    let at = |f: &str| format!("relationships[{i}].{f}");
    match r.kind.as_deref() {
        None | Some("one_to_many") => {
            let need = |v: &Option<String>, f: &str| -> Result<String, LoadError> {
                match v {
                    Some(s) if !s.is_empty() => Ok(s.clone()),
                    _ => Err(LoadError::at(
                        b.file,
                        format!("relationships[{i}]"),
                        format!("one-to-many relationship `{}` needs `{f}`", r.name),
                    )),
                }
            };
            let referencing = need(&r.referencing, "referencing")?;
            let lookup = need(&r.lookup, "lookup")?;
            let referenced = need(&r.referenced, "referenced")?;
            if lookup == "id" {
                return Err(LoadError::at(b.file, at("lookup"), "the lookup column cannot be `id`"));
            }
            Ok(RelKind::OneToMany { referencing: b.table(&referencing), lookup, referenced: b.table(&referenced) })
        }
        Some("many_to_many") => match r.tables.as_deref() {
            Some([x, y]) if !x.is_empty() && !y.is_empty() => Ok(RelKind::ManyToMany { tables: [b.table(x), b.table(y)] }),
            _ => Err(LoadError::at(
                b.file,
                at("tables"),
                format!("many-to-many relationship `{}` needs `tables` with exactly two table names", r.name),
            )),
        },
        Some(other) => Err(LoadError::at(
            b.file,
            at("kind"),
            format!("unknown relationship kind `{other}` (expected `one_to_many` or `many_to_many`)"),
        )),
    }
}
