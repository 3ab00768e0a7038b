//! The WhatsApp error-code catalogue: one entry per error code (or code range) that
//! Meta's Cloud API, or a provider sitting in front of it, can return for a send. Each
//! entry says who has to act ([`Category`]), whether a resend can succeed ([`Retry`]),
//! what the code means and what to do about it, written in our own words. Diagnostics
//! use it to name and explain the code a finding prevents.
//!
//! This module owns the data and [`lookup`]. It does not decide which code a lint
//! finding prevents (each rule in `rules/` names its code), does not parse API error
//! bodies, and does no formatting beyond the plain strings stored here.
//!
//! Sources: the error table in `whatsapp-rules.md` §7 (Meta's documentation, older
//! Meta tables and SDKs) and the provider pages kept in `fixtures/seeds/`. Where they
//! disagree the rules sheet wins: 0 is an authentication error, not "unknown";
//! 131008 is a missing parameter, not "blocked by user"; 131030 is the test-number
//! allow-list, not a tier limit; 131052 concerns inbound media only; 131056 is the pair
//! rate limit, not an unverified business; 135000 is a request-parameter problem;
//! 130403 means the business blocked the user, not that the business was blocked.
//! `http_status` is the old Meta table's status from §7 (`None` where it shows "—");
//! for codes §7 does not list, it is a status a seed gives, if any.
//!
//! The §7 retry column maps to [`Retry`] as: "Fix" → `AfterFix`; "No" → `No`;
//! "Yes", "Yes, slow down", "Yes, wait" → `Yes`; "Later", "Yes, later" and
//! "Yes after" a stated wait → `Later`. Some cells needed a judgement: 1 ("Maybe")
//! → `Yes` with a bounded retry; 131048 ("Not stated") → `Later`; 131052 ("n/a",
//! inbound media) → `No`; 134100 and 134102 (no value in their grouped row) →
//! `AfterFix`. Codes 111001–121006 and 75 come from one provider's webhook table and
//! are not issued by Meta; their entries say so.

use serde::Serialize;

/// Who has to act, or where the failure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The access token is missing, expired or revoked.
    Auth,
    /// The app, token or operator lacks a permission the call needs.
    Permission,
    /// The business's sending number or account set-up (not billing, not policy).
    Sender,
    /// Something about the recipient: not on WhatsApp, opted out, outside the window.
    Recipient,
    /// The template named in the send, or the template being created.
    Template,
    /// Media attached to a message, outbound or inbound.
    Media,
    /// The request body itself: missing, unknown or invalid fields.
    Payload,
    /// A call, throughput or per-user rate limit was hit.
    RateLimit,
    /// Meta's (or the provider's) side failed; nothing in the request is wrong.
    Platform,
    /// Payment method, credit line, quota or billing account.
    Billing,
    /// Registering, verifying or deregistering the business phone number.
    Registration,
    /// Policy enforcement: restrictions, locks, country bans.
    Integrity,
    /// WhatsApp Flows sent in a message.
    Flow,
    /// The connection between the sender (or its provider) and the API failed.
    Network,
}

impl Category {
    /// The kebab-case name, the same string serde writes.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Auth => "auth",
            Category::Permission => "permission",
            Category::Sender => "sender",
            Category::Recipient => "recipient",
            Category::Template => "template",
            Category::Media => "media",
            Category::Payload => "payload",
            Category::RateLimit => "rate-limit",
            Category::Platform => "platform",
            Category::Billing => "billing",
            Category::Registration => "registration",
            Category::Integrity => "integrity",
            Category::Flow => "flow",
            Category::Network => "network",
        }
    }
}

/// Whether sending the same message again can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Retry {
    /// A transient failure: retry automatically with backoff (seconds to minutes).
    Yes,
    /// Only after a cooling-off period (a rate-limit window, a lockout, 24 hours);
    /// schedule the resend instead of retrying in a loop.
    Later,
    /// Only after the request, template or account has been corrected.
    AfterFix,
    /// The same send will fail again; drop it or reach the user another way.
    No,
}

impl Retry {
    /// The kebab-case name, the same string serde writes.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Retry::Yes => "yes",
            Retry::Later => "later",
            Retry::AfterFix => "after-fix",
            Retry::No => "no",
        }
    }
}

/// One catalogue entry: a single error code, or a range of codes sharing one meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WaError {
    /// The first code of the entry.
    pub code: u32,
    /// The last code of the entry; equal to `code` for a single code.
    pub last: u32,
    /// A short title.
    pub title: &'static str,
    /// Who has to act, or where the failure comes from.
    pub category: Category,
    /// Whether resending the same message can succeed.
    pub retry: Retry,
    /// What the code means, in one or two sentences.
    pub meaning: &'static str,
    /// What to do about it.
    pub action: &'static str,
    /// The HTTP status the old Meta table gives, where one is known.
    pub http_status: Option<u16>,
}

use Category as C;
use Retry as R;

/// Every known code, sorted by `code`, with no two entries overlapping.
#[rustfmt::skip]
pub const CATALOGUE: &[WaError] = &[
    WaError { code: 0, last: 0, title: "AuthException", category: C::Auth, retry: R::AfterFix, http_status: Some(401),
        meaning: "The app user could not be authenticated: the access token has expired or been revoked, or the user withdrew the app's access.",
        action: "Issue a new access token (a system-user token for production) and send again." },
    WaError { code: 1, last: 1, title: "API unknown", category: C::Platform, retry: R::Yes, http_status: Some(400),
        meaning: "A catch-all: either the request is malformed or the server failed.",
        action: "Check the platform status page; with no outage, check the request against the endpoint reference. Retry a few times at most." },
    WaError { code: 2, last: 2, title: "API service", category: C::Platform, retry: R::Yes, http_status: Some(503),
        meaning: "The service is briefly down or overloaded.",
        action: "Retry with exponential backoff; check the platform status page if it persists." },
    WaError { code: 3, last: 3, title: "API method", category: C::Permission, retry: R::AfterFix, http_status: Some(500),
        meaning: "The app lacks a capability or permission the endpoint needs.",
        action: "Inspect the token in the access token debugger and grant the missing permission." },
    WaError { code: 4, last: 4, title: "Too many calls", category: C::RateLimit, retry: R::Later, http_status: Some(400),
        meaning: "The app has used up its Graph API call quota (the app-level rate limit).",
        action: "Pause calls until the window resets, then spread them out." },
    WaError { code: 10, last: 10, title: "Permission denied", category: C::Permission, retry: R::AfterFix, http_status: Some(403),
        meaning: "A permission the call needs was never granted or has been removed.",
        action: "Check the token's permissions in the access token debugger and grant the missing ones." },
    WaError { code: 33, last: 33, title: "Parameter value not valid", category: C::Sender, retry: R::AfterFix, http_status: Some(400),
        meaning: "The business phone number in the request has been deleted.",
        action: "Send from the phone-number ID of a number that still exists on the account." },
    WaError { code: 75, last: 75, title: "Internal server error", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the provider hit an internal error while handling the request.",
        action: "Retry later; contact the provider if it repeats." },
    WaError { code: 100, last: 100, title: "Invalid parameter", category: C::Payload, retry: R::AfterFix, http_status: Some(400),
        meaning: "A parameter is unknown or misspelled, or its value is out of range or too long. Also returned for a bad template name at creation and for a number written with a 00 prefix.",
        action: "Read error_data.details for the field at fault and correct it; write numbers as + and country code." },
    WaError { code: 190, last: 190, title: "Access token expired", category: C::Auth, retry: R::AfterFix, http_status: Some(401),
        meaning: "The access token has expired.",
        action: "Obtain a fresh token and update every environment that uses it." },
    WaError { code: 200, last: 299, title: "API permission", category: C::Permission, retry: R::AfterFix, http_status: Some(403),
        meaning: "A permission for this API is missing or was revoked. Code 200 alone can also mean no access token was sent (some GET endpoints).",
        action: "Send a token, then grant the permissions the access token debugger shows as missing." },
    WaError { code: 368, last: 368, title: "Temporarily blocked for policy violations", category: C::Integrity, retry: R::No, http_status: Some(403),
        meaning: "The WhatsApp Business Account was restricted or disabled for breaking a platform policy.",
        action: "Stop sending; resolve or appeal the enforcement in WhatsApp Manager before any campaign." },
    WaError { code: 1005, last: 1005, title: "Number registration refused", category: C::Registration, retry: R::AfterFix, http_status: Some(403),
        meaning: "Registering the business number failed: a registration timeout, an account still active in a WhatsApp app, a number not approved for an enterprise, or a locked registration.",
        action: "Wait out a timeout; delete the number's app account first; for a locked registration, contact the provider." },
    WaError { code: 80007, last: 80007, title: "WABA rate limit", category: C::RateLimit, retry: R::Later, http_status: Some(400),
        meaning: "The WhatsApp Business Account has hit its own API call rate limit.",
        action: "Wait for the window to reset and make fewer calls for this account." },
    WaError { code: 111001, last: 111001, title: "Application lacks permission", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the application may not perform this action; the permission was not granted or was removed.",
        action: "Ask the provider to grant the permission to the application." },
    WaError { code: 111002, last: 111002, title: "API permission not granted", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the API permission for the requested service is missing.",
        action: "Have the permission for that service enabled on the account." },
    WaError { code: 111003, last: 111003, title: "Not part of the provider network", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the requested service is not available to this account through the provider.",
        action: "Check which services the provider has enabled for the account." },
    WaError { code: 111004, last: 111004, title: "Operator not allowed", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the operator making the request is not authorised to do so.",
        action: "Use an authorised operator, or ask provider support for access." },
    WaError { code: 111005, last: 111005, title: "Service not allowed", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the service requested is not enabled for this account.",
        action: "Check the account's permissions or ask the provider to enable the service." },
    WaError { code: 111006, last: 111006, title: "Unsupported POST request", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the endpoint or HTTP method used is not supported.",
        action: "Call a supported endpoint with the method its reference gives." },
    WaError { code: 111007, last: 111007, title: "API access disrupted", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: API access was suspended until the app's Data Use Checkup is completed.",
        action: "Complete the Data Use Checkup in the App Dashboard." },
    WaError { code: 111008, last: 111008, title: "Forbidden user", category: C::Permission, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the user has no access to the billing channel the request needs.",
        action: "Ask the provider to give the user access to that billing channel." },
    WaError { code: 111009, last: 111009, title: "Invalid token", category: C::Auth, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the request was refused because its token is invalid or expired.",
        action: "Refresh the token and check its permissions." },
    WaError { code: 113001, last: 113001, title: "Connection timed out", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the connection to the API timed out or was unstable (cURL error 28).",
        action: "Retry with backoff once the connection is stable." },
    WaError { code: 113003, last: 113003, title: "TLS connection error", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the SSL/TLS connection or an internal link failed (cURL error 35).",
        action: "Retry; report it to the provider if it keeps failing." },
    WaError { code: 113004, last: 113004, title: "Could not connect", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the host could not be reached (cURL error 7).",
        action: "Retry; report it to the provider if it keeps failing." },
    WaError { code: 114001, last: 114001, title: "Bad gateway", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: an upstream server answered with HTTP 502.",
        action: "Retry later; contact the provider if it does not clear." },
    WaError { code: 114002, last: 114002, title: "Unexpected error", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: processing the request failed unexpectedly.",
        action: "Retry; contact the provider if it repeats." },
    WaError { code: 114003, last: 114003, title: "Unknown error", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: a failure with no known cause.",
        action: "Retry later; contact the provider if it repeats." },
    WaError { code: 114004, last: 114004, title: "Request for URL failed", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: a request the provider made could not be completed.",
        action: "Retry later; contact the provider if it persists." },
    WaError { code: 114005, last: 114005, title: "Connection reset", category: C::Network, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the server reset the connection (ECONNRESET).",
        action: "Send again; contact the provider if it repeats." },
    WaError { code: 114006, last: 114006, title: "Pending too long", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the message waited too long before WhatsApp's servers took it, and was dropped.",
        action: "Resend; if it repeats, check your server connection and message queue." },
    WaError { code: 115001, last: 115005, title: "Insufficient quota", category: C::Billing, retry: R::AfterFix, http_status: None,
        meaning: "Provider codes, not Meta's: the prepaid message quota for this category is used up.",
        action: "Top up the quota with the provider before sending." },
    WaError { code: 115006, last: 115006, title: "Billing account expired", category: C::Billing, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the billing account with the provider has expired.",
        action: "Renew the billing account, then resend." },
    WaError { code: 116001, last: 116001, title: "Application request limit reached", category: C::RateLimit, retry: R::Later, http_status: None,
        meaning: "Provider code, not Meta's: the application used up its request quota.",
        action: "Wait for the quota to reset before sending more." },
    WaError { code: 116002, last: 116002, title: "Too many requests", category: C::RateLimit, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the server answered HTTP 429 because too many requests came at once.",
        action: "Retry with backoff and lower the request rate." },
    WaError { code: 116003, last: 116003, title: "Throttled", category: C::RateLimit, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the server is temporarily throttling requests.",
        action: "Retry with backoff and send fewer broadcasts at once." },
    WaError { code: 117001, last: 117001, title: "Unsupported country code", category: C::Recipient, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the provider does not serve the recipient's country code.",
        action: "Check the country code; remove recipients in countries the provider does not serve." },
    WaError { code: 117002, last: 117002, title: "Number not on WhatsApp", category: C::Recipient, retry: R::No, http_status: None,
        meaning: "Provider code, not Meta's: the recipient number has no WhatsApp account.",
        action: "Remove the number or update the contact's details." },
    WaError { code: 117003, last: 117003, title: "Contact does not exist", category: C::Recipient, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the contact in the request could not be found.",
        action: "Check the recipient number." },
    WaError { code: 117004, last: 117004, title: "Invalid MSISDN", category: C::Recipient, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the phone number is malformed.",
        action: "Rewrite the number in E.164 form: +, country code, subscriber number." },
    WaError { code: 117005, last: 117005, title: "Message expired", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the message was not sent within its time limit and expired.",
        action: "Resend if it is still relevant; contact the provider if it happens often." },
    WaError { code: 117006, last: 117006, title: "Unsupported WhatsApp version", category: C::Recipient, retry: R::No, http_status: None,
        meaning: "Provider code, not Meta's: the recipient's WhatsApp version cannot show this kind of message.",
        action: "Ask the recipient, by another channel, to update WhatsApp." },
    WaError { code: 117007, last: 117007, title: "Unsuitable device", category: C::Recipient, retry: R::No, http_status: None,
        meaning: "Provider code, not Meta's: the recipient's device does not support this message.",
        action: "Reach the recipient another way." },
    WaError { code: 118001, last: 118001, title: "System overload", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: WhatsApp's side is overloaded or down for a while.",
        action: "Retry later with backoff." },
    WaError { code: 118002, last: 118002, title: "Broadcast processing failed", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: the provider could not process the broadcast; it says the quota is refunded within about a month.",
        action: "Send the broadcast again; follow up the refund with the provider." },
    WaError { code: 118003, last: 118003, title: "Internal error", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: an internal error occurred.",
        action: "Retry; contact the provider if it repeats." },
    WaError { code: 118004, last: 118004, title: "Generic internal failure", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "Provider code, not Meta's: an unspecified internal failure.",
        action: "Retry; contact the provider if it repeats." },
    WaError { code: 119001, last: 119001, title: "Template category not found", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the template's category does not exist or is invalid.",
        action: "Check the template's category with the provider." },
    WaError { code: 119002, last: 119002, title: "Invalid message format", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the template part of the request is invalid, for example with unknown or misspelled fields.",
        action: "Correct the template payload against the template definition." },
    WaError { code: 119003, last: 119003, title: "Template not found", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the template does not exist or is not approved.",
        action: "Use the exact name of an approved template." },
    WaError { code: 119004, last: 119004, title: "Parameter count mismatch", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the number of values sent differs from the template's placeholders (compare 132000).",
        action: "Send exactly one value per placeholder." },
    WaError { code: 121001, last: 121001, title: "Incomplete parameter", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: a required parameter is missing.",
        action: "Add the missing field and resend." },
    WaError { code: 121002, last: 121002, title: "Sender not found", category: C::Sender, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the sender in the request is unknown or could not be verified.",
        action: "Check the sender configured with the provider." },
    WaError { code: 121003, last: 121003, title: "Operator not found", category: C::Sender, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the operator in the request does not exist.",
        action: "Use an existing operator or contact the provider." },
    WaError { code: 121004, last: 121004, title: "Parameter value not valid", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: a parameter has an invalid value.",
        action: "Correct the value and resend." },
    WaError { code: 121005, last: 121005, title: "Invalid resource type", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the resource type in the request is not supported.",
        action: "Use a supported resource type." },
    WaError { code: 121006, last: 121006, title: "Unsupported request method", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "Provider code, not Meta's: the operation does not accept the HTTP method used (POST).",
        action: "Check the method the operation expects." },
    WaError { code: 130403, last: 130403, title: "Business blocked user", category: C::Recipient, retry: R::No, http_status: None,
        meaning: "The business has blocked this user, so messages to them are refused.",
        action: "Leave the user out; unblock them first only if the block was a mistake." },
    WaError { code: 130429, last: 130429, title: "Rate limit hit", category: C::RateLimit, retry: R::Yes, http_status: Some(400),
        meaning: "The number's message throughput was exceeded (80 per second by default). Some copies of Meta's table give HTTP 429.",
        action: "Lower the send rate and retry with backoff." },
    WaError { code: 130472, last: 130472, title: "User in marketing experiment", category: C::Recipient, retry: R::No, http_status: Some(400),
        meaning: "The user is in Meta's experiment that withholds marketing templates outside an open window; the message is neither sent nor billed.",
        action: "Do not resend; invite the user by another channel to write first, then send inside the window." },
    WaError { code: 130497, last: 130497, title: "Country restricted", category: C::Integrity, retry: R::No, http_status: None,
        meaning: "The business account may not message users in this country for its business category.",
        action: "Remove recipients in restricted countries; check the messaging policy for your category." },
    WaError { code: 131000, last: 131000, title: "Something went wrong", category: C::Platform, retry: R::Yes, http_status: Some(500),
        meaning: "The send failed for an unknown reason on Meta's side.",
        action: "Retry with backoff; escalate with the fbtrace_id if it persists." },
    WaError { code: 131002, last: 131002, title: "Invalid recipient type", category: C::Payload, retry: R::AfterFix, http_status: None,
        meaning: "The recipient_type value is not accepted.",
        action: "Set recipient_type to individual (group only for the Groups API), or leave it out." },
    WaError { code: 131005, last: 131005, title: "Access denied", category: C::Permission, retry: R::AfterFix, http_status: Some(403),
        meaning: "A permission the call needs was not granted or was removed.",
        action: "Grant the missing permission to the app and token." },
    WaError { code: 131008, last: 131008, title: "Required parameter missing", category: C::Payload, retry: R::AfterFix, http_status: Some(400),
        meaning: "A field the request needs was left out.",
        action: "Add the missing field named in error_data.details." },
    WaError { code: 131009, last: 131009, title: "Parameter value not valid", category: C::Payload, retry: R::AfterFix, http_status: Some(400),
        meaning: "One or more values in the request are not valid.",
        action: "Check each value against the values the endpoint accepts." },
    WaError { code: 131016, last: 131016, title: "Service unavailable", category: C::Platform, retry: R::Yes, http_status: Some(500),
        meaning: "A service is unavailable for a while.",
        action: "Retry with backoff." },
    WaError { code: 131021, last: 131021, title: "Recipient cannot be sender", category: C::Recipient, retry: R::AfterFix, http_status: Some(400),
        meaning: "The recipient is the business's own sending number.",
        action: "Remove the sending number from the contact list." },
    WaError { code: 131026, last: 131026, title: "Message undeliverable", category: C::Recipient, retry: R::No, http_status: Some(400),
        meaning: "The message could not be delivered: the number is not on WhatsApp, the user blocked the business or has not accepted the current terms, or the app is too old. Meta often does not say which.",
        action: "Do not resend as is; ask the user by another channel to check, and suppress numbers that keep failing." },
    WaError { code: 131030, last: 131030, title: "Recipient not in allowed list", category: C::Sender, retry: R::AfterFix, http_status: None,
        meaning: "A test business number may only message numbers on its allow-list, and this recipient is not on it.",
        action: "Add the recipient to the test number's allowed list, or send from a production number." },
    WaError { code: 131031, last: 131031, title: "Account locked", category: C::Integrity, retry: R::No, http_status: Some(403),
        meaning: "The business account is locked, for a policy violation or because data in the request (such as the two-step PIN) did not match it.",
        action: "Stop sending and resolve the lock in WhatsApp Manager or with support." },
    WaError { code: 131037, last: 131037, title: "Display name not approved", category: C::Sender, retry: R::AfterFix, http_status: None,
        meaning: "The sending number (a WhatsApp-provided 555 number) has no approved display name yet.",
        action: "Get the display name approved before sending." },
    WaError { code: 131042, last: 131042, title: "Payment issue", category: C::Billing, retry: R::AfterFix, http_status: Some(400),
        meaning: "Billing blocks sending: no payment account attached, credit line over its limit or inactive, currency or time zone unset, or the account suspended.",
        action: "Fix the payment method or credit line in Business Manager, then resend." },
    WaError { code: 131044, last: 131044, title: "Payment issue (calling)", category: C::Billing, retry: R::AfterFix, http_status: None,
        meaning: "A billing problem blocks the calling feature (known only from the pywa SDK).",
        action: "Fix the payment set-up for calling in Business Manager." },
    WaError { code: 131045, last: 131045, title: "Incorrect certificate", category: C::Registration, retry: R::AfterFix, http_status: Some(500),
        meaning: "The phone number's registration is not valid (certificate error).",
        action: "Register the phone number again, then resend." },
    WaError { code: 131047, last: 131047, title: "Re-engagement message", category: C::Recipient, retry: R::No, http_status: Some(400),
        meaning: "More than 24 hours have passed since the user last wrote, so the service window is closed and free-form messages are refused.",
        action: "Send an approved template instead." },
    WaError { code: 131048, last: 131048, title: "Spam rate limit hit", category: C::RateLimit, retry: R::Later, http_status: Some(400),
        meaning: "The number is limited because too many of its earlier messages were blocked or reported as spam.",
        action: "Check quality in WhatsApp Manager, cut volume, target engaged opted-in users, and resume later." },
    WaError { code: 131049, last: 131049, title: "Healthy ecosystem engagement", category: C::Recipient, retry: R::Later, http_status: None,
        meaning: "Meta withheld the message to protect the user, usually under the per-user marketing limit; also seen for marketing templates to US numbers.",
        action: "Wait at least 24 hours before resending (earlier resends can prolong the block); send no marketing templates to US +1 numbers." },
    WaError { code: 131050, last: 131050, title: "User stopped marketing messages", category: C::Recipient, retry: R::No, http_status: None,
        meaning: "The user has turned off marketing messages from this business.",
        action: "Never resend; add the user to the suppression list." },
    WaError { code: 131051, last: 131051, title: "Unsupported message type", category: C::Payload, retry: R::AfterFix, http_status: Some(400),
        meaning: "The message type is not one the API supports.",
        action: "Use text, image, audio, video, document, sticker, location, contacts, interactive, template or reaction." },
    WaError { code: 131052, last: 131052, title: "Media download error", category: C::Media, retry: R::No, http_status: Some(400),
        meaning: "Media the user sent to the business could not be downloaded. Inbound only: outbound media failures are 131053.",
        action: "Nothing to resend; ask the user to share the file another way." },
    WaError { code: 131053, last: 131053, title: "Media upload error", category: C::Media, retry: R::AfterFix, http_status: Some(400),
        meaning: "Media for an outgoing message could not be fetched or processed: an unsupported or mismatched MIME type, or a link that answered with an error. Often reported only by webhook.",
        action: "Check the file's real type and size, and that the link is public and sends the right Content-Type; then resend." },
    WaError { code: 131055, last: 131055, title: "Method not allowed", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "The Marketing Messages API accepts only marketing templates.",
        action: "Send other messages through the Cloud API." },
    WaError { code: 131056, last: 131056, title: "Pair rate limit hit", category: C::RateLimit, retry: R::Yes, http_status: Some(400),
        meaning: "Too many messages went to the same user in a short time (more than about one per 6 seconds).",
        action: "Space out messages to the same user and remove duplicate recipients." },
    WaError { code: 131057, last: 131057, title: "Account in maintenance mode", category: C::Platform, retry: R::Yes, http_status: Some(500),
        meaning: "The business account is in maintenance mode, for example during a throughput upgrade.",
        action: "Retry after a short wait (an upgrade takes about a minute)." },
    WaError { code: 131060, last: 131060, title: "Message unavailable", category: C::Platform, retry: R::No, http_status: None,
        meaning: "An incoming message reached the API without its content, typically on numbers shared with the WhatsApp Business app.",
        action: "Nothing to resend; ask the user to send the message again." },
    WaError { code: 131062, last: 131062, title: "BSUID recipient not supported", category: C::Recipient, retry: R::AfterFix, http_status: None,
        meaning: "A business-scoped user ID cannot be the recipient of this message (known only from the pywa SDK).",
        action: "Address the user by phone number in `to`." },
    WaError { code: 131063, last: 131063, title: "Marketing disabled on Cloud API", category: C::Sender, retry: R::AfterFix, http_status: None,
        meaning: "The account setting disable_marketing_messages_on_cloud_api blocks marketing templates on the Cloud API.",
        action: "Change the setting, or send marketing templates through the Marketing Messages API." },
    WaError { code: 131064, last: 131064, title: "Messaging limit (classification)", category: C::Integrity, retry: R::Later, http_status: None,
        meaning: "Sending was limited because templates were found in the wrong category; the limit lifts after a period.",
        action: "Correct template categories and resume once the restriction ends." },
    WaError { code: 132000, last: 132000, title: "Parameter count mismatch", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "The number of values sent differs from the number of variables in the template.",
        action: "Send exactly one value per placeholder, in order." },
    WaError { code: 132001, last: 132001, title: "Template does not exist", category: C::Template, retry: R::AfterFix, http_status: Some(404),
        meaning: "No approved template has this name in this language; en and en_US count as different languages.",
        action: "Use the exact name and language code of an APPROVED template." },
    WaError { code: 132005, last: 132005, title: "Hydrated text too long", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "With the values filled in, the text is longer than its limit (1024 characters for the body).",
        action: "Shorten the values." },
    WaError { code: 132007, last: 132007, title: "Format character policy violated", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "The message content breaks a WhatsApp policy.",
        action: "Remove the offending content; if it is in the template itself, revise and resubmit it." },
    WaError { code: 132008, last: 132008, title: "Template parameter value invalid", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "A value given for a template parameter is not valid (known only from the pywa SDK).",
        action: "Correct the value to suit the parameter's type." },
    WaError { code: 132012, last: 132012, title: "Parameter format mismatch", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "The values are not in the form the template expects: a wrong parameter type, named versus positional, or a missing media header.",
        action: "Match each parameter's type and naming to the template definition." },
    WaError { code: 132015, last: 132015, title: "Template paused", category: C::Template, retry: R::No, http_status: Some(400),
        meaning: "The template is paused for low quality and cannot be sent.",
        action: "Edit the template and have it approved again, or use another template." },
    WaError { code: 132016, last: 132016, title: "Template disabled", category: C::Template, retry: R::No, http_status: Some(400),
        meaning: "The template has been disabled for good.",
        action: "Create a new template." },
    WaError { code: 132018, last: 132018, title: "Template validation error", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "From Graph API v23.0, any template-parameter problem at send time, such as a newline, a tab, five or more spaces in a row, or an empty value.",
        action: "Clean up the parameter values and resend." },
    WaError { code: 132068, last: 132068, title: "Flow blocked", category: C::Flow, retry: R::AfterFix, http_status: Some(400),
        meaning: "The Flow in the message is blocked.",
        action: "Fix the Flow's health in WhatsApp Manager before sending it." },
    WaError { code: 132069, last: 132069, title: "Flow throttled", category: C::Flow, retry: R::Later, http_status: Some(400),
        meaning: "The Flow is throttled: its 10 sends per hour are used up.",
        action: "Wait for the hour to pass before sending the Flow again." },
    WaError { code: 133000, last: 133000, title: "Incomplete deregistration", category: C::Registration, retry: R::AfterFix, http_status: Some(500),
        meaning: "An earlier deregistration of the number did not finish.",
        action: "Deregister the number again, then register it." },
    WaError { code: 133004, last: 133004, title: "Server temporarily unavailable", category: C::Platform, retry: R::Yes, http_status: Some(503),
        meaning: "The server is unavailable for a while.",
        action: "Retry with exponential backoff." },
    WaError { code: 133005, last: 133005, title: "Two-step PIN mismatch", category: C::Registration, retry: R::AfterFix, http_status: Some(400),
        meaning: "The two-step verification PIN does not match the number's PIN.",
        action: "Use the correct PIN, or reset it in WhatsApp Manager." },
    WaError { code: 133006, last: 133006, title: "Re-verification needed", category: C::Registration, retry: R::AfterFix, http_status: Some(400),
        meaning: "The phone number must be verified again before it can be registered.",
        action: "Verify the number with a code, then register it." },
    WaError { code: 133008, last: 133008, title: "Too many PIN guesses", category: C::Registration, retry: R::Later, http_status: Some(400),
        meaning: "Too many wrong two-step PIN attempts were made for the number.",
        action: "Wait for the lockout to end before trying again." },
    WaError { code: 133009, last: 133009, title: "PIN guessed too fast", category: C::Registration, retry: R::Later, http_status: Some(400),
        meaning: "Two-step PIN attempts came too quickly.",
        action: "Wait before the next attempt." },
    WaError { code: 133010, last: 133010, title: "Number not registered", category: C::Registration, retry: R::AfterFix, http_status: Some(400),
        meaning: "The phone number is not registered on the WhatsApp Business Platform.",
        action: "Register the number before sending from it." },
    WaError { code: 133015, last: 133015, title: "Number recently deleted", category: C::Registration, retry: R::Yes, http_status: Some(400),
        meaning: "The number was deleted only moments ago and cannot be registered yet.",
        action: "Wait about 5 minutes and try again." },
    WaError { code: 133016, last: 133016, title: "Register/deregister rate limit", category: C::Registration, retry: R::Later, http_status: Some(400),
        meaning: "Too many registration or deregistration attempts were made for the number in a short time.",
        action: "Stop and try again later." },
    WaError { code: 134011, last: 134011, title: "Payments terms not accepted", category: C::Billing, retry: R::AfterFix, http_status: None,
        meaning: "The payments terms of service are still pending for the account.",
        action: "Accept the payments terms of service, then retry." },
    WaError { code: 134100, last: 134100, title: "Marketing templates only", category: C::Template, retry: R::AfterFix, http_status: Some(400),
        meaning: "Marketing Messages API: the message is not a marketing template.",
        action: "Send it through the Cloud API instead." },
    WaError { code: 134101, last: 134101, title: "Template syncing", category: C::Template, retry: R::Later, http_status: Some(400),
        meaning: "Marketing Messages API: the template is still being synchronised.",
        action: "Retry after about 10 minutes." },
    WaError { code: 134102, last: 134102, title: "Template unavailable", category: C::Template, retry: R::AfterFix, http_status: Some(500),
        meaning: "Marketing Messages API: the template cannot be used by this account.",
        action: "Check the account's onboarding and eligibility for the Marketing Messages API." },
    WaError { code: 135000, last: 135000, title: "Generic user error", category: C::Payload, retry: R::AfterFix, http_status: Some(400),
        meaning: "The send failed because of an unspecified problem with the request parameters; Meta does not say more.",
        action: "Check the request against the endpoint reference; contact support with the fbtrace_id if it looks right." },
    WaError { code: 137000, last: 137000, title: "Identity key mismatch", category: C::Recipient, retry: R::AfterFix, http_status: None,
        meaning: "recipient_identity_key_hash does not match the user's current identity key, so the message was not delivered.",
        action: "Refresh the user's identity key hash, or leave the field out, and resend." },
    WaError { code: 2388019, last: 2388019, title: "Template limit exceeded", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: the account already has its maximum number of templates (250, or 6,000 when verified).",
        action: "Delete unused templates or verify the business portfolio." },
    WaError { code: 2388040, last: 2388040, title: "Character limit exceeded", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: a field is longer than its character limit.",
        action: "Shorten the field to its limit." },
    WaError { code: 2388047, last: 2388047, title: "Invalid header format", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: the header does not have a valid format.",
        action: "Fix the header (format, at most one variable, example given)." },
    WaError { code: 2388072, last: 2388072, title: "Invalid body format", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: the body does not have a valid format.",
        action: "Fix the body text and its variable examples." },
    WaError { code: 2388073, last: 2388073, title: "Invalid footer format", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: the footer does not have a valid format.",
        action: "Keep the footer to plain text of at most 60 characters, with no variables." },
    WaError { code: 2388293, last: 2388293, title: "Too many variables for length", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: the text has too many variables for its length.",
        action: "Add more fixed text or use fewer variables." },
    WaError { code: 2388299, last: 2388299, title: "Leading or trailing variable", category: C::Template, retry: R::AfterFix, http_status: None,
        meaning: "Template creation: a variable starts or ends the text.",
        action: "Put fixed text before the first and after the last variable." },
    WaError { code: 2494100, last: 2494100, title: "Phone number in maintenance", category: C::Platform, retry: R::Yes, http_status: None,
        meaning: "The phone number is in maintenance mode.",
        action: "Retry after a short wait." },
];

/// The entry for `code`: the single-code entry, or the range entry containing it.
#[must_use]
pub fn lookup(code: u32) -> Option<&'static WaError> {
    CATALOGUE
        .binary_search_by(|entry| {
            if entry.last < code {
                std::cmp::Ordering::Less
            } else if entry.code > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .ok()
        .map(|index| &CATALOGUE[index])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn seeds_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds")
    }

    /// `(first, last)` for each line of `codes.txt`: `CODE # where` or `FIRST-LAST # where`.
    fn listed_codes() -> Vec<(u32, u32)> {
        let path = seeds_dir().join("codes.txt");
        let text = std::fs::read_to_string(&path).expect("read fixtures/seeds/codes.txt");
        let mut codes = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let (code, source) = line.split_once(" # ").unwrap_or((line, ""));
            assert!(
                !source.trim().is_empty(),
                "codes.txt:{}: no source",
                number + 1
            );
            let (first, last) = code
                .trim()
                .split_once('-')
                .unwrap_or((code.trim(), code.trim()));
            let parse = |s: &str| {
                s.parse::<u32>()
                    .unwrap_or_else(|_| panic!("codes.txt:{}: {s:?}", number + 1))
            };
            codes.push((parse(first), parse(last)));
        }
        codes
    }

    /// Digit runs of exactly six digits starting with 13, as Cloud API send codes are.
    fn cloud_codes_in(text: &str) -> Vec<u32> {
        text.split(|c: char| !c.is_ascii_digit())
            .filter(|run| run.len() == 6 && run.starts_with("13"))
            .map(|run| run.parse().expect("six digits"))
            .collect()
    }

    #[test]
    fn catalogue_is_sorted_and_non_overlapping() {
        for entry in CATALOGUE {
            assert!(
                entry.code <= entry.last,
                "{} has last {}",
                entry.code,
                entry.last
            );
        }
        for pair in CATALOGUE.windows(2) {
            assert!(
                pair[0].last < pair[1].code,
                "{} overlaps or precedes {}",
                pair[1].code,
                pair[0].code
            );
        }
    }

    #[test]
    fn every_entry_is_filled_in() {
        for entry in CATALOGUE {
            for (field, text) in [
                ("title", entry.title),
                ("meaning", entry.meaning),
                ("action", entry.action),
            ] {
                assert!(
                    !text.trim().is_empty(),
                    "{} has an empty {field}",
                    entry.code
                );
            }
        }
    }

    #[test]
    fn lookup_finds_single_codes_ranges_and_nothing_else() {
        assert_eq!(lookup(0).map(|e| e.category), Some(Category::Auth));
        assert_eq!(lookup(131050).map(|e| e.retry), Some(Retry::No));
        assert_eq!(lookup(132001).and_then(|e| e.http_status), Some(404));
        assert_eq!(lookup(2494100).map(|e| e.code), Some(2494100));
        let range = lookup(250).expect("250 is inside 200-299");
        assert_eq!((range.code, range.last), (200, 299));
        assert_eq!(lookup(200).map(|e| e.last), Some(299));
        assert_eq!(
            lookup(115003).map(|e| (e.code, e.last)),
            Some((115001, 115005))
        );
        for unknown in [5, 199, 300, 131001, 131999, 999_999, u32::MAX] {
            assert!(lookup(unknown).is_none(), "{unknown} should be unknown");
        }
    }

    #[test]
    fn retry_follows_the_rules_table() {
        let expect = [
            (0, Retry::AfterFix),
            (2, Retry::Yes),
            (4, Retry::Later),
            (368, Retry::No),
            (130429, Retry::Yes),
            (130472, Retry::No),
            (131026, Retry::No),
            (131047, Retry::No),
            (131049, Retry::Later),
            (131056, Retry::Yes),
            (131064, Retry::Later),
            (132015, Retry::No),
            (132016, Retry::No),
            (132069, Retry::Later),
            (133015, Retry::Yes),
            (134101, Retry::Later),
            (2388299, Retry::AfterFix),
        ];
        for (code, retry) in expect {
            assert_eq!(
                lookup(code).map(|e| e.retry),
                Some(retry),
                "retry of {code}"
            );
        }
    }

    #[test]
    fn names_are_unique_kebab_case() {
        let categories = [
            Category::Auth,
            Category::Permission,
            Category::Sender,
            Category::Recipient,
            Category::Template,
            Category::Media,
            Category::Payload,
            Category::RateLimit,
            Category::Platform,
            Category::Billing,
            Category::Registration,
            Category::Integrity,
            Category::Flow,
            Category::Network,
        ];
        let retries = [Retry::Yes, Retry::Later, Retry::AfterFix, Retry::No];
        let mut names: Vec<&str> = categories.iter().map(|c| c.as_str()).collect();
        names.extend(retries.iter().map(|r| r.as_str()));
        for name in &names {
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name}"
            );
        }
        let category_names = &names[..categories.len()];
        for (i, name) in category_names.iter().enumerate() {
            assert!(!category_names[i + 1..].contains(name), "duplicate {name}");
        }
        for category in categories {
            assert!(
                CATALOGUE.iter().any(|e| e.category == category),
                "{category:?} is unused"
            );
        }
    }

    #[test]
    fn every_code_listed_from_the_sources_is_catalogued() {
        let listed = listed_codes();
        assert!(listed.len() > 100, "codes.txt looks truncated");
        for (first, last) in listed {
            for code in first..=last {
                assert!(
                    lookup(code).is_some(),
                    "{code} from codes.txt is not catalogued"
                );
            }
        }
    }

    #[test]
    fn every_entry_comes_from_a_listed_source() {
        let listed = listed_codes();
        for entry in CATALOGUE {
            let found = listed
                .iter()
                .any(|&(first, last)| first <= entry.code && entry.code <= last);
            assert!(found, "{} is catalogued but not in codes.txt", entry.code);
        }
    }

    #[test]
    fn every_cloud_api_code_in_the_seeds_is_catalogued() {
        let mut seen = 0;
        for item in std::fs::read_dir(seeds_dir()).expect("read fixtures/seeds") {
            let path = item.expect("directory entry").path();
            if path.extension().is_none_or(|ext| ext != "txt") || path.ends_with("codes.txt") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read seed");
            for code in cloud_codes_in(&text) {
                assert!(
                    lookup(code).is_some(),
                    "{code} in {} is not catalogued",
                    path.display()
                );
                seen += 1;
            }
        }
        assert!(seen > 30, "only {seen} Cloud API codes found in the seeds");
    }
}
