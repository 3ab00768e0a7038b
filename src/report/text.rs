//! `--format text`: one finding per block — `path:line: CODE severity: message (row, column)`,
//! then `help:` and `fix:` lines — and a summary by rule and by WhatsApp error code.
//! Colour is decided by the caller's stream (on a terminal only, NO_COLOR respected).

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{MediaSummary, Report, Shown, Summary};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::{rules, wa_error};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

fn severity_style(s: Severity) -> Style {
    let colour = match s {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Info => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(colour.into())).bold()
}

/// Writes the report. `out` strips the styles when colour is off.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_shown(report, &Shown::default(), false, out)
}

/// Writes the report as [`write`] does: phone numbers masked when `shown.redact`, and
/// without the summary when `quiet` (`--quiet`: the findings only).
pub fn write_shown(
    report: &Report,
    shown: &Shown,
    quiet: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    for d in report.diagnostics.sorted()? {
        let d = d?;
        write_diagnostic(&shown.show(&d), out)?;
    }
    if quiet {
        return Ok(());
    }
    write_summary(report, out)
}

/// `--statistics`: the count of findings per rule, most frequent first, and the totals
/// (not with `quiet`); no finding itself.
pub fn write_statistics(report: &Report, quiet: bool, out: &mut dyn Write) -> io::Result<()> {
    let s = report.summary();
    let mut counts: Vec<(&&str, &u64)> = s.by_code.iter().collect();
    counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (code, n) in counts {
        let rule = rules::find(code);
        let wa = rule
            .and_then(|r| r.wa_error)
            .map_or_else(String::new, |c| format!("  [{c}]"));
        let name = rule.map_or("", |r| r.name);
        let line = format!("{n:>8}  {BOLD}{code}{BOLD:#}  {name:<30}{wa}");
        writeln!(out, "{}", line.trim_end())?;
    }
    if quiet {
        return Ok(());
    }
    write_totals(report, out).map(drop)
}

fn write_diagnostic(d: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    let place = match &d.location {
        Location::Csv {
            path,
            line,
            row,
            column,
            sheet,
        } => {
            // A header-less file's columns are named `column 3` already.
            let cell = column
                .as_ref()
                .map(|c| match c.starts_with("column ") {
                    true => format!(", {c}"),
                    false => format!(", column {c}"),
                })
                .unwrap_or_default();
            let at = match sheet {
                Some(sheet) => format!("{path}:{}", sheet.reference()),
                None => format!("{path}:{line}"),
            };
            (at, format!(" (row {row}{cell})"))
        }
        Location::Json {
            path,
            pointer,
            line,
            col,
        } => {
            let at = match (line, col) {
                (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
                (Some(l), None) => format!("{path}:{l}"),
                _ => path.to_string(),
            };
            (
                at,
                format!(" (at {})", if pointer.is_empty() { "/" } else { pointer }),
            )
        }
        Location::File { path, line } => (
            line.map_or_else(|| path.to_string(), |l| format!("{path}:{l}")),
            String::new(),
        ),
    };
    let sev = severity_style(d.severity);
    writeln!(
        out,
        "{BOLD}{}:{BOLD:#} {BOLD}{}{BOLD:#} {sev}{}{sev:#}: {}{DIM}{}{DIM:#}",
        printable(&place.0),
        d.rule.code,
        d.severity,
        printable(&d.message),
        printable(&place.1)
    )?;
    if let Some(help) = &d.help {
        writeln!(out, "    {BOLD}help{BOLD:#}: {}", printable(help))?;
    }
    if let Some(fix) = &d.fix {
        writeln!(
            out,
            "    {BOLD}fix{BOLD:#}: {}",
            printable(&fix.replacement)
        )?;
    }
    Ok(())
}

/// Text from the inputs (a header cell, a template name, a path) as it may be shown on a
/// terminal: control characters — an escape sequence that would recolour or rewrite the
/// screen, a newline that would forge a line of output — written as `\u{1b}`.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c.is_control() {
                true => c.escape_unicode().to_string(),
                false => c.to_string(),
            })
            .collect(),
    )
}

/// `1 file`, `2 files`.
pub(super) fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What a run checked, as the summaries say it: `1 file, 201 rows, 201 messages` (rows
/// left out of a payload run, messages of a contacts-only one).
pub(super) fn scope(s: &Summary) -> String {
    let mut scope = vec![plural(s.files, "file")];
    if s.rows > 0 || (s.messages == 0 && s.templates == 0) {
        scope.push(plural(s.rows, "row"));
    }
    if s.messages > 0 {
        scope.push(plural(s.messages, "message"));
    }
    if s.templates > 0 {
        scope.push(plural(s.templates, "template"));
    }
    scope.join(", ")
}

/// The media line: how many links, and how many were not probed (never a silent pass).
fn write_media(media: Option<&MediaSummary>, out: &mut dyn Write) -> io::Result<()> {
    let Some(m) = media else {
        return Ok(());
    };
    let mut parts = vec![format!("{} probed", m.probed)];
    if m.cached > 0 {
        parts.push(format!("{} from the media cache", m.cached));
    }
    if m.refused > 0 {
        parts.push(format!("{} refused (not public)", m.refused));
    }
    if m.not_probed > 0 {
        let why = if m.offline {
            " (--offline)"
        } else {
            " (budget spent, or no rule needs a probe)"
        };
        parts.push(format!("{} NOT probed{why}", m.not_probed));
    }
    writeln!(
        out,
        "Media: {}: {}.",
        plural(m.links, "distinct link"),
        parts.join(", ")
    )
}

fn write_summary(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if !write_totals(report, out)? {
        return Ok(());
    }
    let s = report.summary();
    writeln!(out, "By rule:")?;
    for (code, n) in &s.by_code {
        let name = rules::find(code).map_or("", |r| r.name);
        writeln!(out, "  {code}  {name:<30} {n:>8}")?;
    }
    if !s.by_wa_error.is_empty() {
        writeln!(out, "By WhatsApp error prevented:")?;
        for (code, n) in &s.by_wa_error {
            let title = code
                .parse()
                .ok()
                .and_then(wa_error::lookup)
                .map_or("", |e| e.title);
            writeln!(out, "  {code:<7} {title:<32} {n:>8}")?;
        }
    }
    Ok(())
}

/// The media line and the totals; whether there were findings.
fn write_totals(report: &Report, out: &mut dyn Write) -> io::Result<bool> {
    let s = report.summary();
    write_media(s.media.as_ref(), out)?;
    let scope = scope(&s);
    if report.diagnostics.is_empty() {
        writeln!(
            out,
            "{BOLD}All checks passed:{BOLD:#} {}, no findings.",
            scope
        )?;
        return Ok(false);
    }
    writeln!(out)?;
    let counts = [
        (s.errors, Severity::Error),
        (s.warnings, Severity::Warning),
        (s.infos, Severity::Info),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, sev)| {
        let st = severity_style(*sev);
        format!("{st}{}{st:#}", plural(*n, sev.as_str()))
    })
    .collect::<Vec<_>>();
    writeln!(
        out,
        "{BOLD}Checked {}:{BOLD:#} {}.",
        scope,
        counts.join(", ")
    )?;
    Ok(true)
}
