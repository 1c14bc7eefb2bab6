//! `portal-access report`: the security review as one self-contained HTML
//! page. The page is checked as text (what it holds, that nothing in it
//! points outside the file, that tenant text is escaped, that it never
//! overwrites an input), and opened in a real headless browser (Chromium)
//! to check what a person sees: the findings table, the permission forest
//! drawn as SVG, the outsiders section, and that opening it sends no request
//! anywhere (Chromium's own network log, checked to catch a page that does).
//!
//! Without Chromium the browser checks are skipped with a message, except in
//! CI (`CI=true`), where `.ci/run` installs it and they must run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_portal-access")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn example() -> PathBuf {
    root().join("examples/customer-service.json")
}

fn dfe() -> PathBuf {
    root().join("tests/fixtures/sites/dfe-central-portal")
}

fn report(tenant: &Path, out: &Path) -> Output {
    Command::new(bin()).arg("report").arg(tenant).arg("-o").arg(out).output().unwrap()
}

fn written(tenant: &Path, dir: &tempfile::TempDir, name: &str) -> (PathBuf, String) {
    let out = dir.path().join(name);
    let o = report(tenant, &out);
    assert!(o.status.success(), "report failed: {}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.starts_with(&format!("wrote {} (", out.display())), "{stdout}");
    assert!(o.stderr.is_empty(), "nothing on standard error when it is not a terminal");
    let html = std::fs::read_to_string(&out).unwrap();
    (out, html)
}

/// The values of every `src`, `href` and `xlink:href` attribute, and every
/// `url(...)` in the page.
fn references(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in [" src=\"", " href=\"", " xlink:href=\"", "url("] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find(['"', ')']).unwrap_or(rest.len());
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn the_page_is_self_contained_and_holds_every_section() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = written(&example(), &dir, "report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    assert!(!html.contains("<script"), "no script at all");
    assert!(!html.contains("@import") && !html.contains("@font-face"));
    let refs = references(&html);
    assert!(!refs.is_empty(), "the navigation links are found");
    for r in &refs {
        assert!(r.starts_with('#'), "only links inside the page, found `{r}`");
    }
    // Summary: 21 rows, 5 contacts, registration open with no settings (C8).
    assert!(html.contains("<div class=\"v\">21</div><div class=\"k\">rows in 6 tables</div>"), "{html}");
    assert!(html.contains("<span class=\"open\">open (no settings)</span>"));
    // Findings: the counts and one row per `lint` finding.
    let lint = Command::new(bin()).arg("lint").arg(example()).arg("--json").output().unwrap();
    let lint: serde_json::Value = serde_json::from_slice(&lint.stdout).unwrap();
    let findings = lint["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert_eq!(html.matches("<tr class=\"finding\">").count(), findings.len());
    for f in findings {
        assert!(html.contains(&format!(">{}<br>", f["id"].as_str().unwrap())), "{f}");
    }
    // The anonymous visitor reads the two knowledge articles, through one
    // permission named by its display name (S4, S9).
    let anon = &html[html.find("id=\"outsider-anonymous\"").unwrap()..];
    let anon = &anon[..anon.find("</div>").unwrap()];
    assert!(anon.contains("<tr><td>knowledgearticle</td><td class=\"num\">2</td><td class=\"num hot\">every row (2)</td>"), "{anon}");
    assert!(anon.contains("Knowledge articles for everyone"), "{anon}");
    assert_eq!(anon.matches("<tr><td>").count(), 1, "only one table is reachable: {anon}");
    // The matrix: a column per role (by display name, with contacts holding
    // it) and the permissions under the roles of their root (S6).
    assert!(html.contains("<th>Customers<br><span class=\"k\">2 contacts</span>"), "{html}");
    assert!(html.contains("<th>Authenticated Users<br><span class=\"k\">every contact (5)</span>"));
    // The forest picture, inline, with every permission.
    let forest = &html[html.find("<section id=\"forest\">").unwrap()..];
    assert!(forest.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(forest.matches("<g class=\"node permission\">").count(), 9);
    // Byte-identical from run to run.
    let (_, again) = written(&example(), &dir, "again.html");
    assert_eq!(html, again);
}

#[test]
fn tenant_text_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let mut t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(example()).unwrap()).unwrap();
    let evil = "<script>alert(1)</script> & \"<img src=x onerror=alert(2)>\"";
    for section in ["web_roles", "table_permissions"] {
        for x in t[section].as_array_mut().unwrap() {
            x["name"] = serde_json::Value::String(evil.to_string());
        }
    }
    let tenant = dir.path().join("evil.json");
    std::fs::write(&tenant, serde_json::to_string(&t).unwrap()).unwrap();
    let (_, html) = written(&tenant, &dir, "evil.html");
    assert!(!html.contains("<script") && !html.contains("<img"), "tenant text became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp;"), "{html}");
    for r in references(&html) {
        assert!(r.starts_with('#'), "{r}");
    }
}

#[test]
fn never_writes_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("tenant.json");
    std::fs::copy(example(), &copy).unwrap();
    let before = std::fs::read(&copy).unwrap();
    let o = report(&copy, &copy);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("refusing to write over an input file (it is the tenant file)"));
    assert_eq!(before, std::fs::read(&copy).unwrap());
    // Nor inside a tenant folder.
    let inside = dfe().join("report.html");
    let o = report(&dfe(), &inside);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("inside the tenant folder"));
    assert!(!inside.exists());
    // A tenant that does not load: exit 2, nothing written.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"format\": 1}").unwrap();
    let out = dir.path().join("bad.html");
    assert_eq!(report(&bad, &out).status.code(), Some(2));
    assert!(!out.exists());
}

#[test]
fn the_real_dfe_site_is_named_by_display_names() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = written(&dfe(), &dir, "dfe.html");
    // Its roles and permissions have GUID ids; the page names them.
    for role in ["Authenticated Users", "Administrators", "Anonymous Users"] {
        assert!(html.contains(&format!("<th>{role}<br>")), "role `{role}`");
    }
    // The roles listed on roots are drawn in the forest by name (no root
    // lists Administrators).
    for role in ["Authenticated Users", "Anonymous Users"] {
        assert!(html.contains(&format!(">{role}</tspan>")), "role `{role}` in the forest");
    }
    let perm = "[TO BE DELETED]GetActiveContacts";
    // By name alone: no other permission shares it (issue 24: no GUID beside a unique name).
    assert!(html.contains(&format!("<b>{perm}</b><br>")));
    assert!(html.contains(&format!("permission {perm}</td>")), "findings name it");
    assert!(!html.contains(">a5704b19-b787-ef11-ac20-002248a46a38<"), "no GUID beside its name");
    assert!(html.contains(&format!(">{perm}</tspan>")), "the forest names it");
    // Its PP001 finding points at the permission's YAML file.
    assert!(html.contains("[TO-BE-DELETED]GetActiveContacts.tablepermission.yml:1"));
    // Every permission of the site is in the matrix and the forest.
    let perms = std::fs::read_dir(dfe().join("table-permissions")).unwrap().count();
    assert_eq!(perms, 29);
    let forest = &html[html.find("<section id=\"forest\">").unwrap()..];
    assert_eq!(forest.matches("<g class=\"node permission\">").count(), perms);
}

// ------------------------------------------------------------- the browser

fn chromium() -> Option<PathBuf> {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(name).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
        if found.is_ok_and(|s| s.success()) {
            return Some(PathBuf::from(name));
        }
    }
    assert!(!ci, "CI=true and Chromium is not installed: `.ci/run` installs it (apt-get install chromium)");
    eprintln!("Chromium is not installed: skipping the headless-browser checks (apt-get install chromium)");
    None
}

/// Runs Chromium headless on `page` with `args`, killed after a minute.
fn browse(chrome: &Path, profile: &Path, args: &[String], page: &Path) -> Output {
    let mut child = Command::new(chrome)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut buf).unwrap();
        buf
    });
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("Chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output { status, stdout: reader.join().unwrap(), stderr: Vec::new() }
}

/// The URLs a page asked for, from Chromium's network log: requests whose
/// network isolation key is the page's `file://` origin (the browser's own
/// background requests carry other keys).
fn page_requests(netlog: &Path) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(netlog).unwrap()).unwrap();
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| {
            let p = &e["params"];
            let key = p["network_isolation_key"].as_str()?;
            let url = p["url"].as_str()?;
            key.starts_with("file://").then(|| url.to_string())
        })
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// The `<div>` of one outsider in a page.
fn outsider_block<'a>(html: &'a str, visitor: &str) -> &'a str {
    let start = html.find(&format!("id=\"outsider-{visitor}\"")).unwrap();
    let rest = &html[start..];
    &rest[..rest.find("</div>").unwrap()]
}

#[test]
fn a_headless_browser_renders_the_report_and_fetches_nothing() {
    let Some(chrome) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (page, _) = written(&example(), &dir, "report.html");
    let profile = dir.path().join("profile");

    // The rendered document, and every request made while rendering it.
    let netlog = dir.path().join("netlog.json");
    let o = browse(&chrome, &profile, &[format!("--log-net-log={}", netlog.display()), "--dump-dom".into()], &page);
    assert!(o.status.success());
    let dom = String::from_utf8(o.stdout).unwrap();
    assert!(dom.contains("<table id=\"findings-table\">"), "{dom}");
    assert_eq!(dom.matches("<tr class=\"finding\">").count(), 4, "the example's four findings");
    assert!(dom.contains("<div class=\"outsider\" id=\"outsider-anonymous\">"));
    assert!(dom.contains("<td>knowledgearticle</td>"));
    let forest = &dom[dom.find("<section id=\"forest\">").unwrap()..];
    assert!(forest.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""), "the forest is an inline SVG element");
    assert!(forest.contains(">Cases where contact is customer</tspan>"));
    assert!(!dom.contains("<script"));
    assert_eq!(page_requests(&netlog), Vec::<String>::new(), "opening the report requested something");

    // The Web API example: the newcomer (registration open, C8, C9) reads
    // every contact through the directory permission, and the Web API
    // gives it two of their columns (C6); the anonymous visitor reads no
    // contact. The browser shows both outsiders with their columns.
    let (webapi, _) = written(&root().join("examples/customer-service-webapi.json"), &dir, "webapi.html");
    let web_log = dir.path().join("webapi.json");
    let o = browse(&chrome, &profile, &[format!("--log-net-log={}", web_log.display()), "--dump-dom".into()], &webapi);
    assert!(o.status.success());
    let dom = String::from_utf8(o.stdout).unwrap();
    let newcomer = outsider_block(&dom, "newcomer");
    assert!(newcomer.contains("<th>columns read (Web API)</th>"), "{newcomer}");
    assert!(newcomer.contains("<tr><td>contact</td><td class=\"num\">5</td><td class=\"num hot\">every row (5)</td>"), "{newcomer}");
    assert!(newcomer.contains("<td class=\"web hot\">emailaddress1, fullname</td>"), "{newcomer}");
    assert!(newcomer.contains("Contact directory for signed-in users"), "{newcomer}");
    let anonymous = outsider_block(&dom, "anonymous");
    assert!(!anonymous.contains("<td>contact</td>") && anonymous.contains("<td class=\"web hot\">knowledgearticleid, title</td>"), "{anonymous}");
    assert!(!dom.contains("id=\"bypass\""), "no F&O data, no bypass section");
    assert_eq!(page_requests(&web_log), Vec::<String>::new());

    // The vendor portal: the F&O bypass section, one line per visitor and
    // table, and the summary's count; nothing requested either.
    let (vendor, _) = written(&root().join("examples/vendor-portal.json"), &dir, "vendor.html");
    let vendor_log = dir.path().join("vendor.json");
    let o = browse(&chrome, &profile, &[format!("--log-net-log={}", vendor_log.display()), "--dump-dom".into()], &vendor);
    assert!(o.status.success());
    let dom = String::from_utf8(o.stdout).unwrap();
    assert!(dom.contains("<a href=\"#bypass\">F&amp;O bypass</a>"));
    let section = &dom[dom.find("<section id=\"bypass\">").unwrap()..];
    let section = &section[..section.find("</section>").unwrap()];
    assert_eq!(section.matches("<tr class=\"bypass\">").count(), 9, "3 contacts times 3 virtual tables: {section}");
    assert!(section.contains("<tr class=\"bypass\"><td>C-nina</td><td>nina.o</td><td>mserp_purchpurchaseorderheaderv2entity</td><td class=\"num hot\">3</td><td class=\"loc\">PO-1002<br>PO-1003<br>PO-1004</td></tr>"), "{section}");
    assert!(dom.contains("<td id=\"bypass-count\">3 visitors can read 11 rows straight from F&amp;O"), "{dom}");
    assert!(outsider_block(&dom, "newcomer").contains("Can read, change or create nothing."));
    assert_eq!(page_requests(&vendor_log), Vec::<String>::new());

    // The check above can fail: a page with an outside image is caught.
    let leak = dir.path().join("leak.html");
    std::fs::write(&leak, "<!DOCTYPE html><html><body><img src=\"http://127.0.0.1:9/x.png\"><p>x</p></body></html>").unwrap();
    let leak_log = dir.path().join("leak.json");
    browse(&chrome, &profile, &[format!("--log-net-log={}", leak_log.display()), "--dump-dom".into()], &leak);
    assert_eq!(page_requests(&leak_log), vec!["http://127.0.0.1:9/x.png".to_string()]);

    // A screenshot: the page renders to a PNG of the window's size.
    let png = dir.path().join("report.png");
    let o = browse(
        &chrome,
        &profile,
        &[format!("--screenshot={}", png.display()), "--window-size=1280,1600".into(), "--hide-scrollbars".into()],
        &page,
    );
    assert!(o.status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let (w, h) = (u32::from_be_bytes(bytes[16..20].try_into().unwrap()), u32::from_be_bytes(bytes[20..24].try_into().unwrap()));
    assert_eq!((w, h), (1280, 1600));
}

// ------------------------------------------- counts against the expansion

/// The matrix's counts, factored, equal what expanding every grant gives:
/// the rows a permission admits are the rows some visitor is granted
/// through it, and a role's contacts are those `roles` says hold it.
#[test]
fn matrix_counts_equal_the_expanded_grants_on_random_tenants() {
    use portal_access::answer::{lint, report};
    use portal_access::model::{Privilege, Tenant};
    use portal_access::perf::testkit::{random_tenant, Size};
    use portal_access::{Analysis, Visitor};
    let (mut compared, mut rows, mut held) = (0, 0, 0);
    for seed in 0..25 {
        let t = Tenant::build(random_tenant(seed, Size::small()), "random.json").unwrap();
        let a = Analysis::new(t);
        let r = report::build_with(&a, lint::Report { findings: Vec::new() });
        let t = &a.tenant;
        let visitors = a.visitors();
        for m in &r.matrix {
            for e in m.cells.iter().flatten() {
                let n = t.perm_id(&e.id).unwrap();
                let p = &t.permissions[n as usize];
                let privileges: Vec<Privilege> = p.privileges.iter().filter(|x| *x != Privilege::Create).collect();
                if privileges.is_empty() || !visitors.iter().any(|&v| a.grants.holds(t, v, n)) {
                    continue;
                }
                let table = &t.tables[p.table as usize];
                let expanded = (0..table.ids.len() as u32)
                    .map(|i| table.first + i)
                    .filter(|&x| {
                        visitors.iter().any(|&v| privileges.iter().any(|&pr| a.grants.can(t, v, pr, x).contains(&n)))
                    })
                    .count() as u64;
                assert_eq!(e.rows, expanded, "seed {seed}: rows of {}", e.id);
                compared += 1;
                rows += expanded;
            }
        }
        for role in &r.roles {
            let expected = if role.anonymous {
                0
            } else {
                visitors
                    .iter()
                    .filter(|v| matches!(v, Visitor::Contact(_)))
                    .filter(|&&v| {
                        let roles = portal_access::cli::explain::roles(&a, &a.visitor_name(v)).unwrap();
                        roles.roles.iter().any(|h| h.id == role.id && h.active)
                    })
                    .count() as u64
            };
            assert_eq!(role.contacts, expected, "seed {seed}: contacts of {}", role.id);
            held += expected;
        }
    }
    assert!(compared > 50 && rows > 100 && held > 50, "the tenants exercise the counts: {compared} {rows} {held}");
}

#[test]
fn registration_comes_from_the_site_settings() {
    // C8: a tenant whose settings close registration says so; one with
    // settings that leave it open says open, not "no settings".
    let dir = tempfile::tempdir().unwrap();
    let open_tenant = root().join("examples/customer-service-webapi.json");
    let o = report(&open_tenant, &dir.path().join("open.html"));
    let said = String::from_utf8(o.stdout).unwrap();
    assert!(said.contains("registration open") && !said.contains("no settings"), "{said}");
    let mut t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&open_tenant).unwrap()).unwrap();
    t["site_settings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"name": "Authentication/Registration/Enabled", "value": "false"}));
    let closed_tenant = dir.path().join("closed.json");
    std::fs::write(&closed_tenant, serde_json::to_string(&t).unwrap()).unwrap();
    let o = report(&closed_tenant, &dir.path().join("closed.html"));
    let said = String::from_utf8(o.stdout).unwrap();
    assert!(o.status.success() && !said.contains("registration open"), "{said}");
}

// ------------------------------------------- outsiders and the F&O bypass

fn load_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn built(t: &serde_json::Value, dir: &tempfile::TempDir, name: &str) -> (portal_access::Analysis, portal_access::answer::report::SecurityReport) {
    use portal_access::answer::{lint, report};
    let path = dir.path().join(name);
    std::fs::write(&path, serde_json::to_string(t).unwrap()).unwrap();
    let a = portal_access::Analysis::load(&path).unwrap();
    let r = report::build_with(&a, lint::Report { findings: Vec::new() });
    (a, r)
}

#[test]
fn outsider_columns_are_the_exposure_answers() {
    // Each outsider's Web API cells agree with `exposure` (C6, C7), table by
    // table, where it reads rows; with registration closed (C8) the
    // newcomer reaches nothing and the page says why.
    let dir = tempfile::tempdir().unwrap();
    let mut t = load_json(&root().join("examples/customer-service-webapi.json"));
    let (a, r) = built(&t, &dir, "open.json");
    let exposure = a.exposure(None).unwrap();
    assert_eq!(r.outsiders.iter().map(|o| o.visitor.as_str()).collect::<Vec<_>>(), ["anonymous", "newcomer"]);
    let mut compared = 0;
    for (o, e) in r.outsiders.iter().zip(&exposure.visitors) {
        assert_eq!(o.visitor, e.visitor);
        assert_eq!(o.extra_columns, ["Web API", "columns read (Web API)", "columns updated (Web API)"]);
        for row in &o.tables {
            let read = row.privileges.iter().find(|p| p.0 == "read").unwrap().1;
            let Some(x) = e.tables.iter().find(|x| x.table == row.table) else { continue };
            assert_eq!(Some(read as usize), x.readable_rows, "{} on {}", o.visitor, row.table);
            let cols = if x.read.is_empty() { "—".to_string() } else { x.read.join(", ") };
            assert_eq!(row.extra[1], cols, "{} on {}", o.visitor, row.table);
            assert_eq!(row.extra[0].starts_with("open"), x.open);
            compared += 1;
        }
    }
    assert_eq!(compared, 3, "anonymous: articles; newcomer: contacts and articles");
    t["site_settings"].as_array_mut().unwrap().push(serde_json::json!({"name": "Authentication/Registration/Enabled", "value": "false"}));
    let (a, r) = built(&t, &dir, "closed.json");
    assert!(r.outsiders[1].tables.is_empty() && r.outsiders[1].roles.is_empty());
    assert!(r.outsiders[1].description.contains("registration is closed"), "{}", r.outsiders[1].description);
    assert!(r.outsiders[0].tables.iter().any(|x| x.table == "knowledgearticle"), "the anonymous visitor is unchanged");
    let html = portal_access::cli::report_html::render(&r, &a);
    assert!(outsider_block(&html, "newcomer").contains("Can read, change or create nothing."));
}

#[test]
fn outsiders_reach_virtual_tables_only_as_the_f_and_o_side_allows() {
    // A Global read of the vendors for anonymous visitors and signed-in
    // contacts: without F&O data both outsiders read every vendor; with it,
    // the newcomer has no F&O user (F2) and the anonymous visitor's user
    // `guest` has no privilege on the vendor entity (F3, F6): neither
    // reaches a vendor row.
    let dir = tempfile::tempdir().unwrap();
    let mut t = load_json(&root().join("examples/vendor-portal.json"));
    t["web_roles"].as_array_mut().unwrap().push(serde_json::json!({"id": "R-anon", "name": "Anonymous Users", "anonymous_users": true}));
    t["table_permissions"].as_array_mut().unwrap().push(serde_json::json!({
        "id": "TP-all-vendors", "name": "Vendor directory", "table": "mserp_vendvendorv2entity",
        "scope": "global", "privileges": ["read"], "web_roles": ["R-anon", "R-auth"]}));
    let fo = t["finance_operations"].clone();
    t.as_object_mut().unwrap().remove("finance_operations");
    let (_, plain) = built(&t, &dir, "plain.json");
    for o in &plain.outsiders {
        let vendors = o.tables.iter().find(|x| x.table == "mserp_vendvendorv2entity").unwrap();
        assert_eq!(vendors.every_row, ["read"], "{}", o.visitor);
        assert_eq!(vendors.via, ["Vendor directory"]);
    }
    assert!(plain.bypass.is_none());
    t["finance_operations"] = fo;
    t["finance_operations"]["anonymous_user"] = serde_json::json!("guest");
    t["finance_operations"]["users"].as_array_mut().unwrap().push(serde_json::json!({"id": "guest", "roles": []}));
    let (a, r) = built(&t, &dir, "fo.json");
    for o in &r.outsiders {
        assert!(o.tables.is_empty(), "{}: {:?}", o.visitor, o.tables);
    }
    // The queries agree: neither outsider may read a vendor through the portal.
    assert_eq!(a.what("anonymous", "read", Some("mserp_vendvendorv2entity")).unwrap().rows.unwrap(), Vec::<String>::new());
    assert_eq!(a.what("newcomer", "read", Some("mserp_vendvendorv2entity")).unwrap().rows.unwrap(), Vec::<String>::new());
    let b = r.bypass.unwrap();
    assert_eq!(b.anonymous_user.as_deref(), Some("guest"));
}

#[test]
fn the_bypass_section_is_bounded_sorted_and_counts_what_bypass_answers() {
    use portal_access::answer::report::{BYPASS_ENTRIES, BYPASS_ROWS};
    // Twenty more Northwind contacts, each with an F&O user, and ten more
    // Adatum orders: 23 visitors times 3 tables is 69 (visitor, table)
    // pairs, and each visitor's orders bypass holds 12 or more rows.
    let dir = tempfile::tempdir().unwrap();
    let mut t = load_json(&root().join("examples/vendor-portal.json"));
    for i in 0..20 {
        let (c, u) = (format!("C-x{i:02}"), format!("x{i:02}"));
        t["rows"]["contact"].as_array_mut().unwrap().push(serde_json::json!({"id": c, "fullname": c, "mserp_vendoraccount": "V-NW"}));
        t["role_members"]["contacts"].as_array_mut().unwrap().push(serde_json::json!([c, "R-vendor"]));
        t["finance_operations"]["user_mappings"].as_array_mut().unwrap().push(serde_json::json!([c, u]));
        t["finance_operations"]["users"].as_array_mut().unwrap().push(serde_json::json!({"id": u, "roles": ["VendorPortalUser"]}));
    }
    for i in 0..10 {
        t["rows"]["mserp_purchpurchaseorderheaderv2entity"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({"id": format!("PO-2{i:03}"), "mserp_orderaccount": "V-AD", "mserp_total": "1.00"}));
    }
    let (a, r) = built(&t, &dir, "many.json");
    let b = r.bypass.clone().unwrap();
    let ans = a.bypass(None, None).unwrap();
    assert_eq!((b.pairs, b.tables.clone()), (ans.lines.len(), ans.summary.clone()));
    assert_eq!((b.visitors, b.entries.len(), b.more_entries), (23, BYPASS_ENTRIES, 69 - BYPASS_ENTRIES));
    // Sorted by visitor, then table; each entry's rows bounded, counted in full.
    let keys: Vec<(String, String)> = b.entries.iter().map(|e| (e.visitor.clone(), e.table.clone())).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let lee = &b.entries[0];
    assert_eq!((lee.visitor.as_str(), lee.table.as_str(), lee.rows, lee.first.len()), ("C-lee", "mserp_purchpurchaseorderheaderv2entity", 12, BYPASS_ROWS));
    let expected: Vec<&str> = ans.lines.iter().filter(|l| l.visitor == "C-lee" && l.row.starts_with("mserp_purchpurchaseorderheaderv2entity:")).map(|l| l.row.as_str()).take(BYPASS_ROWS).collect();
    assert_eq!(lee.first, expected);
    let html = portal_access::cli::report_html::render(&r, &a);
    assert_eq!(html.matches("<tr class=\"bypass\">").count(), BYPASS_ENTRIES);
    assert!(html.contains("<br>and 7 more</td>"), "12 rows, 5 named");
    assert!(html.contains(&format!("And {} more (visitor, table) pairs", 69 - BYPASS_ENTRIES)));
    // Byte-identical from run to run.
    let (a2, r2) = built(&t, &dir, "many-again.json");
    assert_eq!(portal_access::cli::report_html::render(&r2, &a2).replace("many-again.json", "many.json"), html);
}

#[test]
fn outsiders_come_first_findings_by_severity_and_rule_ids_are_explained() {
    let dir = tempfile::tempdir().unwrap();
    let (_, html) = written(&dfe(), &dir, "order.html");
    // What outsiders reach right after the summary, then the findings.
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("`{s}` missing"));
    assert!(at("<section id=\"summary\">") < at("<section id=\"outsiders\">"));
    assert!(at("<section id=\"outsiders\">") < at("<section id=\"findings\">"));
    // Errors, then warnings, then notes, each group under its heading.
    let findings = &html[at("<section id=\"findings\">")..];
    let findings = &findings[..findings.find("</section>").unwrap()];
    let severities: Vec<&str> = findings.split("<span class=\"sev sev-").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    let rank = |s: &str| ["error", "warning", "info"].iter().position(|x| *x == s).unwrap();
    assert!(severities.len() > 2 && severities.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{severities:?}");
    assert!(findings.contains("<tr class=\"group\" id=\"findings-error\"><th colspan=\"5\">Errors ("), "{findings}");
    // No Markdown backtick reaches the page's text: `code` is <code>.
    let text_only: String = {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.split("<style>").next().unwrap().chars().chain(html[at("</style>")..].chars()) {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    assert!(!text_only.contains('`'), "a literal backtick in the page");
    assert!(findings.contains("<code>Authenticated Users</code>"), "{findings}");
    // Every rule id cited links to its paragraph, quoted from docs/rules.md.
    let rules = &html[at("<section id=\"rules\">")..];
    let mut cited: Vec<&str> = html.split("<a class=\"rule\" href=\"#rule-").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    cited.sort();
    cited.dedup();
    assert!(cited.contains(&"S6") && cited.contains(&"C8"), "{cited:?}");
    for id in &cited {
        assert!(rules.contains(&format!("<dt id=\"rule-{id}\"><b>{id}</b>")), "rule {id} is not explained");
    }
    assert!(rules.contains("A tree counts for a visitor only when its root permission lists one of the"));
    // Lint ids are not rule links.
    assert!(!html.contains("href=\"#rule-PP"));
}
