//! Front ends: the interactive session (the REPL's commands, in one table),
//! and the renderers that turn answers into text, tables and pictures for
//! a person. The binary (`src/bin/portal-access/`) only parses arguments
//! and prints what these return.
//!
//! Rooms, each importing only the ones before it: [`text`] (tables, colour,
//! the `can`/`who`/`what` sentences), [`explain`] (`why`, `roles`, `tree`
//! as text), [`picture`] (the same as Graphviz DOT and SVG), [`complete`]
//! (Tab completion from the command grammar), and [`session`] (the command
//! table and [`session::Session::execute`]).

pub mod text;
pub mod text_finance;
pub mod explain;
pub mod picture;
pub mod grammar;
pub mod complete;
pub mod session;
