//! The raw sections of what a visitor reaches beyond table permissions
//! (tenant-format.md, "Pages and endpoints"; surfaces.md R1 to R16):
//! publishing states, website access permissions, web pages, web files,
//! server logic and cloud flow consumers, as importers read them.
//! Nothing here is checked across sections: the model does that.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::origin::Origin;

fn yes() -> bool {
    true
}
fn is_true(b: &bool) -> bool {
    *b
}
fn is_null(v: &Value) -> bool {
    v.is_null()
}

/// A publishing state (R6).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a publishing state object")]
pub struct RawPublishingState {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Whether pages and files in this state are shown (default false).
    #[serde(default)]
    pub visible: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A website access permission (R6: *Preview Unpublished Entities*).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a website access object")]
pub struct RawWebsiteAccess {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// *Preview Unpublished Entities* (default false).
    #[serde(default)]
    pub preview_unpublished: bool,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A web page, root or content page (R1, R8).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a web page object")]
pub struct RawWebPage {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// Parent page id (none: a home page).
    #[serde(default)]
    pub parent: Option<String>,
    /// A content page: the root page it copies.
    #[serde(default)]
    pub root: Option<String>,
    /// Partial URL.
    #[serde(default)]
    pub partial_url: String,
    /// Publishing state id.
    #[serde(default)]
    pub publishing_state: Option<String>,
    /// Ids of the components (lists, forms) it hosts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A web file (R7).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a web file object")]
pub struct RawWebFile {
    /// Unique id.
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The page it hangs under (required).
    pub parent_page: String,
    /// Publishing state id.
    #[serde(default)]
    pub publishing_state: Option<String>,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A server logic record (R9 to R12).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a server logic object")]
pub struct RawServerLogic {
    /// Unique id.
    pub id: String,
    /// The N of `/_api/serverlogics/N` (required).
    pub name: String,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// The JavaScript (a string; checked by the model).
    #[serde(default, skip_serializing_if = "is_null")]
    pub code: Value,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Folder tenants: the file the code was read from.
    #[serde(skip)]
    pub code_file: Option<String>,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A cloud flow consumer (R13 to R16).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, expecting = "a cloud flow object")]
pub struct RawCloudFlow {
    /// Unique id (`cloudflow:ID`).
    pub id: String,
    /// Display name.
    #[serde(default)]
    pub name: String,
    /// The workflow id of the trigger URL (required).
    pub process_id: String,
    /// Role ids.
    #[serde(default)]
    pub web_roles: Vec<String>,
    /// The workflow JSON (an object; absent or null: unknown).
    #[serde(default, skip_serializing_if = "is_null")]
    pub definition: Value,
    /// Active (default true).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// Folder tenants: the file the definition was read from.
    #[serde(skip)]
    pub definition_file: Option<String>,
    /// Where it was read from (folder tenants).
    #[serde(skip)]
    pub origin: Option<Origin>,
}
