//! `convert`: the native JSON form of a tenant folder (or of a tenant file),
//! written only when it gives exactly the same answers as its source and
//! never over an input.

use crate::engine::Grants;
use crate::error::LoadError;
use crate::model::Tenant;
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why `convert` wrote nothing.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConvertError {
    /// The tenant does not load.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `-o` names an input of the tenant, or a place inside its input folders.
    #[error("{output}: refusing to write there: {reason}")]
    Input {
        /// The output path as given.
        output: String,
        /// Which input it would overwrite or join.
        reason: String,
    },
    /// The native form cannot express the tenant exactly.
    #[error("{tenant}: cannot convert: {reason}")]
    NotEquivalent {
        /// The tenant.
        tenant: String,
        /// What the native form cannot hold.
        reason: String,
    },
    /// Writing failed.
    #[error("{file}: cannot write: {reason}")]
    Write {
        /// The output path.
        file: String,
        /// What the system said.
        reason: String,
    },
}

/// What was converted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The native JSON text (pretty-printed, ending in a newline).
    pub text: String,
    /// What the native form had to write differently (one sentence each).
    pub notes: Vec<String>,
    /// Counts, for the summary line.
    pub roles: usize,
    /// Table permissions.
    pub permissions: usize,
    /// Data rows.
    pub rows: usize,
}

struct Source {
    tenant: Tenant,
    inputs: Vec<PathBuf>,
    input_dirs: Vec<PathBuf>,
}

fn read(path: &Path) -> Result<Source, LoadError> {
    if path.is_dir() {
        let folder = crate::load::site::read(path)?;
        let tenant = crate::model::build_folder(&folder)?;
        Ok(Source { tenant, inputs: folder.inputs, input_dirs: folder.input_dirs })
    } else {
        Ok(Source { tenant: crate::model::load(path)?, inputs: vec![path.to_path_buf()], input_dirs: Vec::new() })
    }
}

/// The native text of a tenant folder or file, checked to load and to give
/// the same grants as the source.
pub fn native(path: &Path) -> Result<Converted, ConvertError> {
    native_of(&read(path)?.tenant)
}

/// The raw form `convert` writes: the tenant's own, except that a
/// permission whose scope names a relationship neither in the catalogue
/// nor declared (PP016; it admits nothing in a folder tenant) is written
/// with scope `custom`, which admits nothing too (S14) and keeps its parent
/// and the relationship's name, so that the native file answers the same.
/// The notes say which permissions were rewritten.
pub fn native_form(tenant: &Tenant) -> (crate::load::raw::RawTenant, Vec<String>) {
    let mut raw = tenant.raw.clone();
    let mut notes = Vec::new();
    // Relationships of the folders' generated catalogue that the tenant
    // resolved (built in, but not in the spec's catalogue): declared, since a
    // native file knows only the spec's.
    for rel in tenant.relationships.iter().filter(|r| r.builtin) {
        let name = rel.name.as_str();
        if crate::model::catalogue::CATALOGUE.iter().any(|c| c.0 == name) || raw.relationships.iter().any(|r| r.name == name) {
            continue;
        }
        if let crate::model::RelKind::OneToMany { referencing, lookup, referenced } = &rel.kind {
            raw.relationships.push(crate::load::raw::RawRelationship {
                name: name.to_string(),
                referencing: Some(tenant.tables[*referencing as usize].name.clone()),
                lookup: Some(lookup.clone()),
                referenced: Some(tenant.tables[*referenced as usize].name.clone()),
                ..Default::default()
            });
        }
    }
    for (p, r) in tenant.permissions.iter().zip(raw.table_permissions.iter_mut()) {
        if let Some(rel) = p.scope_relationship().filter(|r| r.id.is_none()) {
            let at = p
                .origin
                .as_ref()
                .map(|o| format!(" (`{}` line {})", o.file, o.line.unwrap_or(1)))
                .unwrap_or_default();
            notes.push(format!(
                "table permission `{}`{at} names relationship `{}`, which is neither in the catalogue nor in relationships.json: it admits nothing, and is written with scope `custom`, which admits nothing too; declare the relationship in relationships.json to keep its scope",
                p.id, rel.name
            ));
            r.scope = serde_json::Value::String("custom".to_string());
        }
        if let Some(parent) = &r.dropped_parent {
            notes.push(format!(
                "table permission `{}` names parent `{parent}`, which is not in the folder: it admits nothing, and is written inactive without a parent{}",
                p.id,
                if p.scope == crate::model::Scope::Parent { " and with scope `custom` (the native format needs a parent for scope `parent`)" } else { "" }
            ));
        }
    }
    (raw, notes)
}

fn native_of(tenant: &Tenant) -> Result<Converted, ConvertError> {
    let source = tenant.source.clone();
    let (raw, notes) = native_form(tenant);
    let text = raw.native_text().map_err(|e| ConvertError::NotEquivalent { tenant: source.clone(), reason: e.to_string() })?;
    // The written form must load and give the same grants.
    let raw = crate::load::native::parse_native(&text, &source).map_err(|e| ConvertError::NotEquivalent {
        tenant: source.clone(),
        reason: format!("the native form does not load: {e}"),
    })?;
    let back = Tenant::build(raw, &source).map_err(|e| ConvertError::NotEquivalent {
        tenant: source.clone(),
        reason: format!("the native form does not load: {e}"),
    })?;
    let same = back.links == tenant.links
        && back.dangling == tenant.dangling
        && back.contact_account == tenant.contact_account
        && Grants::derive(&back).derived == Grants::derive(tenant).derived;
    if !same {
        return Err(ConvertError::NotEquivalent {
            tenant: source,
            reason: "a lookup settled by a Web API `lookuplogicalname` annotation resolves differently without it (an id present in two tables, or missing from the annotated table): the native format cannot say which table a lookup value names".to_string(),
        });
    }
    Ok(Converted {
        text,
        notes,
        roles: tenant.roles.len(),
        permissions: tenant.permissions.len(),
        rows: tenant.row_count() as usize,
    })
}

/// The path as the file system resolves it (the parent, for a file that does
/// not exist yet).
fn resolve(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(parent.canonicalize().ok()?.join(p.file_name()?))
}

/// Converts `input` (a folder or a file) and writes the native form to
/// `output`, atomically. Refuses when `output` is an input or would become
/// one; writes nothing on any error.
pub fn convert(input: &Path, output: &Path) -> Result<Converted, ConvertError> {
    let src = read(input)?;
    let out_name = output.display().to_string();
    let refuse = |reason: String| ConvertError::Input { output: out_name.clone(), reason };
    let target = resolve(output).ok_or_else(|| refuse("its folder does not exist".to_string()))?;
    if target.is_dir() {
        return Err(refuse("it is a folder".to_string()));
    }
    for i in &src.inputs {
        if i.canonicalize().ok().as_ref() == Some(&target) {
            return Err(refuse(format!("it is the input `{}`", i.display())));
        }
    }
    for d in &src.input_dirs {
        if let Ok(d) = d.canonicalize() {
            if target.starts_with(&d) {
                return Err(refuse(format!("it is inside the input folder `{}`", d.display())));
            }
        }
    }
    let converted = native_of(&src.tenant)?;
    let write_err = |e: std::io::Error| ConvertError::Write { file: out_name.clone(), reason: e.to_string() };
    let dir = target.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(converted.text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(write_err(e));
    }
    Ok(converted)
}
