//! The grammar of the session's commands: what each argument is, and the
//! shape of one command (name, arguments, flags, help), over any handler.
//! Parsing, `help` and Tab completion read it.

use crate::answer::query::privileges_by_name;
use crate::model::Privilege;

/// What an argument is, for checking usage and for Tab completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg {
    /// A contact id or `anonymous`.
    Visitor,
    /// One of the six privileges.
    Privilege,
    /// `TABLE:ID`, or a table name when the privilege is `create`.
    Target,
    /// A table name.
    Table,
    /// A table permission id.
    Permission,
    /// `permission`, `role` or `row` (the kind `show` shows).
    ShowKind,
    /// An id whose kind the previous argument names.
    ShowId,
    /// A file path.
    Path,
    /// A command name.
    Command,
    /// A whole number.
    Number,
    /// A column logical name (of the table of a row named before it).
    Column,
    /// `page:ID` (surfaces.md, `who ... open`).
    Page,
    /// `serverlogic:NAME` or `cloudflow:ID` (`who ... invoke`).
    Endpoint,
}

/// A positional argument of a command.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    /// Its name in the usage line (`VISITOR`).
    pub name: &'static str,
    /// What it is.
    pub kind: Arg,
    /// Whether it must be given.
    pub required: bool,
}

/// A `--flag` of a command, with the kind of its value when it takes one.
#[derive(Debug, Clone, Copy)]
pub struct Flag {
    /// `--table`.
    pub name: &'static str,
    /// The value's name and kind (`("TABLE", Arg::Table)`), or none for a switch.
    pub value: Option<(&'static str, Arg)>,
}

/// One REPL command: everything `help`, the parser and the completer know
/// about it, and the function that runs it.
pub struct Command<H> {
    /// The word that starts the line.
    pub name: &'static str,
    /// Other words for the same command.
    pub aliases: &'static [&'static str],
    /// Positional arguments, in order.
    pub params: &'static [Param],
    /// Flags.
    pub flags: &'static [Flag],
    /// One line of help.
    pub help: &'static str,
    /// The function that runs it.
    pub handler: H,
}

impl<H> Command<H> {
    /// `can VISITOR PRIVILEGE TABLE:ID [--json]`.
    pub fn usage(&self) -> String {
        let mut s = self.name.to_string();
        for p in self.params {
            s.push(' ');
            if p.required {
                s.push_str(p.name);
            } else {
                s.push_str(&format!("[{}]", p.name));
            }
        }
        for f in self.flags {
            match f.value {
                Some((v, _)) => s.push_str(&format!(" [{} {v}]", f.name)),
                None => s.push_str(&format!(" [{}]", f.name)),
            }
        }
        s
    }
}

pub(crate) const fn req(name: &'static str, kind: Arg) -> Param {
    Param { name, kind, required: true }
}
pub(crate) const fn opt(name: &'static str, kind: Arg) -> Param {
    Param { name, kind, required: false }
}

/// Privilege names, in plain string order (what completion offers).
pub fn privilege_names() -> Vec<&'static str> {
    privileges_by_name().into_iter().map(Privilege::name).collect()
}
