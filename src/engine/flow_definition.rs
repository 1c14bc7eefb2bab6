//! Reading a cloud flow's workflow JSON (surfaces.md R16): the trigger,
//! and the Dataverse actions walked recursively through `actions`, `else`,
//! `cases` and `default`, each with what it does and its entity set.

use super::endpoint_code::{EntitySet, Op};
use serde_json::{Map, Value};

/// One Dataverse action of a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowAction {
    /// The action's name (its key).
    pub name: String,
    /// What it does; `None`: a bound or unbound action (unbounded).
    pub op: Option<Op>,
    /// Its `entityName`.
    pub set: EntitySet,
}

/// What a flow definition does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowReading {
    /// Whether there is a workflow definition at all (`properties.definition`).
    pub known: bool,
    /// A trigger `Request` of kind `PowerPages`.
    pub power_pages_trigger: bool,
    /// Dataverse actions, in walk order.
    pub actions: Vec<FlowAction>,
    /// What is wrong with a definition that is there but not a workflow.
    pub problem: Option<String>,
}

impl FlowReading {
    /// Whether it is unbounded (surfaces.md "Answers"): no definition, a
    /// bound or unbound action, or a dynamic entity set.
    pub fn is_unbounded(&self) -> bool {
        !self.known || self.actions.iter().any(|a| a.op.is_none() || a.set == EntitySet::Dynamic)
    }
}

const DATAVERSE: &str = "shared_commondataserviceforapps";

/// Reads a flow definition (the workflow JSON object, `None`: absent).
pub fn read_flow(definition: Option<&Value>) -> FlowReading {
    let Some(def) = definition else { return FlowReading::default() };
    let Some(inner) = def.pointer("/properties/definition").and_then(Value::as_object) else {
        let problem = "the definition is not a workflow (no `properties.definition` object)".to_string();
        return FlowReading { problem: Some(problem), ..FlowReading::default() };
    };
    let mut out = FlowReading { known: true, ..FlowReading::default() };
    if let Some(triggers) = inner.get("triggers").and_then(Value::as_object) {
        out.power_pages_trigger = triggers.values().any(|t| {
            t.get("type").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("request"))
                && t.get("kind").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("powerpages"))
        });
    }
    match inner.get("actions") {
        Some(Value::Object(actions)) => walk_actions(actions, &mut out.actions, 0),
        None => {}
        Some(_) => out.problem = Some("`properties.definition.actions` is not an object".to_string()),
    }
    out
}

fn walk_container(v: Option<&Value>, out: &mut Vec<FlowAction>, depth: usize) {
    if let Some(actions) = v.and_then(|c| c.get("actions")).and_then(Value::as_object) {
        walk_actions(actions, out, depth + 1);
    }
}

fn walk_actions(actions: &Map<String, Value>, out: &mut Vec<FlowAction>, depth: usize) {
    if depth > 64 {
        return;
    }
    for (name, a) in actions {
        if let Some(action) = dataverse_action(name, a) {
            out.push(action);
        }
        if let Some(inner) = a.get("actions").and_then(Value::as_object) {
            walk_actions(inner, out, depth + 1);
        }
        walk_container(a.get("else"), out, depth);
        walk_container(a.get("default"), out, depth);
        if let Some(cases) = a.get("cases").and_then(Value::as_object) {
            for c in cases.values() {
                walk_container(Some(c), out, depth);
            }
        }
    }
}

/// R16: an `OpenApiConnection` action on the Dataverse connector.
fn dataverse_action(name: &str, a: &Value) -> Option<FlowAction> {
    if !a.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("OpenApiConnection")) {
        return None;
    }
    let host = a.pointer("/inputs/host")?;
    let api = host.get("apiId").and_then(Value::as_str).unwrap_or_default();
    let conn = host.get("connectionName").and_then(Value::as_str).unwrap_or_default();
    if !api.ends_with(DATAVERSE) && !conn.starts_with(DATAVERSE) {
        return None;
    }
    let operation = host.get("operationId").and_then(Value::as_str).unwrap_or_default();
    let base = operation.strip_suffix("WithOrganization").unwrap_or(operation);
    let op = match base {
        "ListRecords" | "GetItem" => Some(Op::Read),
        "CreateRecord" => Some(Op::Create),
        "UpdateRecord" | "UpdateOnlyRecord" => Some(Op::Write),
        "DeleteRecord" => Some(Op::Delete),
        "PerformBoundAction" | "PerformUnboundAction" => None,
        // Other operations of the connector (triggers, relate, upload):
        // not in R16's list, so not a table action.
        _ => return None,
    };
    let set = match a.pointer("/inputs/parameters/entityName").and_then(Value::as_str) {
        Some(s) if !s.trim().is_empty() && !s.trim_start().starts_with('@') => EntitySet::Literal(s.trim().to_string()),
        _ => EntitySet::Dynamic,
    };
    Some(FlowAction { name: name.to_string(), op, set })
}
