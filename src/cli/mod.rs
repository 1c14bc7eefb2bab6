//! Front ends: the interactive session (the REPL's commands, in one table),
//! and the renderers that turn answers into text, tables and pictures for
//! a person. The binary (`src/bin/portal-access/`) only parses arguments
//! and prints what these return.
//!
//! Rooms, each importing only the ones before it: [`text`] (tables, colour,
//! the `can`/`who`/`what` sentences), [`explain`] (`why`, `roles`, `tree`
//! as text), [`picture`] (the same as Graphviz DOT, or SVG drawn by
//! [`svg`]), [`report_html`] (the security review as one HTML page),
//! [`complete`] (Tab completion from the command grammar), [`expect`] (the
//! `test` report as text, JSON and JUnit XML), and [`session`] (the command
//! table and [`session::Session::execute`]).

pub mod text;
pub mod grants;
pub mod text_finance;
pub mod text_patterns;
pub mod explain;
pub mod picture;
pub mod svg;
pub mod report_html;
pub mod progress;
pub mod pull;
pub mod grammar;
pub mod complete;
pub mod expect;
pub mod session;
pub mod channels;
pub mod surfaces;
