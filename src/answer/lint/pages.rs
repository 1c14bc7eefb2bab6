//! PP027: web page access control rules that do not do what they seem: a
//! restrict-read rule listing the anonymous users role (the runtime ignores
//! that role there), or more than one active rule on one page.

use super::context::{finding, named, origin_location, Cx};
use super::findings::Finding;
use crate::model::channels::{PageRight, PageRule};
use std::collections::BTreeMap;

/// PP027 for the tenant's page rules.
pub(super) fn pp027(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let t = cx.t;
    let rules = &t.channels.page_rules;
    let at = |i: usize| t.raw.page_rules.get(i).and_then(|r| origin_location(&r.origin));
    let mut by_page: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in rules.iter().enumerate().filter(|(_, r)| r.active) {
        if let Some(page) = r.page.as_deref() {
            by_page.entry(page).or_default().push(i);
        }
        let anonymous: Vec<String> = r
            .roles
            .iter()
            .map(|&k| &t.roles[k as usize])
            .filter(|role| role.anonymous)
            .map(|role| named(&role.name, &role.id))
            .collect();
        if r.right == PageRight::RestrictRead && !anonymous.is_empty() {
            let message = format!(
                "restrict-read rule {} lists the anonymous users role {}: the runtime ignores that role in restrict-read rules, so anonymous visitors cannot read {} through it",
                named(&r.name, &r.id),
                anonymous.join(", "),
                page_phrase(r)
            );
            out.push(finding("PP027", r.id.clone(), message, at(i)));
        }
    }
    for (page, list) in by_page.into_iter().filter(|(_, v)| v.len() > 1) {
        let shown: Vec<String> = list.iter().map(|&i| &rules[i]).map(|r| format!("{} ({})", named(&r.name, &r.id), describe(r.right))).collect();
        let message = format!(
            "web page `{page}` has {} active access control rules, {}: their roles combine on the page, so no one of them says who may read or change it",
            list.len(),
            shown.join(", ")
        );
        out.push(finding("PP027", page.to_string(), message, list.last().and_then(|&i| at(i))));
    }
}

fn page_phrase(r: &PageRule) -> String {
    r.page.as_deref().map_or_else(|| "its page".to_string(), |p| format!("web page `{p}`"))
}

fn describe(right: PageRight) -> &'static str {
    match right {
        PageRight::GrantChange => "grant change",
        PageRight::RestrictRead => "restrict read",
    }
}
