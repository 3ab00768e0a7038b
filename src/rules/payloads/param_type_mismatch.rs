//! WAT010 param-type-mismatch: a header or body parameter of a type the template's
//! component does not take (an image for a VIDEO header, a non-PDF document…).

use crate::declare_rule;
use crate::diagnostic::Diagnostic;
use crate::rules::{Check, InCampaign};

use super::PayloadCheck;
use super::template_parts::{SentParam, describe, first_of, header_format};

declare_rule! {
    /// ## What it checks
    /// A header or body parameter of a type the template does not take:
    /// - an IMAGE header takes an `image`, a VIDEO header a `video`, a DOCUMENT header a
    ///   `document`, a GIF header a `gif` (or `video`), a LOCATION header a `location`;
    /// - a TEXT header and the body take only `text`, `currency` and `date_time` (no
    ///   media, no location);
    /// - a document header takes PDF only: a `filename`, or the file name at the end of
    ///   the `link`'s path, with an extension other than `.pdf` is a finding.
    ///
    /// Button parameters are `button-param-mismatch`'s (WAT007).
    ///
    /// ## Why it matters
    /// A value in the wrong format fails the send with 132012 (parameter format
    /// mismatch), often only in the status webhook after the API answered 200.
    ///
    /// ## Example
    /// ```json
    /// {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://…/a.jpg"}}]}
    /// ```
    /// for a template with a VIDEO header.
    ///
    /// ## How to fix
    /// Send the kind of media the header was created with (or change the template), and
    /// convert documents to PDF.
    pub static RULE = {
        code: "WAT010", name: "param-type-mismatch", wa_error: Some(132012), severity: Error,
        check: Check::Message { check, campaign: InCampaign::Definition },
    }
}

const TEXTUAL: &[&str] = &["text", "currency", "date_time"];

/// The parameter types a header format takes (`None`: not judged).
fn header_types(format: &str) -> Option<&'static [&'static str]> {
    Some(match format {
        "TEXT" => TEXTUAL,
        "IMAGE" => &["image"],
        "VIDEO" => &["video"],
        "DOCUMENT" => &["document"],
        "GIF" => &["gif", "video"],
        "LOCATION" => &["location"],
        _ => return None,
    })
}

/// The extension of a file name or of a URL's last path segment, lower-cased, when it
/// looks like one (1 to 5 letters or digits after the last dot).
fn extension(name: &str) -> Option<String> {
    let name = name.split(['?', '#']).next().unwrap_or(name);
    let last = name.rsplit('/').next().unwrap_or(name);
    let (_, ext) = last.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| ext.to_ascii_lowercase())
}

/// Why a document parameter is not a PDF, when its filename or link says so.
fn not_pdf(p: &SentParam) -> Option<(String, String)> {
    let doc = p.value.get("document")?;
    for field in ["filename", "link"] {
        let Some(value) = doc.get(field).and_then(|v| v.as_str()) else {
            continue;
        };
        let value = if field == "link" {
            // The path only: drop the scheme and host.
            value
                .split_once("://")
                .map_or(value, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]))
        } else {
            value
        };
        if let Some(ext) = extension(value)
            && ext != "pdf"
        {
            return Some((
                format!("{}/document/{field}", p.pointer()),
                format!("{field} ends in `.{ext}`"),
            ));
        }
    }
    None
}

/// Reports header and body parameters of a type the template does not take.
pub fn check(cx: &PayloadCheck, out: &mut Vec<Diagnostic>) {
    let Some((t, obj)) = cx.template() else {
        return;
    };
    let format = header_format(t);
    if let (Some(allowed), Some(sent)) = (header_types(&format), first_of(obj, "header")) {
        for p in sent.params() {
            let kind = p.kind();
            if kind.is_empty() {
                continue;
            }
            if !allowed.contains(&kind.as_ref()) {
                let what = if format == "TEXT" {
                    "text header".to_string()
                } else {
                    format!("{format} header")
                };
                out.push(
                    RULE.diagnostic(
                        format!(
                            "template {} has a {what}, but the header parameter is of type `{kind}`",
                            describe(t)
                        ),
                        cx.at(&p.field_pointer("type")),
                    )
                    .with_help(format!("send a `{}` parameter in the header", allowed.join("` or `"))),
                );
            } else if kind == "document"
                && let Some((at, why)) = not_pdf(&p)
            {
                out.push(
                    RULE.diagnostic(
                        format!(
                            "template {} document header takes PDF only; the {why}",
                            describe(t)
                        ),
                        cx.at(&at),
                    )
                    .with_help("convert the document to PDF (and name it `….pdf`)"),
                );
            }
        }
    }
    if let Some(sent) = first_of(obj, "body") {
        for p in sent.params() {
            let kind = p.kind();
            if !kind.is_empty() && !TEXTUAL.contains(&kind.as_ref()) {
                out.push(
                    RULE.diagnostic(
                        format!("body parameter of type `{kind}`: the body takes only text, currency and date_time"),
                        cx.at(&p.field_pointer("type")),
                    )
                    .with_help("media and locations go in the header, payloads and codes in button components"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::payloads::test_support::{findings, msg, ptr};

    const REG: &str = r#"[
        {"name":"vid","language":"en","status":"APPROVED","components":[{"type":"HEADER","format":"VIDEO"},{"type":"BODY","text":"Hi {{1}}"}]},
        {"name":"doc","language":"en","status":"APPROVED","components":[{"type":"HEADER","format":"DOCUMENT"},{"type":"BODY","text":"Hi"}]},
        {"name":"txt","language":"en","status":"APPROVED","components":[{"type":"HEADER","format":"TEXT","text":"Hi {{1}}"},{"type":"BODY","text":"Hi"}]},
        {"name":"gif","language":"en","status":"APPROVED","components":[{"type":"HEADER","format":"GIF"},{"type":"BODY","text":"Hi"}]}]"#;

    fn header(p: &str) -> String {
        format!(r#"[{{"type":"header","parameters":[{p}]}}]"#)
    }

    #[test]
    fn wrong_kinds_fire() {
        let d = findings(
            &super::RULE,
            &msg(
                "vid",
                "en",
                &header(r#"{"type":"image","image":{"id":"1"}}"#),
            ),
            REG,
        );
        assert_eq!(d.len(), 1);
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters/0/type");
        let loc = r#"{"type":"location","location":{"latitude":1,"longitude":2,"name":"a","address":"b"}}"#;
        assert_eq!(
            findings(&super::RULE, &msg("txt", "en", &header(loc)), REG).len(),
            1
        );
        assert_eq!(
            findings(
                &super::RULE,
                &msg("doc", "en", &header(r#"{"type":"TEXT","text":"a"}"#)),
                REG
            )
            .len(),
            1
        );
        let body = r#"[{"type":"body","parameters":[{"type":"image","image":{"id":"1"}}]}]"#;
        let d = findings(&super::RULE, &msg("vid", "en", body), REG);
        assert_eq!(ptr(&d[0]), "/template/components/0/parameters/0/type");
        let docx = r#"{"type":"document","document":{"link":"https://x.example/r.pdf","filename":"receipt.docx"}}"#;
        let d = findings(&super::RULE, &msg("doc", "en", &header(docx)), REG);
        assert_eq!(
            ptr(&d[0]),
            "/template/components/0/parameters/0/document/filename"
        );
        let link =
            r#"{"type":"document","document":{"link":"https://x.example/files/report.DOCX?v=2"}}"#;
        let d = findings(&super::RULE, &msg("doc", "en", &header(link)), REG);
        assert_eq!(
            ptr(&d[0]),
            "/template/components/0/parameters/0/document/link"
        );
    }

    #[test]
    fn near_misses() {
        let v = header(r#"{"type":"VIDEO","video":{"link":"https://x.example/a.mp4"}}"#);
        assert!(findings(&super::RULE, &msg("vid", "en", &v), REG).is_empty());
        assert!(findings(&super::RULE, &msg("gif", "en", &v), REG).is_empty());
        for doc in [
            r#"{"type":"document","document":{"link":"https://x.example/r.PDF","filename":"receipt.pdf"}}"#,
            r#"{"type":"document","document":{"link":"https://x.example/download?id=3"}}"#,
            r#"{"type":"document","document":{"link":"https://files.example.com"}}"#,
            r#"{"type":"document","document":{"id":"1234","filename":"receipt"}}"#,
        ] {
            assert!(
                findings(&super::RULE, &msg("doc", "en", &header(doc)), REG).is_empty(),
                "{doc}"
            );
        }
        let body = r#"[{"type":"body","parameters":[{"type":"date_time","date_time":{"fallback_value":"May 1"}}]}]"#;
        assert!(findings(&super::RULE, &msg("vid", "en", body), REG).is_empty());
    }
}
