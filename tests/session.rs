//! The REPL's commands through the library (`Session::execute`), one test per
//! command, on the spec's example tenant (`examples/customer-service.json`).
//! Every expected answer was worked out by hand from semantics.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use portal_access::cli::session::{Session, SessionError, COMMANDS};
use std::path::{Path, PathBuf};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/customer-service.json")
}

fn session() -> Session {
    Session::open(&example()).unwrap()
}

/// Runs one line and returns its text.
fn run(s: &mut Session, line: &str) -> String {
    match s.execute(line) {
        Ok(o) => o.text,
        Err(e) => panic!("`{line}` failed: {e}"),
    }
}

fn fails(s: &mut Session, line: &str) -> String {
    match s.execute(line) {
        Ok(o) => panic!("`{line}` should fail, printed {:?}", o.text),
        Err(e) => e.to_string(),
    }
}

fn json(s: &mut Session, line: &str) -> serde_json::Value {
    serde_json::from_str(run(s, &format!("{line} --json")).trim()).unwrap()
}

/// A temporary folder of this test (no crate needed).
fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("portal-access-session-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn can_answers_rows_and_create() {
    let mut s = session();
    // S10: I1.customerid = C1, TP-case-contact (Contact scope) is held by C1 through R-cust.
    assert_eq!(run(&mut s, "can C1 read incident:I1"), "yes: Ada may read incident:Pump (via Cases where contact is customer)\n");
    // C2 holds R-admin; I1 is neither C2's nor its account A1's case.
    assert_eq!(run(&mut s, "can C2 read incident:I1"), "no: Bo may not read incident:Pump\n");
    // S17: create is table-level.
    assert_eq!(run(&mut s, "can C1 create incident"), "yes: Ada may create in table incident (via Cases where contact is customer)\n");
    let j = json(&mut s, "can C2 read incident:I2");
    assert_eq!(
        j,
        serde_json::json!({"visitor": "C2", "privilege": "read", "row": "incident:I2", "allowed": true, "via": ["TP-case-account"]})
    );
}

#[test]
fn who_lists_anonymous_then_contacts() {
    let mut s = session();
    // TP-self admits C1 to itself; TP-acct-contacts admits A1's contacts (C1, C2) to C2 (R-admin).
    assert_eq!(
        run(&mut s, "who read contact:C1"),
        "who may read contact:Ada:\n  anonymous visitors   no\n  anyone who signs up  no\n  contacts (2)         Ada, Bo\n"
    );
    let j = json(&mut s, "who read knowledgearticle:K1");
    assert_eq!(j["anonymous"], true);
    assert_eq!(j["contacts"], serde_json::json!(["C1", "C2", "C3", "C4", "C5"]));
}

#[test]
fn what_lists_rows_sorted_and_filters_by_table() {
    let mut s = session();
    assert_eq!(
        run(&mut s, "what C1 read"),
        "Ada may read 7 rows:\n  adx_portalcomment:PC1\n  annotation:N1\n  annotation:N2\n  contact:Ada\n  incident:Pump\n  knowledgearticle:Reset\n  knowledgearticle:Warranty\n"
    );
    assert_eq!(run(&mut s, "what C2 read --table contact"), "Bo may read 2 rows:\n  contact:Ada\n  contact:Bo\n");
    assert_eq!(run(&mut s, "what C4 delete"), "Di may delete 0 rows\n");
    let j = json(&mut s, "what C1 create");
    assert_eq!(
        j,
        serde_json::json!({"visitor": "C1", "privilege": "create", "tables": ["adx_portalcomment", "incident"]})
    );
}

#[test]
fn why_shows_each_chain_or_the_nearest_miss() {
    let mut s = session();
    // S13: N1 hangs off I1 (Incident_Annotation), which C1 reaches through
    // TP-case-contact (S10: I1.customerid = C1); the tree is held through R-cust (S6).
    assert_eq!(
        run(&mut s, "why C1 read annotation:N1"),
        "yes: Ada may read annotation:N1 (via Notes on those cases)\n\
         \x20 through Notes on those cases:\n\
         \x20   role        Customers                        Ada is a member\n\
         \x20   permission  Cases where contact is customer  contact scope\n\
         \x20     row       contact:Ada                      the visitor\n\
         \x20     row       incident:Pump                    through incident_customer_contacts\n\
         \x20   permission  Notes on those cases             parent scope\n\
         \x20     row       annotation:N1                    through Incident_Annotation\n"
    );
    // S3: C3 holds R-cust through its account A2.
    assert!(run(&mut s, "why C3 read incident:I3")
        .contains("    role        Customers                        its account Fabrikam is a member\n"));
    // S6: C2 lists R-admin only on a child, which is ignored: no tree held.
    let denied = run(&mut s, "why C2 read annotation:N1");
    assert!(denied.starts_with("no: Bo may not read annotation:N1\n  because "), "{denied}");
    assert!(denied.contains("held through Customers"), "the reason names the root's role: {denied}");
    // The JSON answer is exactly the command line's (cli.md).
    let j = json(&mut s, "why C2 read annotation:N1");
    let cli = s.analysis().why("C2", "read", "annotation:N1").unwrap();
    assert_eq!(j, serde_json::to_value(&cli).unwrap());
    assert_eq!(
        (j["allowed"].clone(), j["paths"].clone(), j["miss"].clone()),
        (false.into(), serde_json::json!([]), "no_tree".into())
    );
    let j = json(&mut s, "why C1 read annotation:N1");
    assert_eq!(j["paths"][0][0], serde_json::json!({"kind": "role", "id": "R-cust", "via": "contact"}));
    assert_eq!(
        j["paths"][0][5],
        serde_json::json!({"kind": "row", "ref": "annotation:N1", "relationship": "Incident_Annotation"})
    );
}

#[test]
fn why_dot_draws_the_chain() {
    let mut s = session();
    let dot = run(&mut s, "why C1 read annotation:N1 --dot");
    assert!(dot.starts_with("digraph {\n") && dot.ends_with("}\n"), "{dot}");
    // visitor, role, 2 permissions, 3 rows; one edge between consecutive steps.
    assert_eq!(dot.lines().filter(|l| l.contains(" [ label = ") && !l.contains("->")).count(), 7);
    assert_eq!(dot.lines().filter(|l| l.contains("->")).count(), 6);
    assert!(dot.contains(r#"[ label = "contact C1\l" shape = doubleoctagon"#), "{dot}");
    assert!(dot.contains(r#"-> 6 [ label = "Incident_Annotation""#), "{dot}");
    // Denied: the visitor, the row, and a dashed edge naming the miss.
    let dot = run(&mut s, "why C2 read annotation:N1 --dot");
    assert!(dot.contains(r#"0 -> 1 [ label = "no read: no tree" fontname = "Helvetica", style = dashed"#), "{dot}");
}

#[test]
fn pictures_are_svg_drawn_without_graphviz() {
    // `--svg` draws in Rust: no `dot` program is run, whatever is installed.
    let d = temp_dir("svg");
    let mut s = session();
    for (i, line) in
        ["tree", "tree TP-comment", "why C1 read annotation:N1", "why C2 read annotation:N1", "why C1 create incident"]
            .iter()
            .enumerate()
    {
        let file = d.join(format!("{i}.svg"));
        let out = run(&mut s, &format!("{line} --svg {}", file.display()));
        assert_eq!(out, format!("wrote `{}`\n", file.display()));
        let svg = std::fs::read_to_string(&file).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""), "{line}: {svg}");
        assert!(svg.trim_end().ends_with("</svg>"), "{line}");
        assert!(!svg.contains("<script") && !svg.contains("href="), "{line}: nothing fetched");
        // Drawn the same way twice.
        let again = d.join(format!("{i}-again.svg"));
        run(&mut s, &format!("{line} --svg {}", again.display()));
        assert_eq!(svg, std::fs::read_to_string(&again).unwrap(), "{line}");
    }
    let forest = std::fs::read_to_string(d.join("0.svg")).unwrap();
    // Every permission and role is drawn, roles and permissions by display name too.
    assert_eq!(forest.matches("<g class=\"node permission\">").count(), 9, "{forest}");
    assert_eq!(forest.matches("<g class=\"node role\">").count(), 4, "{forest}");
    assert!(forest.contains(">Authenticated Users</tspan>"), "{forest}");
    // 6 role->root edges + 3 parent edges, the parent edges labelled.
    assert_eq!(forest.matches("<path class=\"edge\"").count(), 9, "{forest}");
    assert!(forest.contains(">Incident_Annotation</text>"), "{forest}");
    // Denied: a dashed edge naming the miss.
    let denied = std::fs::read_to_string(d.join("3.svg")).unwrap();
    assert!(denied.contains("stroke-dasharray") && denied.contains(">no read: no tree</text>"), "{denied}");
}

#[test]
fn grants_are_sorted_and_limited() {
    let mut s = session();
    // C1's grants in privilege order: append on PC1 (TP-comment), N1 (TP-case-note), I1.
    assert_eq!(
        run(&mut s, "grants --limit 3"),
        "VISITOR  PRIVILEGE  TARGET\n\
         Ada      append     adx_portalcomment:PC1\n\
         Ada      append     annotation:N1\n\
         Ada      append     incident:Pump\n\
         (the first 3 grants; `grants --limit N` shows more, `--limit 0` all)\n"
    );
    // Anonymous: the two knowledge articles only (S4, S9).
    let all = run(&mut s, "grants --table knowledgearticle --limit 0 --json");
    let anon: Vec<&str> = all.lines().filter(|l| l.contains("\"anonymous\"")).collect();
    assert_eq!(
        anon,
        [
            r#"{"visitor":"anonymous","privilege":"read","row":"knowledgearticle:K1"}"#,
            r#"{"visitor":"anonymous","privilege":"read","row":"knowledgearticle:K2"}"#
        ]
    );
    // 6 visitors read 2 articles each.
    assert_eq!(all.lines().count(), 12);
    assert!(fails(&mut s, "grants --limit many").contains("`--limit` needs a whole number, found `many`"));
}

#[test]
fn roles_say_where_each_role_comes_from() {
    let mut s = session();
    // S3: direct membership and the authenticated users role.
    assert_eq!(
        run(&mut s, "roles C1"),
        "Ada (account Contoso) holds 2 web roles:\n\
         ROLE                 FROM\n\
         Authenticated Users  authenticated users role\n\
         Customers            direct member\n"
    );
    // S3: R-cust through account A2.
    let j = json(&mut s, "roles C3");
    assert_eq!(j["account"], "A2");
    assert_eq!(
        j["roles"][1],
        serde_json::json!({"id": "R-cust", "name": "Customers", "active": true, "via": ["account"]})
    );
    // S1: C4's parent customer is a contact, so C4 has no account.
    assert!(run(&mut s, "roles C4").starts_with("Di (no account) holds 1 web role:\n"));
    // S4: the anonymous visitor holds the anonymous users role only.
    let j = json(&mut s, "roles anonymous");
    assert_eq!(
        j["roles"],
        serde_json::json!([{"id": "R-anon", "name": "Anonymous Users", "active": true, "via": ["anonymous"]}])
    );
}

#[test]
fn tree_shows_the_forest_with_children_indented() {
    let mut s = session();
    let out = run(&mut s, "tree");
    let ids: Vec<&str> =
        out.lines().skip(1).take(9).map(|l| l.split("  ").find(|w| !w.is_empty()).unwrap().trim()).collect();
    assert_eq!(
        ids,
        [
            "Cases where account of the contact is customer",
            "Cases where contact is customer",
            "Notes on those cases",
            "Portal comments on those cases",
            "Notes on those comments",
            "Contacts of my account",
            "Knowledge articles for everyone",
            "Knowledge articles for signed-in contacts",
            "Own contact record"
        ]
    );
    assert!(out.lines().any(|l| l.starts_with("    Notes on those comments  ")), "{out}");
    // S6: roles listed on a child are ignored, and the tree says so.
    let note = out.lines().find(|l| l.starts_with("  Notes on those cases")).unwrap();
    assert!(note.contains("roles listed on a child are ignored: Account Administrators (S6)"), "{note}");
    let before_note = note.split("roles listed").next().unwrap();
    assert!(!before_note.contains("Account Administrators"), "a child's roles are not shown as holding it: {note}");
    // One tree: the one holding TP-comment, with its root's role.
    let j = json(&mut s, "tree TP-comment");
    let nodes = j["nodes"].as_array().unwrap();
    let ids: Vec<&str> = nodes.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["TP-case-contact", "TP-case-note", "TP-comment", "TP-comment-note"]);
    assert_eq!(nodes[0]["roles"], serde_json::json!(["R-cust"]));
    assert_eq!(nodes[2]["focus"], true);
    assert_eq!(nodes[3]["depth"], 2);
    assert!(fails(&mut s, "tree TP-coment")
        .contains("table permission `TP-coment` does not exist (did you mean `TP-comment`?)"));
}

#[test]
fn tree_dot_is_graphviz() {
    let mut s = session();
    let dot = run(&mut s, "tree --dot");
    assert!(dot.starts_with("digraph {\n") && dot.ends_with("}\n"), "{dot}");
    assert!(dot.contains(r#"label = "TP-case-contact\lincident: contact (incident_customer_contacts)\lread write create append append_to\l""#));
    assert!(dot.contains(r#"label = "Incident_Annotation""#), "parent edges carry the relationship");
    // 4 roles + 9 permissions; 6 role->root edges (one per root) + 3 parent edges.
    assert_eq!(dot.lines().filter(|l| l.contains(" [ label = ") && !l.contains("->")).count(), 13);
    assert_eq!(dot.lines().filter(|l| l.contains("->")).count(), 9);
}

#[test]
fn tree_svg_never_writes_over_the_tenant() {
    let mut s = session();
    let d = temp_dir("over");
    let file = d.join("forest.svg");
    let out = run(&mut s, &format!("tree TP-self --svg {}", file.display()));
    assert_eq!(out, format!("wrote `{}`\n", file.display()));
    assert!(std::fs::read_to_string(&file).unwrap().contains(">Own contact record (asked)</tspan>"));
    // Never over the tenant file.
    let before = std::fs::read(example()).unwrap();
    let e = fails(&mut s, &format!("tree --svg {}", example().display()));
    assert!(e.contains("it is the tenant file"), "{e}");
    assert_eq!(before, std::fs::read(example()).unwrap());
}

#[test]
fn show_permission_role_and_row() {
    let mut s = session();
    let p = run(&mut s, "show permission TP-case-note");
    // S6: the tree is held through its root's role R-cust, not the R-admin listed on the child.
    assert!(p.contains("\nheld by       holders of Customers\n"), "{p}");
    assert!(p.contains("\nroles listed  Account Administrators (ignored on a child, S6)\n"), "{p}");
    assert!(p.contains("\nroot          Cases where contact is customer\n"), "{p}");
    let j = json(&mut s, "show permission TP-kb-anon");
    assert_eq!(j["held_by"], serde_json::json!({"anonymous": true, "every_contact": false, "roles": []}));
    let j = json(&mut s, "show permission TP-self");
    assert_eq!(j["held_by"]["every_contact"], true);

    let j = json(&mut s, "show role R-cust");
    assert_eq!(j["contacts"], serde_json::json!(["C1"]));
    assert_eq!(j["accounts"], serde_json::json!(["A2"]));
    assert_eq!(j["contacts_through_accounts"], serde_json::json!(["C3"]));
    assert_eq!(j["trees"], serde_json::json!(["TP-case-contact"]));
    let j = json(&mut s, "show role R-admin");
    assert_eq!(j["ignored_on"], serde_json::json!(["TP-case-note"]));

    assert_eq!(
        run(&mut s, "show row incident:I1"),
        "row      incident:I1\n\
         columns  title = Pump\n\
         \x20        customerid = C1\n\
         links    customerid -> contact:C1 (incident_customer_contacts)\n\
         \x20        <- annotation:N1.objectid (Incident_Annotation)\n\
         \x20        <- adx_portalcomment:PC1.regardingobjectid (incident_adx_portalcomments)\n"
    );
    // S1: C1's account is A1.
    assert_eq!(json(&mut s, "show row contact:C1")["account"], "A1");
    assert!(fails(&mut s, "show thing X").contains("cannot show `thing`"));
    assert!(fails(&mut s, "show row incident:I9").contains("row `incident:I9` does not exist"));
}

#[test]
fn stats_counts_rows_and_grants() {
    let mut s = session();
    let j = json(&mut s, "stats");
    // 3 accounts, 5 contacts, 5 incidents, 2 comments, 4 notes, 2 articles.
    assert_eq!(j["rows"], 21);
    assert_eq!(j["tables"], 6);
    assert_eq!(j["table_permissions"], 9);
    assert_eq!(j["web_roles"], 4);
    // S25 by hand: anonymous 2, C1 15, C2 6, C3 12, C4 4, C5 4.
    assert_eq!(j["grants"], 43);
    let text = run(&mut s, "stats");
    for key in ["rows ", "derived facts ", "grants ", "load ", "derive ", "memory "] {
        assert!(text.lines().any(|l| l.starts_with(key)), "no `{key}` in {text}");
    }
}

#[test]
fn load_replaces_the_tenant_and_a_failed_load_keeps_it() {
    let mut s = session();
    let e = fails(&mut s, "load /no/such/tenant.json");
    assert!(e.starts_with("/no/such/tenant.json: cannot read"), "{e}");
    assert!(matches!(s.execute("load /no/such/tenant.json"), Err(SessionError::Load(_))));
    // Still the example.
    assert!(run(&mut s, "can C1 read incident:I1").starts_with("yes"));
    let d = temp_dir("load");
    let small = d.join("small.json");
    std::fs::write(
        &small,
        r#"{"format": "portal-access/tenant@1", "rows": {"contact": [{"id": "X1"}]},
            "web_roles": [{"id": "R", "name": "All", "authenticated_users": true}],
            "table_permissions": [{"id": "P", "name": "p", "table": "contact", "scope": "global", "privileges": ["read"], "web_roles": ["R"]}]}"#,
    )
    .unwrap();
    let out = run(&mut s, &format!("load '{}'", small.display()));
    assert!(
        out.starts_with(&format!("loaded `{}`: 1 row, 1 web role, 1 table permission (load ", small.display())),
        "{out}"
    );
    assert_eq!(run(&mut s, "what X1 read"), "X1 may read 1 row:\n  contact:X1\n");
    assert!(fails(&mut s, "can C1 read incident:I1").contains("contact `C1` does not exist"));
}

#[test]
fn json_toggle_prints_the_answers_of_cli_md() {
    let mut s = session();
    assert_eq!(run(&mut s, ":json"), "JSON answers on\n");
    assert_eq!(
        run(&mut s, "who read incident:I2"),
        "{\"privilege\":\"read\",\"row\":\"incident:I2\",\"anonymous\":false,\"newcomer\":false,\"anyone\":false,\"contacts\":[\"C2\"]}\n"
    );
    assert_eq!(run(&mut s, "what anonymous read"), "{\"visitor\":\"anonymous\",\"privilege\":\"read\",\"rows\":[\"knowledgearticle:K1\",\"knowledgearticle:K2\"]}\n");
    assert_eq!(run(&mut s, ":json"), "JSON answers off\n");
    assert!(run(&mut s, "who read incident:I2").starts_with("who may"));
}

#[test]
fn time_toggle_adds_a_latency_line() {
    let mut s = session();
    assert_eq!(run(&mut s, ":time"), "timing on\n");
    let out = run(&mut s, "can C1 read incident:I1");
    let last = out.lines().last().unwrap();
    assert!(last.starts_with("time: ") && last.ends_with(" ms"), "{out}");
    assert_eq!(run(&mut s, ":time"), "timing off\n");
    assert_eq!(run(&mut s, "can C1 read incident:I1").lines().count(), 1);
}

#[test]
fn help_is_generated_from_the_command_table() {
    let mut s = session();
    let out = run(&mut s, "help");
    for c in COMMANDS {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(&c.usage()) && l.ends_with(c.help)),
            "no {} in {out}",
            c.name
        );
    }
    assert_eq!(run(&mut s, "help can"), "can VISITOR PRIVILEGE TABLE:ID [--json]\n  may VISITOR do PRIVILEGE to the row? (for create, give the TABLE)\n");
    assert_eq!(run(&mut s, "? quit"), run(&mut s, "help exit"));
}

#[test]
fn quit_ends_the_session() {
    let mut s = session();
    assert!(s.execute("quit").unwrap().quit);
    assert!(s.execute("exit").unwrap().quit);
    assert!(!s.execute("stats").unwrap().quit);
}

#[test]
fn unknown_command_suggests_the_nearest() {
    let mut s = session();
    assert_eq!(
        fails(&mut s, "wh read incident:I1"),
        "unknown command `wh`; did you mean `who`? (`help` lists the commands)"
    );
    assert!(fails(&mut s, "tre").contains("did you mean `tree`?"));
    assert!(fails(&mut s, "stat").contains("did you mean `stats`?"));
    assert!(fails(&mut s, "json").contains("did you mean `:json`?"));
}

#[test]
fn usage_errors_name_the_usage() {
    let mut s = session();
    assert_eq!(fails(&mut s, "can C1 read"), "missing TABLE:ID; usage: `can VISITOR PRIVILEGE TABLE:ID [--json]`");
    assert!(fails(&mut s, "who read incident:I1 extra").starts_with("unexpected argument `extra`"));
    assert!(fails(&mut s, "what C1 read --tabel x").starts_with("unknown flag `--tabel`"));
    assert!(fails(&mut s, "can C1 \"read").starts_with("unclosed quote"));
    assert!(fails(&mut s, "can C1 raed incident:I1").contains("privilege `raed`"));
    // Blank lines and comments do nothing.
    assert_eq!(s.execute("   ").unwrap().text, "");
    assert_eq!(s.execute("# a comment").unwrap().text, "");
}

#[test]
fn completion_offers_commands_ids_and_rows() {
    let s = session();
    let c = |line: &str| s.complete(line, line.len());
    assert_eq!(c("ca"), (0, vec!["can ".to_string()]));
    assert_eq!(c("can "), (4, ["C1 ", "C2 ", "C3 ", "C4 ", "C5 ", "anonymous ", "newcomer "].map(String::from).to_vec()));
    // Column names of the row's table (channels.md C4).
    assert_eq!(c("who read incident:I1 --column ti"), (30, vec!["title ".to_string()]));
    assert_eq!(c("can C1 rea"), (7, vec!["read ".to_string()]));
    // A row reference: the table first, then its ids.
    assert_eq!(c("can C1 read inc"), (12, vec!["incident:".to_string()]));
    assert_eq!(
        c("can C1 read incident:"),
        (
            12,
            ["incident:I1 ", "incident:I2 ", "incident:I3 ", "incident:I4 ", "incident:I5 "].map(String::from).to_vec()
        )
    );
    // For create, a table.
    assert_eq!(c("can C1 create adx"), (14, vec!["adx_portalcomment ".to_string()]));
    assert_eq!(c("what C1 read --table kn"), (21, vec!["knowledgearticle ".to_string()]));
    assert_eq!(c("what C1 read --"), (13, vec!["--json ".to_string(), "--table ".to_string()]));
    assert_eq!(c("tree TP-comment"), (5, vec!["TP-comment ".to_string(), "TP-comment-note ".to_string()]));
    assert_eq!(c("show "), (5, ["permission ", "role ", "row "].map(String::from).to_vec()));
    assert_eq!(c("show role R-a"), (10, vec!["R-admin ".to_string(), "R-anon ".to_string(), "R-auth ".to_string()]));
    assert_eq!(c("show row ann"), (9, vec!["annotation:".to_string()]));
    assert_eq!(
        c("who "),
        (4, ["append ", "append_to ", "create ", "delete ", "invoke ", "open ", "read ", "write "].map(String::from).to_vec())
    );
    assert_eq!(c("nosuch x"), (7, vec![]));
    assert_eq!(c("help wh"), (5, ["what ", "who ", "why "].map(String::from).to_vec()));
    assert_eq!(c("why C1 read kn"), (12, vec!["knowledgearticle:".to_string()]));
}

#[test]
fn a_script_runs_every_line_and_reports_failures() {
    let mut s = session();
    let script = "can C1 read incident:I1\nbogus\n\n# comment\nwho read incident:I2\nquit\ncan C1 read incident:I1\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let ok = s.run_script(script.as_bytes(), &mut out, &mut err).unwrap();
    assert!(!ok);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "yes: Ada may read incident:Pump (via Cases where contact is customer)\nwho may read incident:Valve:\n  anonymous visitors   no\n  anyone who signs up  no\n  contacts (1)         Bo\n"
    );
    assert_eq!(
        String::from_utf8(err).unwrap(),
        "error: line 2: unknown command `bogus`; did you mean `roles`? (`help` lists the commands)\n"
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert!(s.run_script(&b"stats\n"[..], &mut out, &mut err).unwrap());
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let mut s = session();
    let plain = run(&mut s, "can C1 read incident:I1");
    assert!(!plain.contains('\x1b'));
    s.set_color(true);
    assert!(run(&mut s, "can C1 read incident:I1").starts_with("\x1b[32myes\x1b[0m: Ada"));
    assert!(!portal_access::cli::text::color_wanted(false));
    // SAFETY of the test: only this test reads NO_COLOR.
    std::env::set_var("NO_COLOR", "1");
    assert!(!portal_access::cli::text::color_wanted(true));
    std::env::remove_var("NO_COLOR");
}

#[test]
fn who_on_a_table_answers_by_patterns_and_completes_tables_without_rows() {
    // A6 in the REPL: the DFE download has no rows.
    let mut s = Session::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sites/dfe-central-portal")).unwrap();
    let v = json(&mut s, "who read contact");
    assert_eq!((v["anonymous"].as_str(), v["rows_loaded"].as_bool()), (Some("every"), Some(false)));
    let text = run(&mut s, "who read contact");
    assert!(text.contains("anonymous visitors   every row ([TO BE DELETED]GetActiveContacts)"), "{text}");
    assert_eq!(s.complete("who read cont", 13), (9, vec!["contact ".to_string()]));
    assert!(fails(&mut s, "who read contacts").contains("did you mean `contact`?"));
}
