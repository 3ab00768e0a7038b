//! Graph API failures in words: reads Graph's error body
//! (`{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}`), tells the
//! answers worth retrying (HTTP 429 and 5xx, Graph's rate-limit codes) from the final
//! ones, and turns a final one into the single line walint prints — what went wrong and
//! what to do (refresh the token, check the WABA id, grant a permission). Text that comes
//! from Graph is made one short line and has the access token taken out of it. This module
//! sends nothing (see `graph`).

use serde::Deserialize;

/// Graph error codes that mean "too many calls, try later": 4 (the app's rate limit),
/// 80007 (the WhatsApp Business Account's), 130429 (Cloud API throughput). Code 2
/// (temporary downtime) is retried too.
const RATE_LIMIT_CODES: [i64; 3] = [4, 80007, 130429];

/// The most of Graph's own message kept in a line.
const MESSAGE_CHARS: usize = 300;

/// The `error` object of a Graph API answer.
#[derive(Debug, Clone, Default, Deserialize)]
pub(super) struct GraphError {
    #[serde(default)]
    message: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    error_subcode: Option<i64>,
    #[serde(default)]
    is_transient: Option<bool>,
    #[serde(default)]
    fbtrace_id: Option<String>,
}

impl GraphError {
    /// The `error` object of a body, when it has one.
    pub(super) fn from_body(body: &[u8]) -> Option<GraphError> {
        #[derive(Deserialize)]
        struct Body {
            error: GraphError,
        }
        serde_json::from_slice::<Body>(body).ok().map(|b| b.error)
    }
}

/// What the line is about: the variable the token came from, the account, the page.
pub(super) struct Context<'a> {
    /// The environment variable holding the token (`WHATSAPP_TOKEN`).
    pub token_env: &'a str,
    /// The access token itself, to take out of any text shown.
    pub token: &'a str,
    /// The `--waba-id`.
    pub waba_id: &'a str,
    /// The page being fetched (1-based).
    pub page: usize,
    /// Requests made for it.
    pub attempts: u32,
}

/// Whether an answer is worth asking again after a wait.
pub(super) fn retryable(status: u16, error: Option<&GraphError>) -> bool {
    match error.and_then(|e| e.code) {
        Some(190 | 100 | 10 | 200..=299) => false,
        Some(code) if code == 2 || RATE_LIMIT_CODES.contains(&code) => true,
        _ => {
            status == 429
                || (500..600).contains(&status)
                || error.and_then(|e| e.is_transient) == Some(true)
        }
    }
}

/// The one line for a final error answer (HTTP `status`, Graph's `error` if any).
pub(super) fn describe(status: u16, error: Option<&GraphError>, cx: &Context<'_>) -> String {
    let Some(error) = error else {
        let retried = retried(cx);
        return format!(
            "the Graph API answered HTTP {status} without an error object{}{retried}",
            on_page(cx)
        );
    };
    let code = error.code.unwrap_or(0);
    let said = said(error, cx);
    let env = cx.token_env;
    let line = match code {
        190 => format!(
            "the Graph API refused the access token in {env} ({said}): it has expired or is invalid; refresh the token (a System User token from Business Settings does not expire) and set {env} again"
        ),
        100 => format!(
            "the Graph API refused the request ({said}): check that --waba-id {} is the WhatsApp Business Account id (not a phone number id or an app id) and that the token in {env} can see it",
            cx.waba_id
        ),
        10 | 200..=299 => format!(
            "the access token in {env} lacks a permission ({said}): it needs whatsapp_business_management on WhatsApp Business Account {}; grant it to the app or System User and create a new token",
            cx.waba_id
        ),
        _ if retryable(status, Some(error)) => format!(
            "the Graph API is still refusing after {} attempts (HTTP {status}, {said}): it is rate-limiting or unavailable; try again later",
            cx.attempts
        ),
        _ => format!("the Graph API answered HTTP {status} ({said})"),
    };
    let trace = error
        .fbtrace_id
        .as_deref()
        .map(|t| format!(" [fbtrace_id {}]", shown(t, cx.token)))
        .unwrap_or_default();
    format!("{line}{}{trace}", on_page(cx))
}

/// `code 190/463, OAuthException: Graph's message`.
fn said(error: &GraphError, cx: &Context<'_>) -> String {
    let mut out = match (error.code, error.error_subcode) {
        (Some(code), Some(sub)) => format!("code {code}/{sub}"),
        (Some(code), None) => format!("code {code}"),
        (None, _) => "no error code".to_string(),
    };
    if let Some(kind) = error.kind.as_deref().filter(|k| !k.is_empty()) {
        out.push_str(", ");
        out.push_str(&shown(kind, cx.token));
    }
    if let Some(message) = error.message.as_deref().filter(|m| !m.is_empty()) {
        out.push_str(": ");
        out.push_str(&shown(message, cx.token));
    }
    out
}

fn on_page(cx: &Context<'_>) -> String {
    match cx.page {
        1 => String::new(),
        n => format!(" (page {n})"),
    }
}

fn retried(cx: &Context<'_>) -> String {
    match cx.attempts {
        1 => String::new(),
        n => format!(", after {n} attempts"),
    }
}

/// Text from elsewhere made fit for a line: the token taken out, whitespace runs (line
/// breaks too) made one space, at most [`MESSAGE_CHARS`] characters.
pub(super) fn shown(text: &str, token: &str) -> String {
    let redacted = match token.is_empty() {
        true => text.to_string(),
        false => text.replace(token, "[token]"),
    };
    let mut out: String = redacted.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some((cut, _)) = out.char_indices().nth(MESSAGE_CHARS) {
        out.truncate(cut);
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(page: usize) -> Context<'static> {
        Context {
            token_env: "WHATSAPP_TOKEN",
            token: "EAAsecret",
            waba_id: "1234",
            page,
            attempts: 5,
        }
    }

    fn error(body: &str) -> GraphError {
        GraphError::from_body(body.as_bytes()).expect("an error body")
    }

    #[test]
    fn rate_limits_and_server_errors_are_retried_token_errors_never() {
        let limited = error(r#"{"error":{"code":80007,"message":"limit"}}"#);
        assert!(retryable(400, Some(&limited)));
        assert!(retryable(429, None));
        assert!(retryable(503, None));
        assert!(!retryable(404, None));
        let expired = error(r#"{"error":{"code":190}}"#);
        assert!(!retryable(500, Some(&expired)));
    }

    #[test]
    fn each_kind_of_refusal_says_what_to_do() {
        let expired = error(
            r#"{"error":{"message":"Error validating access token EAAsecret","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"AbC"}}"#,
        );
        let line = describe(401, Some(&expired), &cx(1));
        assert!(line.contains("code 190/463, OAuthException"), "{line}");
        assert!(line.contains("refresh the token"), "{line}");
        assert!(line.contains("set WHATSAPP_TOKEN again"), "{line}");
        assert!(line.ends_with("[fbtrace_id AbC]"), "{line}");
        assert!(!line.contains("EAAsecret"), "{line}");
        let wrong_id = error(r#"{"error":{"code":100,"message":"Unsupported get request."}}"#);
        assert!(describe(400, Some(&wrong_id), &cx(1)).contains("--waba-id 1234"));
        let denied = error(r#"{"error":{"code":200,"message":"Permissions error"}}"#);
        let line = describe(403, Some(&denied), &cx(2));
        assert!(line.contains("whatsapp_business_management"), "{line}");
        assert!(line.ends_with("(page 2)"), "{line}");
        let other = error(r#"{"error":{"code":368,"message":"Temporarily\nblocked"}}"#);
        assert_eq!(
            describe(403, Some(&other), &cx(1)),
            "the Graph API answered HTTP 403 (code 368: Temporarily blocked)"
        );
        assert_eq!(
            describe(502, None, &cx(1)),
            "the Graph API answered HTTP 502 without an error object, after 5 attempts"
        );
    }

    #[test]
    fn remote_text_is_one_short_line() {
        let long = "x ".repeat(400);
        let line = shown(&long, "");
        assert_eq!(line.chars().count(), MESSAGE_CHARS + 1);
        assert!(!shown("a\r\nb", "").contains('\n'));
    }
}
