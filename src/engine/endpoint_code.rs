//! Reading server logic code (surfaces.md R9, R11, R12) with a real
//! JavaScript parser (`oxc_parser`): the methods the code defines, its
//! `Server.Connector.Dataverse.*` calls with their entity sets (literal,
//! dynamic, or a generic proxy built from `Server.Context`) and its
//! unbounded calls. Code that does not parse is read as unbounded, with
//! the line and column of the first error.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BindingPattern, CallExpression, Expression, Function, IdentifierReference, Statement, StaticMemberExpression,
    VariableDeclarationKind, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::SourceType;
use std::collections::{BTreeMap, BTreeSet};

/// What a Dataverse call does to its table (R11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// `RetrieveRecord`, `RetrieveMultipleRecords`; a flow's `ListRecords`, `GetItem`.
    Read,
    /// `CreateRecord`.
    Create,
    /// `UpdateRecord`; a flow's `UpdateOnlyRecord`.
    Write,
    /// `DeleteRecord`.
    Delete,
}

impl Op {
    /// The privilege name of the answers.
    pub fn name(self) -> &'static str {
        match self {
            Op::Read => "read",
            Op::Create => "create",
            Op::Write => "write",
            Op::Delete => "delete",
        }
    }
}

/// The entity set of a call (R12, R16).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntitySet {
    /// A string, or a `const` bound to one.
    Literal(String),
    /// Anything else: it serves every table (R12).
    Dynamic,
}

/// One Dataverse call of the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The function containing it (empty: top level).
    pub function: String,
    /// What it does.
    pub op: Op,
    /// Its entity set.
    pub set: EntitySet,
    /// A generic proxy: its entity set or query comes from `Server.Context`.
    pub proxy: bool,
    /// Line and column (1-based) in the code.
    pub at: (usize, usize),
}

/// A parse error: line, column (1-based) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based, in characters.
    pub column: usize,
    /// What the parser said.
    pub message: String,
}

/// What server logic code does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeReading {
    /// HTTP verbs of the functions it defines (`get` → `GET`, `del` → `DELETE`), sorted.
    pub methods: Vec<&'static str>,
    /// Dataverse calls, in code order.
    pub calls: Vec<Call>,
    /// Unbounded calls (`InvokeCustomApi`, `HttpClient`), by name, with their place.
    pub unbounded: Vec<(String, (usize, usize))>,
    /// The code did not parse: read as unbounded.
    pub parse_error: Option<ParseProblem>,
}

impl CodeReading {
    /// Whether anything it does is unbounded (R11): an unbounded call, or code that does not parse.
    pub fn is_unbounded(&self) -> bool {
        !self.unbounded.is_empty() || self.parse_error.is_some()
    }
    /// Whether it has a generic proxy (R12).
    pub fn has_proxy(&self) -> bool {
        self.calls.iter().any(|c| c.proxy)
    }
}

/// Line and column (1-based, column in characters) of byte `offset`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    (line, before[start..].chars().count() + 1)
}

const METHODS: &[(&str, &str)] = &[("get", "GET"), ("post", "POST"), ("put", "PUT"), ("patch", "PATCH"), ("del", "DELETE")];

/// Reads server logic `code` (R9, R12).
pub fn read_code(code: &str) -> CodeReading {
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, code, SourceType::cjs()).parse();
    if ret.panicked || !ret.diagnostics.is_empty() {
        let first = ret.diagnostics.first();
        let offset = first.and_then(|d| d.labels.first().map(|l| l.offset() as usize)).unwrap_or(0);
        let (line, column) = line_column(code, offset);
        let message = first.map(|d| d.message.to_string()).unwrap_or_else(|| "the code does not parse".to_string());
        return CodeReading { parse_error: Some(ParseProblem { line, column, message }), ..CodeReading::default() };
    }
    let program = &ret.program;
    let mut methods = BTreeSet::new();
    let mut define = |name: &str| {
        if let Some((_, m)) = METHODS.iter().find(|(n, _)| *n == name) {
            methods.insert(*m);
        }
    };
    for s in &program.body {
        match s {
            Statement::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    define(id.name.as_str());
                }
            }
            // `const get = function () {...}` or `var post = () => ...`.
            Statement::VariableDeclaration(d) => {
                for v in &d.declarations {
                    let is_fn = matches!(v.init, Some(Expression::FunctionExpression(_) | Expression::ArrowFunctionExpression(_)));
                    if let (BindingPattern::BindingIdentifier(id), true) = (&v.id, is_fn) {
                        define(id.name.as_str());
                    }
                }
            }
            _ => {}
        }
    }
    // Bindings: `const X = "literal"` and variables built from Server.Context.
    let mut b = Bindings::default();
    for _ in 0..8 {
        let before = (b.literals.len(), b.context.len());
        b.visit_program(program);
        if before == (b.literals.len(), b.context.len()) {
            break;
        }
    }
    let mut r = Reader { code, bindings: &b, function: Vec::new(), out: CodeReading::default() };
    r.visit_program(program);
    let mut out = r.out;
    let mut m: Vec<&'static str> = methods.into_iter().collect();
    m.sort_unstable();
    out.methods = m;
    out
}

/// The dotted name of a static member chain (`Server.Connector.Dataverse.CreateRecord`).
fn dotted(e: &Expression) -> Option<String> {
    match e {
        Expression::Identifier(i) => Some(i.name.to_string()),
        Expression::StaticMemberExpression(m) => Some(format!("{}.{}", dotted(&m.object)?, m.property.name)),
        Expression::ParenthesizedExpression(p) => dotted(&p.expression),
        _ => None,
    }
}

#[derive(Default)]
struct Bindings {
    /// `const` names bound to one string (`None`: to several).
    literals: BTreeMap<String, Option<String>>,
    /// Names whose value is built from `Server.Context` (or from such a name).
    context: BTreeSet<String>,
    kind: Option<VariableDeclarationKind>,
}

impl<'a> Visit<'a> for Bindings {
    fn visit_variable_declaration(&mut self, it: &oxc_ast::ast::VariableDeclaration<'a>) {
        self.kind = Some(it.kind);
        walk::walk_variable_declaration(self, it);
    }
    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            let name = id.name.to_string();
            if self.kind == Some(VariableDeclarationKind::Const) {
                if let Some(s) = literal(init) {
                    let slot = self.literals.entry(name.clone()).or_insert_with(|| Some(s.clone()));
                    if slot.as_deref() != Some(s.as_str()) {
                        *slot = None;
                    }
                }
            }
            if from_context(init, &self.context) {
                self.context.insert(name);
            }
        }
        walk::walk_variable_declarator(self, it);
    }
}

/// A string literal or a template without expressions.
fn literal(e: &Expression) -> Option<String> {
    match e {
        Expression::StringLiteral(s) => Some(s.value.to_string()),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() => {
            t.quasis.first().and_then(|q| q.value.cooked.as_ref()).map(|c| c.to_string())
        }
        Expression::ParenthesizedExpression(p) => literal(&p.expression),
        _ => None,
    }
}

/// Whether `e` reads `Server.Context` or a name built from it.
fn from_context(e: &Expression, context: &BTreeSet<String>) -> bool {
    struct Finder<'c> {
        context: &'c BTreeSet<String>,
        found: bool,
    }
    impl<'a> Visit<'a> for Finder<'_> {
        fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
            if dotted(&it.object).is_some_and(|d| d == "Server") && it.property.name == "Context" {
                self.found = true;
            }
            walk::walk_static_member_expression(self, it);
        }
        fn visit_identifier_reference(&mut self, it: &IdentifierReference<'a>) {
            if self.context.contains(it.name.as_str()) {
                self.found = true;
            }
        }
    }
    let mut f = Finder { context, found: false };
    f.visit_expression(e);
    f.found
}

struct Reader<'c> {
    code: &'c str,
    bindings: &'c Bindings,
    function: Vec<String>,
    out: CodeReading,
}

impl Reader<'_> {
    fn entity_set(&self, arg: Option<&Argument>) -> EntitySet {
        let Some(e) = arg.and_then(|a| a.as_expression()) else { return EntitySet::Dynamic };
        if let Some(s) = literal(e) {
            return EntitySet::Literal(s);
        }
        if let Expression::Identifier(i) = e {
            if let Some(Some(s)) = self.bindings.literals.get(i.name.as_str()) {
                return EntitySet::Literal(s.clone());
            }
        }
        EntitySet::Dynamic
    }
}

impl<'a> Visit<'a> for Reader<'_> {
    fn visit_function(&mut self, it: &Function<'a>, flags: oxc_syntax::scope::ScopeFlags) {
        self.function.push(it.id.as_ref().map(|i| i.name.to_string()).unwrap_or_default());
        walk::walk_function(self, it, flags);
        self.function.pop();
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Some(name) = dotted(&it.callee) {
            let at = line_column(self.code, it.span.start as usize);
            let m = name.strip_prefix("Server.Connector.Dataverse.");
            let op = match m {
                Some("RetrieveRecord" | "RetrieveMultipleRecords") => Some(Op::Read),
                Some("CreateRecord") => Some(Op::Create),
                Some("UpdateRecord") => Some(Op::Write),
                Some("DeleteRecord") => Some(Op::Delete),
                Some("InvokeCustomApi") => {
                    self.out.unbounded.push(("InvokeCustomApi".to_string(), at));
                    None
                }
                _ => None,
            };
            if name.starts_with("Server.Connector.HttpClient.") {
                self.out.unbounded.push(("HttpClient".to_string(), at));
            }
            if let Some(op) = op {
                let set = self.entity_set(it.arguments.first());
                // R12: the entity set, or the query options (`fetchXml=`, `$filter`, ...)
                // of a read; a record's id or payload from the request is not a proxy.
                let options = match m {
                    Some("RetrieveMultipleRecords") => Some(1),
                    Some("RetrieveRecord") => Some(2),
                    _ => None,
                };
                let proxy = it
                    .arguments
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i == 0 || Some(*i) == options)
                    .filter_map(|(_, a)| a.as_expression())
                    .any(|e| from_context(e, &self.bindings.context));
                let function = self.function.last().cloned().unwrap_or_default();
                self.out.calls.push(Call { function, op, set, proxy, at });
            }
        }
        walk::walk_call_expression(self, it);
    }
}
