//! How rows are named for a person (issue 24, "names everywhere"): by their
//! table's primary name column when the data has it (`fullname` of a
//! contact, `name` of an account, `title` of a case, `<prefix>_name` of a
//! custom table), with the id only where two rows of one table share a name
//! (or on request); and how a name given as input finds its row.

use super::{RowId, TableId, Tenant};
use crate::load::table::{Cell, RawTable};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Standard tables whose primary name column is not `name`.
const PRIMARY_NAMES: &[(&str, &str)] = &[
    ("contact", "fullname"),
    ("lead", "fullname"),
    ("systemuser", "fullname"),
    ("incident", "title"),
    ("knowledgearticle", "title"),
    ("annotation", "subject"),
    ("activitypointer", "subject"),
    ("email", "subject"),
    ("task", "subject"),
    ("phonecall", "subject"),
    ("appointment", "subject"),
    ("letter", "subject"),
    ("fax", "subject"),
    ("adx_portalcomment", "subject"),
    ("socialactivity", "subject"),
];

/// The primary name column of table `table` as its rows carry it: the
/// standard one, else `name`, else `<prefix>_name` (`spnvc_name` of
/// `spnvc_invoice`); `None` when the data has none of them.
pub fn name_column(table: &str, raw: &RawTable) -> Option<u32> {
    let standard = PRIMARY_NAMES.iter().find(|(t, _)| *t == table).map(|(_, c)| *c);
    let prefixed = table.split_once('_').map(|(prefix, _)| format!("{prefix}_name"));
    let found = standard.into_iter().chain(["name"]).chain(prefixed.as_deref()).find_map(|c| raw.column_index(c));
    found
}

/// A contact's name from its parts, for data without `fullname`.
fn parts_name(raw: &RawTable, i: usize) -> Option<String> {
    let part = |c: &str| raw.get(i, c).and_then(|v| v.as_str().map(|s| s.trim().to_string())).filter(|s| !s.is_empty());
    match (part("firstname"), part("lastname")) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.or(l),
    }
}

/// The names of one table's rows, by row offset, and the names two rows share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableNames {
    names: Vec<Option<Box<str>>>,
    shared: std::collections::HashSet<Box<str>>,
}

impl TableNames {
    /// Reads the names of table `tb` of `t` from its rows' data.
    pub fn read(t: &Tenant, tb: TableId) -> TableNames {
        let table = &t.tables[tb as usize];
        let mut names: Vec<Option<Box<str>>> = vec![None; table.ids.len()];
        if let Some(raw) = t.raw.table(&table.name) {
            let column = name_column(&table.name, raw);
            let contact = tb == t.contact_table;
            if column.is_some() || contact {
                for i in 0..raw.len() {
                    let Some(id) = raw.id(i) else { continue };
                    let offset = if table.ids.get(i) == Some(id) {
                        i
                    } else {
                        match t.row_id(tb, id) {
                            Some(x) => (x - table.first) as usize,
                            None => continue,
                        }
                    };
                    let from_column = column.and_then(|c| {
                        raw.fields(i).find(|(k, _)| *k == c).and_then(|(_, v)| match v {
                            Cell::Str(s) => Some(s.trim().to_string()),
                            _ => None,
                        })
                    });
                    let name = from_column.filter(|s| !s.is_empty()).or_else(|| if contact { parts_name(raw, i) } else { None });
                    if let (Some(slot), Some(n)) = (names.get_mut(offset), name) {
                        *slot = Some(n.into_boxed_str());
                    }
                }
            }
        }
        let mut uses: HashMap<&str, u32> = HashMap::new();
        for n in names.iter().flatten() {
            *uses.entry(n).or_default() += 1;
        }
        let shared = uses.into_iter().filter(|(_, k)| *k > 1).map(|(n, _)| Box::from(n)).collect();
        TableNames { names, shared }
    }

    /// The name of the row at `offset`, if it has one.
    pub fn name(&self, offset: usize) -> Option<&str> {
        self.names.get(offset).and_then(|n| n.as_deref())
    }

    /// Every name the table's rows have, in row order.
    pub fn all(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().flatten().map(|n| &**n)
    }

    /// The offsets of the rows named `name` (compared without case and
    /// surrounding spaces).
    pub fn find(&self, name: &str) -> Vec<usize> {
        let want = name.trim().to_lowercase();
        self.names.iter().enumerate().filter(|(_, n)| n.as_deref().is_some_and(|n| n.to_lowercase() == want)).map(|(i, _)| i).collect()
    }
}

/// The labels of rows for readable answers, each table's names read on
/// first use (JSON answers keep ids and never read them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowNames {
    tables: Vec<OnceLock<TableNames>>,
    ids: bool,
}

impl RowNames {
    /// Labels for the rows of `t`; with `ids`, every named row also shows its id.
    pub fn new(t: &Tenant, ids: bool) -> RowNames {
        RowNames { tables: (0..t.tables.len()).map(|_| OnceLock::new()).collect(), ids }
    }

    fn table(&self, t: &Tenant, tb: TableId) -> Option<&TableNames> {
        self.tables.get(tb as usize).map(|cell| cell.get_or_init(|| TableNames::read(t, tb)))
    }

    /// The label of row `x`: its name; `name (id)` where another row of its
    /// table shares the name (or with `ids`); its id without a name.
    pub fn label<'t>(&self, t: &'t Tenant, x: RowId) -> Cow<'t, str> {
        let tb = t.table_of(x);
        let id = t.row_name(x);
        let offset = (x - t.tables[tb as usize].first) as usize;
        match self.table(t, tb).and_then(|n| n.name(offset).map(|name| (name, n.shared.contains(name)))) {
            Some((name, shared)) if name != id => {
                if shared || self.ids {
                    Cow::Owned(format!("{name} ({id})"))
                } else {
                    Cow::Owned(name.to_string())
                }
            }
            _ => Cow::Borrowed(id),
        }
    }

    /// The label of the contact with id `id`; the words `anonymous` and
    /// `newcomer`, and ids of no contact, as given.
    pub fn contact<'a>(&self, t: &Tenant, id: &'a str) -> Cow<'a, str> {
        match t.contact(id) {
            Some(c) => Cow::Owned(self.label(t, c).into_owned()),
            None => Cow::Borrowed(id),
        }
    }

    /// `TABLE:LABEL` for a row reference `TABLE:ID`; other text as given.
    pub fn reference<'a>(&self, t: &Tenant, r: &'a str) -> Cow<'a, str> {
        match t.parse_row(r) {
            Some(x) => Cow::Owned(format!("{}:{}", t.tables[t.table_of(x) as usize].name, self.label(t, x))),
            None => Cow::Borrowed(r),
        }
    }
}

/// The rows of table `tb` whose name is `name` (see [`TableNames::find`]).
pub fn rows_named(t: &Tenant, tb: TableId, name: &str) -> Vec<RowId> {
    let first = t.tables[tb as usize].first;
    TableNames::read(t, tb).find(name).into_iter().map(|i| first + i as RowId).collect()
}
