//! The console transcripts of `README.md` and `docs/*.md` run as tests:
//! every ```console block's `$ portal-access ...` lines run against the built
//! binary from the repository root, and what it prints (standard output and
//! standard error together) must be the text below it; a `? N` line gives an
//! exit code other than 0. `...` on a line of its own stands for any lines,
//! `[..]` for any text within a line.
//!
//! After a change of output, `TRYCMD=overwrite cargo test --test docs`
//! writes the program's output into the documents; review the diff. A
//! block with `...` that still matches is kept; one that no longer matches
//! is written out whole, so shorten it again by hand. An output that ends
//! with a newline is followed by a blank line before the next `$` or the
//! closing fence (trycmd's form).
//! Blocks that depend on the machine (timings) are ```text, and not run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[test]
fn console_transcripts_print_what_the_program_prints() {
    trycmd::TestCases::new()
        .register_bin("portal-access", std::path::Path::new(env!("CARGO_BIN_EXE_portal-access")))
        .env("NO_COLOR", "1")
        .case("README.md")
        .case("docs/*.md");
}
