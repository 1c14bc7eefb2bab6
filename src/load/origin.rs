//! Where an item of a raw tenant was read from.

/// Where an item was read from, for error messages: a JSON path in the
/// native file, or a file and line in a site folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// File the item came from (empty: the tenant file itself).
    pub file: String,
    /// Line in that file, when known.
    pub line: Option<usize>,
    /// Lines of single fields, when known: `(native field, line, key as
    /// written)`, for example `("scope", 12, "adx_scope")` or
    /// `("web_roles[1]", 9, "adx_entitypermission_webrole")`.
    pub fields: Vec<(String, usize, String)>,
}
