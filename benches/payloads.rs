//! Payload throughput benchmark (`cargo bench --bench payloads`).
//!
//! Generates a deterministic NDJSON payload file (default 1,000,000 lines;
//! `WALINT_BENCH_PAYLOADS` to change) of template messages of varied shapes — positional and
//! named bodies, text and image headers, URL, quick-reply and copy-code buttons — about 5%
//! of them with a problem (unsupported type, `00` or too-short recipient, missing
//! parameter, unknown template, schema violation), and a 200-template registry written as
//! a Graph API export (`{"data": [...]}`). It then runs the release `walint check` binary on
//! them several times (`WALINT_BENCH_RUNS`, default 5) and reports the median wall time,
//! payloads/s, and the peak RSS of the walint process (ru_maxrss). Not a test: nothing here asserts a time, since the machine
//! is shared and noisy; it prints figures for the README.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};

mod harness;

use harness::{Rng, cores, env_number, time_runs};

const TEMPLATES: usize = 200;
const LANGUAGES: &[&str] = &["en_US", "en", "es", "pt_BR", "hi"];

/// The shape of template `i`: which components it has and how many values it takes.
#[derive(Clone, Copy)]
enum Shape {
    /// Body with two positional placeholders.
    Body2,
    /// Text header with a placeholder, body with one, footer.
    TextHeader,
    /// Image header, body with three placeholders, URL button with a suffix.
    ImageUrl,
    /// NAMED body with two placeholders.
    Named,
    /// Body with one placeholder, two quick replies and a copy-code button.
    Buttons,
}

fn shape(i: usize) -> Shape {
    match i % 5 {
        0 => Shape::Body2,
        1 => Shape::TextHeader,
        2 => Shape::ImageUrl,
        3 => Shape::Named,
        _ => Shape::Buttons,
    }
}

fn template_name(i: usize) -> String {
    format!("bench_template_{i:03}")
}

fn template_language(i: usize) -> &'static str {
    LANGUAGES[i % LANGUAGES.len()]
}

/// The registry: one APPROVED template per index, in the Graph API's export form.
fn registry() -> Value {
    let data: Vec<Value> = (0..TEMPLATES)
        .map(|i| {
            let body = |text: &str, example: Value| {
                json!({"type": "BODY", "text": text, "example": example})
            };
            let (format, components) = match shape(i) {
                Shape::Body2 => (
                    "POSITIONAL",
                    json!([body(
                        "Hi {{1}}, your order {{2}} has shipped.",
                        json!({"body_text": [["Asha", "A-1001"]]})
                    )]),
                ),
                Shape::TextHeader => (
                    "POSITIONAL",
                    json!([
                        {"type": "HEADER", "format": "TEXT", "text": "Update for {{1}}",
                         "example": {"header_text": ["Asha"]}},
                        body("Your appointment is on {{1}}.", json!({"body_text": [["May 1"]]})),
                        {"type": "FOOTER", "text": "Reply STOP to opt out"}
                    ]),
                ),
                Shape::ImageUrl => (
                    "POSITIONAL",
                    json!([
                        {"type": "HEADER", "format": "IMAGE",
                         "example": {"header_handle": ["4::aW1hZ2UvanBlZw==:ARa1"]}},
                        body(
                            "{{1}}, {{2}} is back in stock at {{3}}. Tap to buy.",
                            json!({"body_text": [["Asha", "Blue kurta", "₹1,299"]]})
                        ),
                        {"type": "BUTTONS", "buttons": [
                            {"type": "URL", "text": "Buy now", "url": "https://shop.example/p/{{1}}",
                             "example": ["https://shop.example/p/123"]}
                        ]}
                    ]),
                ),
                Shape::Named => (
                    "NAMED",
                    json!([body(
                        "Hello {{first_name}}, your ticket {{ticket_id}} is confirmed.",
                        json!({"body_text_named_params": [
                            {"param_name": "first_name", "example": "Asha"},
                            {"param_name": "ticket_id", "example": "T-77"}
                        ]})
                    )]),
                ),
                Shape::Buttons => (
                    "POSITIONAL",
                    json!([
                        body("Use this code for {{1}} off your next order.", json!({"body_text": [["10%"]]})),
                        {"type": "BUTTONS", "buttons": [
                            {"type": "QUICK_REPLY", "text": "Interested"},
                            {"type": "QUICK_REPLY", "text": "Stop promotions"},
                            {"type": "COPY_CODE", "example": "SAVE10"}
                        ]}
                    ]),
                ),
            };
            json!({
                "name": template_name(i),
                "language": template_language(i),
                "status": "APPROVED",
                "category": "MARKETING",
                "parameter_format": format,
                "components": components,
                "id": format!("{}", 1_000_000_000_000_u64 + i as u64),
            })
        })
        .collect();
    json!({"data": data, "paging": {"cursors": {"before": "b", "after": "a"}}})
}

fn text(value: impl Into<String>) -> Value {
    json!({"type": "text", "text": value.into()})
}

/// The components that fill template `i` for customer `n`.
fn components(i: usize, n: u64) -> Value {
    let name = ["Asha", "Ravi", "María", "João", "Li Wei", "Fatima"][(n % 6) as usize];
    match shape(i) {
        Shape::Body2 => json!([
            {"type": "body", "parameters": [text(name), text(format!("A-{n}"))]}
        ]),
        Shape::TextHeader => json!([
            {"type": "header", "parameters": [text(name)]},
            {"type": "body", "parameters": [text(format!("May {}", 1 + n % 28))]}
        ]),
        Shape::ImageUrl => json!([
            {"type": "header", "parameters": [
                {"type": "image", "image": {"link": format!("https://cdn.shop.example/p/{}.jpg", n % 500)}}
            ]},
            {"type": "body", "parameters": [text(name), text("Blue kurta"), text("₹1,299")]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [text(format!("{n}"))]}
        ]),
        Shape::Named => json!([
            {"type": "body", "parameters": [
                {"type": "text", "parameter_name": "first_name", "text": name},
                {"type": "text", "parameter_name": "ticket_id", "text": format!("T-{n}")}
            ]}
        ]),
        Shape::Buttons => json!([
            {"type": "body", "parameters": [text("10%")]},
            {"type": "button", "sub_type": "quick_reply", "index": 0,
             "parameters": [{"type": "payload", "payload": format!("yes-{n}")}]},
            {"type": "button", "sub_type": "quick_reply", "index": 1,
             "parameters": [{"type": "payload", "payload": format!("stop-{n}")}]},
            {"type": "button", "sub_type": "copy_code", "index": 2,
             "parameters": [{"type": "coupon_code", "coupon_code": "SAVE10"}]}
        ]),
    }
}

/// A pool of valid recipients in `+` form, from the phone metadata's example mobiles.
fn recipients(rng: &mut Rng) -> Vec<String> {
    let examples = walint::phone::example_mobile_numbers();
    let mut pool = Vec::with_capacity(4096);
    while pool.len() < 4096 {
        let (_, e164) = &examples[rng.below(examples.len() as u64) as usize];
        let varied = format!("{}{:03}", &e164[..e164.len() - 3], rng.below(1000));
        let number = if walint::phone::analyse(&varied, None).number.is_ok() {
            varied
        } else {
            e164.clone()
        };
        pool.push(number);
    }
    pool
}

/// Writes the payload file; returns how many lines carry a deliberate problem.
fn generate(path: &Path, lines: usize) -> usize {
    let mut rng = Rng(0x5EED_0FBA_5EBA_11ED);
    let pool = recipients(&mut rng);
    let file = std::fs::File::create(path).expect("create payload file");
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut problems = 0;
    for n in 0..lines as u64 {
        let i = rng.below(TEMPLATES as u64) as usize;
        let number = &pool[rng.below(pool.len() as u64) as usize];
        // Half the recipients are written as Meta's examples do, without the +.
        let to = if n % 2 == 0 {
            number.clone()
        } else {
            number[1..].to_string()
        };
        let mut message = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {
                "name": template_name(i),
                "language": {"code": template_language(i)},
                "components": components(i, n),
            },
            "biz_opaque_callback_data": format!("campaign-42/{n}"),
        });
        let roll = rng.below(1000);
        match roll {
            0..=9 => message["type"] = json!("templates"),
            10..=19 => message["to"] = json!(format!("00{}", &number[1..])),
            20..=29 => message["to"] = json!(number[..6].to_string()),
            30..=39 => {
                let body = message["template"]["components"]
                    .as_array_mut()
                    .and_then(|c| c.iter_mut().find(|c| c["type"] == "body"));
                if let Some(params) = body.and_then(|b| b["parameters"].as_array_mut()) {
                    params.pop();
                }
            }
            40..=44 => message["template"]["name"] = json!(format!("{}_old", template_name(i))),
            45..=49 => message["template"]["language"]["policy"] = json!("fallback"),
            _ => {}
        }
        if roll < 50 {
            problems += 1;
        }
        serde_json::to_writer(&mut out, &message).expect("write payload");
        out.write_all(b"\n").expect("write payload");
    }
    out.flush().expect("flush payload file");
    problems
}

fn walint(bin: &Path, registry: &Path, input: &Path) -> Command {
    let mut command = Command::new(bin);
    // The image links are on an example domain: no probing (the media bench measures it);
    // the media rules still run and every link is still collected.
    command
        .args(["check", "--no-config", "--offline", "--registry"])
        .arg(registry)
        .args(["--format", "json", "--output", "/dev/null"])
        .arg(input);
    command
}

fn main() {
    let lines = env_number("WALINT_BENCH_PAYLOADS", 1_000_000);
    let runs = env_number("WALINT_BENCH_RUNS", 5);
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_walint"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-payloads");
    std::fs::create_dir_all(&dir).expect("bench dir");

    let registry_path = dir.join("registry.json");
    let registry = serde_json::to_vec_pretty(&registry()).expect("registry JSON");
    std::fs::write(&registry_path, registry).expect("write registry");

    let big = dir.join(format!("payloads-{lines}.ndjson"));
    let problems = generate(&big, lines);
    let bytes = std::fs::metadata(&big).map(|m| m.len()).unwrap_or(0);
    let timings = time_runs(|| walint(&bin, &registry_path, &big), runs);

    println!("walint payloads benchmark ({} cores)", cores());
    println!(
        "  file: {lines} NDJSON template messages, {:.1} MB, {problems} ({:.1}%) with a problem; registry: {TEMPLATES} templates",
        bytes as f64 / 1e6,
        100.0 * problems as f64 / lines.max(1) as f64
    );
    timings.print(lines, "payloads");
}
