//! The dense ids every model type is indexed by.

/// Dense table id.
pub type TableId = u32;
/// Dense row id, global across tables.
pub type RowId = u32;
/// Dense relationship id.
pub type RelId = u32;
/// Dense web role id.
pub type RoleId = u32;
/// Dense table permission id.
pub type PermId = u32;
