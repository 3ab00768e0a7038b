//! The real-world corpus (`fixtures/realworld/`): template/payload pairs gathered from
//! public material walint's team did not write — Meta's docs, sample apps and Postman
//! collection, SDK test data, issue threads quoting Meta's response — each with the outcome
//! Meta gave (accepted, or the error code it returned) and its provenance
//! (`fixtures/realworld/INDEX.md`). Each case is checked through the library, offline:
//!
//! - a send: its payload against its registry; accepted means no error-severity finding
//!   on the payload, rejected means an error finding naming Meta's code (any error finding
//!   when the source gives no code);
//! - a template creation request (`"_kind": "template_creation"`): the request read as a
//!   registry, with the same verdict on its registry findings.
//!
//! A case whose sources disagree carries `verdict.disputed` (why) and is not asserted.

use std::path::Path;

use serde_json::Value;
use walint::diagnostic::Severity;

use crate::support;

/// What walint says of one case: the error findings on the judged file, as
/// (code, wa_error).
fn errors(case: &Value, dir: &Path) -> Vec<(String, Option<u32>)> {
    let payload = &case["payload"];
    let creation = payload["_kind"] == "template_creation";
    let judged = dir.join(if creation {
        "creation.json"
    } else {
        "payload.json"
    });
    let mut paths = vec![judged.clone()];
    if creation {
        let mut request = payload.clone();
        let fields = request.as_object_mut().unwrap();
        fields.remove("_kind");
        fields.remove("endpoint");
        std::fs::write(&judged, serde_json::to_vec_pretty(&[request]).unwrap()).unwrap();
    } else {
        let registry = dir.join("registry.json");
        std::fs::write(
            &registry,
            serde_json::to_vec_pretty(&case["registry"]).unwrap(),
        )
        .unwrap();
        std::fs::write(&judged, serde_json::to_vec_pretty(payload).unwrap()).unwrap();
        paths.push(registry);
    }
    let refs: Vec<&Path> = paths.iter().map(|p| p.as_path()).collect();
    let report = support::check(&refs, None).unwrap();
    let judged = judged.display().to_string();
    report
        .diagnostics
        .to_vec()
        .unwrap()
        .into_iter()
        .filter(|d| d.severity == Severity::Error && d.location.path() == judged)
        .map(|d| (d.code().to_string(), d.wa_error))
        .collect()
}

#[test]
fn walint_agrees_with_meta_on_every_real_world_case() {
    let dir = support::fixture("realworld/cases");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} cases", files.len());
    let mut wrong = Vec::new();
    for file in &files {
        let case: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let found = errors(&case, tmp.path());
        let verdict = &case["verdict"];
        if verdict.get("disputed").is_some() {
            // Sources disagree (the case says why): not asserted either way.
            continue;
        }
        let agrees = if verdict["accepted"] == true {
            found.is_empty()
        } else {
            match verdict["code"].as_u64() {
                Some(code) => found.iter().any(|(_, wa)| *wa == Some(code as u32)),
                None => !found.is_empty(),
            }
        };
        if !agrees {
            wrong.push(format!(
                "{}: Meta {}, walint {:?}",
                case["id"].as_str().unwrap(),
                if verdict["accepted"] == true {
                    "accepted".to_string()
                } else {
                    format!("rejected {}", verdict["code"])
                },
                found
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases disagree:\n{}",
        wrong.len(),
        files.len(),
        wrong.join("\n")
    );
}
