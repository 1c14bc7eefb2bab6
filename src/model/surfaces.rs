//! What a visitor reaches beyond table permissions (surfaces.md): pages,
//! web files, publishing states, website access permissions, server logic
//! and cloud flow consumers, validated. Page rules stay in
//! [`super::channels::Channels::page_rules`], with their scope and states.
//!
//! References that the spec lets dangle (a page's parent or root, a file's
//! page, a rule's page) are kept as written: R1 decides what they mean.

use super::ids::RoleId;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// A publishing state (R6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishingState {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Pages and files in it are shown.
    pub visible: bool,
}

/// A website access permission (R6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebsiteAccess {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Linked web roles.
    pub roles: Vec<RoleId>,
    /// *Preview Unpublished Entities*.
    pub preview: bool,
    /// Active.
    pub active: bool,
}

/// A web page (R1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebPage {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Parent page id as written (may name nothing).
    pub parent: Option<String>,
    /// A content page: the root page id it copies, as written.
    pub root: Option<String>,
    /// Partial URL.
    pub partial_url: String,
    /// Publishing state (index in [`Surfaces::states`]).
    pub state: Option<u32>,
    /// Hosted components (indices in `Channels::components`).
    pub components: Vec<u32>,
    /// Active.
    pub active: bool,
}

impl WebPage {
    /// A service page (`access-denied`, `page-not-found`, any case): a root
    /// page that opens for all (R6).
    pub fn is_service(&self) -> bool {
        self.root.is_none() && {
            let u = self.partial_url.trim().trim_matches('/').to_ascii_lowercase();
            u == "access-denied" || u == "page-not-found"
        }
    }
}

/// A web file (R7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebFile {
    /// Id as in the file.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The page it hangs under, as written (may name nothing).
    pub page: String,
    /// Publishing state (index in [`Surfaces::states`]).
    pub state: Option<u32>,
    /// Active.
    pub active: bool,
}

/// A server logic record (R9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLogic {
    /// Id as in the file.
    pub id: String,
    /// The N of `/_api/serverlogics/N`.
    pub name: String,
    /// Linked web roles.
    pub roles: Vec<RoleId>,
    /// The JavaScript.
    pub code: String,
    /// The file the code came from (folder tenants), for findings.
    pub code_file: Option<String>,
    /// Active.
    pub active: bool,
}

/// A cloud flow consumer (R13).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudFlow {
    /// Id as in the file (`cloudflow:ID`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// The workflow id.
    pub process_id: String,
    /// Linked web roles.
    pub roles: Vec<RoleId>,
    /// The workflow JSON object, when known.
    pub definition: Option<Value>,
    /// The file the definition came from (folder tenants), for findings.
    pub definition_file: Option<String>,
    /// Active.
    pub active: bool,
}

/// The surfaces of a tenant; empty for a tenant without the sections.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Surfaces {
    /// Publishing states, in file order.
    pub states: Vec<PublishingState>,
    /// Website access permissions, in file order.
    pub access: Vec<WebsiteAccess>,
    /// Web pages, in file order.
    pub pages: Vec<WebPage>,
    /// Page index by id.
    pub page_index: HashMap<String, u32>,
    /// Web files, in file order.
    pub files: Vec<WebFile>,
    /// Server logic, in file order.
    pub server_logic: Vec<ServerLogic>,
    /// Cloud flow consumers, in file order.
    pub flows: Vec<CloudFlow>,
    /// Entity set name to table logical name (R12, R16).
    pub entity_sets: BTreeMap<String, String>,
}

impl Surfaces {
    /// The page of an id.
    pub fn page(&self, id: &str) -> Option<u32> {
        self.page_index.get(id).copied()
    }
    /// Whether there are no pages, files or endpoints.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty() && self.files.is_empty() && self.server_logic.is_empty() && self.flows.is_empty()
    }
}
