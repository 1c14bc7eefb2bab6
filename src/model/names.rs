//! How permissions and roles are named for a person (issue 12, "names not
//! GUIDs"): by display name, with the id only where two of the same kind
//! share a name (or a record has none), or everywhere on request. JSON
//! answers keep ids; every readable answer goes through [`Names`].

use super::row_names::RowNames;
use super::{PermId, RoleId, RowId, Tenant};
use std::borrow::Cow;
use std::collections::HashMap;

/// The display label of every permission and role of a tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    perms: Vec<String>,
    roles: Vec<String>,
    perm_by_id: HashMap<String, usize>,
    role_by_id: HashMap<String, usize>,
    rows: RowNames,
}

/// Labels of `(id, name)` items: the name; `name (id)` where the name is
/// shared by another item, or for every item with `ids`; the id where the
/// name is empty.
fn labels<'a>(items: impl Iterator<Item = (&'a str, &'a str)> + Clone, ids: bool) -> Vec<String> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for (_, name) in items.clone() {
        *uses.entry(name.trim()).or_default() += 1;
    }
    items
        .map(|(id, name)| {
            let name = name.trim();
            if name.is_empty() || name == id {
                id.to_string()
            } else if ids || uses.get(name).copied().unwrap_or(0) > 1 {
                format!("{name} ({id})")
            } else {
                name.to_string()
            }
        })
        .collect()
}

impl Names {
    /// Display names, ids only where needed; with `ids`, every label also
    /// carries its id.
    pub fn new(t: &Tenant, ids: bool) -> Names {
        let perms = labels(t.permissions.iter().map(|p| (p.id.as_str(), p.name.as_str())), ids);
        let roles = labels(t.roles.iter().map(|r| (r.id.as_str(), r.name.as_str())), ids);
        let index = |it: &mut dyn Iterator<Item = &str>| it.enumerate().map(|(i, id)| (id.to_string(), i)).collect();
        Names {
            perms,
            roles,
            perm_by_id: index(&mut t.permissions.iter().map(|p| p.id.as_str())),
            role_by_id: index(&mut t.roles.iter().map(|r| r.id.as_str())),
            rows: RowNames::new(t, ids),
        }
    }

    /// The label of permission `n`.
    pub fn perm(&self, n: PermId) -> &str {
        self.perms.get(n as usize).map_or("?", String::as_str)
    }

    /// The label of role `r`.
    pub fn role(&self, r: RoleId) -> &str {
        self.roles.get(r as usize).map_or("?", String::as_str)
    }

    /// The label of the permission with id `id` (the id itself when none has it).
    pub fn perm_id<'a>(&'a self, id: &'a str) -> &'a str {
        self.perm_by_id.get(id).map_or(id, |&i| self.perms[i].as_str())
    }

    /// The label of the role with id `id` (the id itself when none has it).
    pub fn role_id<'a>(&'a self, id: &'a str) -> &'a str {
        self.role_by_id.get(id).map_or(id, |&i| self.roles[i].as_str())
    }

    /// The label of a permission or role id (permissions first), or `None`.
    pub fn any(&self, id: &str) -> Option<&str> {
        self.perm_by_id
            .get(id)
            .map(|&i| self.perms[i].as_str())
            .or_else(|| self.role_by_id.get(id).map(|&i| self.roles[i].as_str()))
    }
}

impl Names {
    /// The label of row `x` of `t` (see [`RowNames::label`]).
    pub fn row<'t>(&self, t: &'t Tenant, x: RowId) -> Cow<'t, str> {
        self.rows.label(t, x)
    }

    /// The label of a visitor given by id: a contact's name; `anonymous`,
    /// `newcomer` and unknown ids as given.
    pub fn contact<'a>(&self, t: &Tenant, id: &'a str) -> Cow<'a, str> {
        self.rows.contact(t, id)
    }

    /// `TABLE:LABEL` for a row reference `TABLE:ID`.
    pub fn reference<'a>(&self, t: &Tenant, r: &'a str) -> Cow<'a, str> {
        self.rows.reference(t, r)
    }

    /// `text` with every permission or role id that stands as a whole word
    /// (not inside a longer name or id) replaced by its label: for
    /// sentences the answers build from ids (a `why` reason).
    pub fn relabel(&self, text: &str) -> String {
        self.relabel_with(text, &[])
    }

    /// [`Names::relabel`], also replacing each `(id, label)` of `extra` (a
    /// visitor the sentence names by id).
    pub fn relabel_with(&self, text: &str, extra: &[(&str, &str)]) -> String {
        let mut ids: Vec<(&str, &str)> = extra.to_vec();
        for (id, &i) in &self.perm_by_id {
            ids.push((id.as_str(), self.perms[i].as_str()));
        }
        for (id, &i) in &self.role_by_id {
            ids.push((id.as_str(), self.roles[i].as_str()));
        }
        ids.retain(|(id, label)| !id.is_empty() && id != label && text.contains(id));
        // Longest first, so that an id inside a longer one is not replaced.
        ids.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        'scan: while i < text.len() {
            let rest = &text[i..];
            if !word(text[..i].chars().next_back()) {
                for (id, label) in &ids {
                    if rest.starts_with(id) && !word(rest[id.len()..].chars().next()) {
                        out.push_str(label);
                        i += id.len();
                        continue 'scan;
                    }
                }
            }
            let c = rest.chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn names_unless_shared_or_empty_or_asked() {
        let items = [("P1", "Cases"), ("P2", "Notes"), ("P3", "Notes"), ("P4", ""), ("P5", " Cases ")];
        let it = items.iter().map(|(a, b)| (*a, *b));
        assert_eq!(labels(it.clone(), false), ["Cases (P1)", "Notes (P2)", "Notes (P3)", "P4", "Cases (P5)"]);
        let it = items[..2].iter().map(|(a, b)| (*a, *b));
        assert_eq!(labels(it.clone(), false), ["Cases", "Notes"]);
        assert_eq!(labels(it, true), ["Cases (P1)", "Notes (P2)"]);
    }

    #[test]
    fn relabel_replaces_whole_ids_only() {
        let n = Names {
            perms: vec!["Cases".into(), "Notes".into()],
            perm_by_id: [("P1".to_string(), 0), ("P10".to_string(), 1)].into_iter().collect(),
            roles: vec!["Customers".into()],
            role_by_id: [("R-c".to_string(), 0)].into_iter().collect(),
            rows: RowNames::default(),
        };
        assert_eq!(n.relabel("P10 is in the tree of P1, held through R-c, not XP1 or P1x"), "Notes is in the tree of Cases, held through Customers, not XP1 or P1x");
    }
}
