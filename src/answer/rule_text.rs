//! The rules in plain words: [`docs/rules.md`](../../docs/rules.md), one
//! paragraph per rule id (S1 to S26, C1 to C11, F1 to F8, A1 to A11, R1 to
//! R17, P1 to P17), compiled in, so that answers and the report can quote
//! the paragraph behind a rule id they cite, for a reviewer who has not read
//! the specification.

/// The document, as written in the repository.
pub const RULES_MD: &str = include_str!("../../docs/rules.md");

/// Where the document lives, relative to the repository root.
pub const RULES_PATH: &str = "docs/rules.md";

/// One rule, as `docs/rules.md` explains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleText {
    /// `S13`.
    pub id: &'static str,
    /// `Parent`.
    pub title: &'static str,
    /// The paragraph, on one line (Markdown, with its backticks).
    pub text: String,
}

impl RuleText {
    /// The anchor GitHub gives the rule's heading (`s13-parent`), for a link
    /// `docs/rules.md#s13-parent`.
    pub fn anchor(&self) -> String {
        let heading = format!("{} {}", self.id, self.title).to_lowercase();
        let mut out = String::new();
        for c in heading.chars() {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                out.push(c);
            } else if c == ' ' {
                out.push('-');
            }
        }
        out
    }
}

/// Every rule, in the document's order.
pub fn all() -> Vec<RuleText> {
    let mut rules = Vec::new();
    let mut cur: Option<RuleText> = None;
    for line in RULES_MD.lines() {
        if let Some(head) = line.strip_prefix("### ") {
            rules.extend(cur.take());
            let (id, title) = head.split_once(' ').unwrap_or((head, ""));
            cur = Some(RuleText { id, title, text: String::new() });
        } else if line.starts_with('#') {
            rules.extend(cur.take());
        } else if let Some(r) = cur.as_mut() {
            if !line.trim().is_empty() {
                if !r.text.is_empty() {
                    r.text.push(' ');
                }
                r.text.push_str(line.trim());
            }
        }
    }
    rules.extend(cur);
    rules
}

/// One rule by id (`S13`), if the document has it.
pub fn rule(id: &str) -> Option<RuleText> {
    all().into_iter().find(|r| r.id == id)
}

/// Whether `s` has the shape of a rule id: one of `S C F A R P`, then a
/// number with no leading zero (`PP001`, a lint id, is not one).
pub fn is_rule_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('S' | 'C' | 'F' | 'A' | 'R' | 'P'))
        && !s[1..].is_empty()
        && !s[1..].starts_with('0')
        && s[1..].len() <= 2
        && s[1..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn every_rule_id_of_the_spec_has_one_paragraph() {
        let rules = all();
        for (family, last) in [('S', 26), ('C', 11), ('F', 8), ('A', 11), ('R', 17), ('P', 17)] {
            for n in 1..=last {
                let id = format!("{family}{n}");
                let found: Vec<&RuleText> = rules.iter().filter(|r| r.id == id).collect();
                assert_eq!(found.len(), 1, "{id}");
                assert!(found[0].text.len() > 20, "{id} is explained");
                assert!(is_rule_id(&id));
            }
        }
        assert_eq!(rules.len(), 26 + 11 + 8 + 11 + 17 + 17);
        assert_eq!(rule("S13").unwrap().anchor(), "s13-parent");
        assert_eq!(rule("F2").unwrap().anchor(), "f2-the-fo-user-of-a-visitor");
        assert!(!is_rule_id("PP001") && !is_rule_id("S") && !is_rule_id("C01") && !is_rule_id("S130"));
    }
}
