//! WAC006 country-not-allowed: a recipient in a region the account may not message.

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::Check;

use super::RowCheck;

declare_rule! {
    /// ## What it checks
    /// A valid number whose region is outside `allowed_countries` (when that list is set)
    /// or inside `blocked_countries`, both in walint.toml as ISO 3166-1 alpha-2 codes.
    ///
    /// ## Why it matters
    /// Meta restricts some business categories from messaging users in some countries,
    /// and such sends fail with 130497 (country restricted). Which countries apply depends
    /// on the account and is not published as a list, so walint takes it from the config
    /// (the fact sheet marks the list itself UNCONFIRMED; walint only enforces what you set).
    ///
    /// ## Example
    /// ```toml
    /// allowed_countries = ["IN", "AE"]
    /// ```
    /// makes a `+44…` (GB) recipient a finding.
    ///
    /// ## How to fix
    /// Remove recipients in restricted regions, or correct the lists in walint.toml.
    pub static RULE = {
        code: "WAC006", name: "country-not-allowed", wa_error: Some(130497), severity: Error,
        check: Check::Row(check),
    }
}

/// The finding for a recipient in a region the policy does not allow.
pub fn check(cx: &RowCheck) -> Option<Diagnostic> {
    let policy = cx.policy;
    if policy.blocked_countries.is_empty() && policy.allowed_countries.is_empty() {
        return None;
    }
    let region = cx.number()?.region()?;
    let why = if policy.blocked_countries.contains(&region) {
        "in blocked_countries"
    } else if !policy.allowed_countries.is_empty() && !policy.allowed_countries.contains(&region) {
        "not in allowed_countries"
    } else {
        return None;
    };
    Some(
        RULE.diagnostic(
            format!("recipient is in {region}, which is {why}"),
            cx.phone_cell(),
        )
        .with_help(
            "remove the recipient, or change allowed_countries / blocked_countries in walint.toml",
        ),
    )
}

#[cfg(test)]
mod tests {
    use crate::phone::RegionCode;
    use crate::rules::contacts::{ContactPolicy, test_support::findings};

    #[test]
    fn allowed_and_blocked() {
        let region = |c| RegionCode::parse(c).unwrap();
        let p = ContactPolicy {
            allowed_countries: vec![region("IN")],
            ..ContactPolicy::default()
        };
        let d = findings(&super::RULE, "+447400123456", &p);
        assert!(
            d[0].message
                .contains("GB, which is not in allowed_countries"),
            "{}",
            d[0].message
        );
        assert!(findings(&super::RULE, "+919876543210", &p).is_empty());
        let p = ContactPolicy {
            blocked_countries: vec![region("GB")],
            ..ContactPolicy::default()
        };
        assert_eq!(findings(&super::RULE, "+44 7400 123456", &p).len(), 1);
        assert!(findings(&super::RULE, "+919876543210", &p).is_empty());
        assert!(findings(&super::RULE, "+447400123456", &ContactPolicy::default()).is_empty());
    }
}
