//! PP028: a column permission profile that changes nothing: it lists no
//! web roles, only inactive ones, or secures a table that is not open to
//! the Web API (column permissions apply to the Web API only, C5).

use super::context::{finding, named, origin_location, Cx};
use super::findings::Finding;

/// PP028 for every active column permission profile.
pub(super) fn pp028(cx: &Cx<'_>, out: &mut Vec<Finding>) {
    let t = cx.t;
    let profiles = &t.channels.profiles;
    if profiles.is_empty() {
        return;
    }
    let ci = cx.a.channel_index();
    for (i, c) in profiles.iter().enumerate().filter(|(_, c)| c.active) {
        let table = cx.table(c.table);
        let why = if c.roles.is_empty() {
            "lists no web roles, so no visitor has it".to_string()
        } else if c.roles.iter().all(|&r| !t.roles[r as usize].active) {
            let names: Vec<String> = c.roles.iter().map(|&r| &t.roles[r as usize]).map(|r| named(&r.name, &r.id)).collect();
            format!("lists only inactive web roles ({}), so no visitor has it", names.join(", "))
        } else if !ci.open(c.table) {
            format!("secures `{table}`, which is not open to the Web API (`Webapi/{table}/enabled` is not `true`), and column permissions apply to the Web API only (C5)")
        } else {
            continue;
        };
        let message = format!("column permission profile {} on `{table}` changes nothing: it {why}", named(&c.name, &c.id));
        let location = t.raw.column_permission_profiles.get(i).and_then(|r| origin_location(&r.origin));
        out.push(finding("PP028", c.id.clone(), message, location));
    }
}
