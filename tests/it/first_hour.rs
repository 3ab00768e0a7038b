//! A new user's first hour, as the lists marketing teams export arrive: fixes that never
//! change a recipient on a list with a default region, …

use crate::support::{self, fix_list, walint};

/// With a default region, digits that also read with their own country code are fixed only
/// when the numbering plans settle which is meant, and otherwise rejected saying both
/// readings — in a CSV and in an Excel number cell alike.
#[test]
fn a_default_region_never_fixes_a_number_into_another() {
    let dir = tempfile::tempdir().unwrap();
    let list =
        "name,phone\nAnna,4915123456789\nAsha,919876543210\nJonas,015112345678\nMia,15123456789\n";
    let run = fix_list(dir.path(), list, &["--default-region", "DE"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.clean, "name,phone\nAnna,+4915123456789\nAsha,+919876543210\nJonas,+4915112345678\n",
        "the German and Indian mobiles keep their country codes; the national number is German"
    );
    assert!(
        run.rejects.contains("Mia,15123456789,")
            && run.rejects.contains("two different valid numbers"),
        "{}",
        run.rejects
    );
    // An Excel number cell holds the same digits.
    let book = dir.path().join("list.xlsx");
    support::xlsx(
        &book,
        "Kunden",
        &[
            &["name", "phone"],
            &["Anna", "4915123456789"],
            &["Mia", "15123456789"],
        ],
    );
    let out = walint()
        .current_dir(dir.path())
        .args(["fix", "--no-config", "list.xlsx", "--default-region", "DE"])
        .args(["--clean", "clean-book.csv", "--rejects", "rejects-book.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let clean = std::fs::read_to_string(dir.path().join("clean-book.csv")).unwrap();
    assert!(
        clean.ends_with("name,phone\nAnna,+4915123456789\n"),
        "{clean}"
    );
    // --assume-international: every number starts with its country code.
    let run = fix_list(
        dir.path(),
        "phone\n15123456789\n4915123456789\n",
        &["--default-region", "DE", "--assume-international"],
    );
    assert_eq!(run.clean, "phone\n+15123456789\n+4915123456789\n");
}
