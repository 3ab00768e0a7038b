//! WAR009 empty-registry: a registry file that holds no template.

use crate::declare_rule;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::Check;

use super::RegistryCheck;

declare_rule! {
    /// ## What it checks
    /// A template registry file with no template in it: a Graph API export whose `data` is
    /// empty (`{"data": []}`, what `GET /<WABA_ID>/message_templates` returns for an
    /// account with no template, or for a filter that matched none) or an empty array. It
    /// is still a registry: walint checks template messages against it, so every template
    /// they send is reported as not found (WAT001, 132001) — an account with no template
    /// can send none. Given with `--registry` or `registry = […]` or as a path, it fires
    /// alike.
    ///
    /// ## Why it matters
    /// An empty export usually means the wrong account (WABA) id, a wrong access token
    /// scope, or a `status`/`name` filter on the export request; sending against that
    /// account fails every template message with 132001 ("Template name does not exist in
    /// the translation"). Treating the file as "no registry" would pass every message
    /// silently instead.
    ///
    /// ## Example
    /// ```json
    /// {"data": [], "paging": {"cursors": {}}}
    /// ```
    ///
    /// ## How to fix
    /// Export the templates of the account the campaign sends from (`GET
    /// /<WABA_ID>/message_templates?limit=250`, following `paging.next`), with no filter.
    pub static RULE = {
        code: "WAR009", name: "empty-registry", wa_error: Some(132001), severity: Warning,
        check: Check::Definition(check),
    }
}

/// One finding per registry file that holds no template.
pub fn check(cx: &RegistryCheck, out: &mut Vec<Diagnostic>) {
    for path in cx.empty_files {
        out.push(
            RULE.diagnostic(
                "the registry holds no template: every template message checked against it is \
                 reported as not found (WAT001)",
                Location::File {
                    path: path.clone(),
                    line: None,
                },
            )
            .with_help(
                "export the templates of the account the campaign sends from, with no filter",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::registry::test_support::findings;

    #[test]
    fn fires_on_an_empty_export_only() {
        for empty in [r#"{"data": []}"#, "[]"] {
            assert_eq!(findings(&super::RULE, empty).len(), 1, "{empty}");
        }
        let one = r#"[{"name":"a","language":"en","components":[{"type":"BODY","text":"Hi"}]}]"#;
        assert!(findings(&super::RULE, one).is_empty());
    }
}
