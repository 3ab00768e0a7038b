//! Workbooks written from scratch, for the spreadsheet tests and the spreadsheet fuzz
//! targets (`fuzz/`, which include this file): a ZIP archive part by part (an .xlsx or
//! .ods around the sheet XML given), and an OLE compound file sector by sector (an .xls
//! around the BIFF8 records given), each with a way to make it wrong.

#![allow(dead_code)]

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// A part of a ZIP archive: its name and its bytes, given a chunk at a time (so a part of
/// hundreds of megabytes is never held whole).
pub type Part = (&'static str, Box<dyn Iterator<Item = Vec<u8>>>);

pub fn part(name: &'static str, bytes: impl Into<Vec<u8>>) -> Part {
    (name, Box::new(std::iter::once(bytes.into())))
}

/// A ZIP archive of `parts`, deflated (the first stored when it is `mimetype`, as
/// OpenDocument has it).
pub fn zip_of(parts: Vec<Part>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, chunks) in parts {
        let method = if name == "mimetype" {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = SimpleFileOptions::default().compression_method(method);
        zip.start_file(name, options).expect("a part");
        for chunk in chunks {
            zip.write_all(&chunk).expect("a part's bytes");
        }
    }
    zip.finish().expect("the archive").into_inner()
}

pub const XML: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
pub const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
pub const RELS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
pub const DOC: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// An .xlsx workbook with one sheet `Contacts`, its sheet XML given between `<sheetData>`
/// and `</sheetData>` (chunk by chunk), and a shared-strings part when given.
pub fn xlsx(sheet_data: Box<dyn Iterator<Item = Vec<u8>>>, shared: Option<Part>) -> Vec<u8> {
    xlsx_named("Contacts", sheet_data, shared)
}

/// [`xlsx`] with its one sheet named `name`.
pub fn xlsx_named(
    name: &str,
    sheet_data: Box<dyn Iterator<Item = Vec<u8>>>,
    shared: Option<Part>,
) -> Vec<u8> {
    let strings_rel = if shared.is_some() {
        format!(
            r#"<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>"#
        )
    } else {
        String::new()
    };
    let head = format!(r#"{XML}<worksheet xmlns="{MAIN}"><sheetData>"#).into_bytes();
    let tail = b"</sheetData></worksheet>".to_vec();
    let sheet = std::iter::once(head)
        .chain(sheet_data)
        .chain(std::iter::once(tail));
    let mut parts = vec![
        part(
            "[Content_Types].xml",
            format!(
                r#"{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#
            ),
        ),
        part(
            "_rels/.rels",
            format!(
                r#"{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
            ),
        ),
        part(
            "xl/workbook.xml",
            format!(
                r#"{XML}<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
            ),
        ),
        part(
            "xl/_rels/workbook.xml.rels",
            format!(
                r#"{XML}<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>{strings_rel}</Relationships>"#
            ),
        ),
        ("xl/worksheets/sheet1.xml", Box::new(sheet)),
    ];
    parts.extend(shared);
    zip_of(parts)
}

/// An inline-string cell.
pub fn cell(reference: &str, text: &str) -> String {
    format!(r#"<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The header row and one good row, as sheet XML.
pub fn good_rows() -> String {
    format!(
        r#"<row r="1">{}{}</row><row r="2">{}{}</row>"#,
        cell("A1", "name"),
        cell("B1", "phone"),
        cell("A2", "Asha"),
        cell("B2", "+919876543210")
    )
}

pub fn once(text: String) -> Box<dyn Iterator<Item = Vec<u8>>> {
    Box::new(std::iter::once(text.into_bytes()))
}

/// `text` `times` times, a megabyte or so at a time.
pub fn repeated(text: &'static str, times: usize) -> Box<dyn Iterator<Item = Vec<u8>>> {
    let per_chunk = ((1 << 20) / text.len()).max(1);
    Box::new((0..times.div_ceil(per_chunk)).map(move |i| {
        let n = per_chunk.min(times - i * per_chunk);
        text.repeat(n).into_bytes()
    }))
}

pub const ODS_MIME: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// An .ods workbook whose content.xml is `content`, chunk by chunk.
pub fn ods(content: Box<dyn Iterator<Item = Vec<u8>>>) -> Vec<u8> {
    zip_of(vec![
        part("mimetype", ODS_MIME),
        part(
            "META-INF/manifest.xml",
            format!(
                r#"{XML}<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIME}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#
            ),
        ),
        ("content.xml", content),
    ])
}

/// content.xml up to the start of the sheet's rows.
pub fn ods_head() -> String {
    format!(
        r#"{XML}<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Contacts">"#
    )
}

pub const ODS_TAIL: &str =
    "</table:table></office:spreadsheet></office:body></office:document-content>";

/// An ODS row of string cells.
pub fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells
        .iter()
        .map(|c| {
            format!(r#"<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>"#)
        })
        .collect();
    format!("<table:table-row>{cells}</table:table-row>")
}

/// A BIFF8 record.
pub fn record(kind: u16, data: &[u8]) -> Vec<u8> {
    let mut out = kind.to_le_bytes().to_vec();
    out.extend((data.len() as u16).to_le_bytes());
    out.extend(data);
    out
}

/// A BIFF8 BOF record: `dt` 0x0005 for the workbook globals, 0x0010 for a worksheet.
pub fn bof(dt: u16) -> Vec<u8> {
    let mut data = 0x0600u16.to_le_bytes().to_vec();
    data.extend(dt.to_le_bytes());
    data.extend([0u8; 12]);
    record(0x0809, &data)
}

/// A NUMBER record: `value` in (0-based) `row`, `col`.
pub fn number(row: u16, col: u16, value: f64) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend(col.to_le_bytes());
    data.extend(0u16.to_le_bytes());
    data.extend(value.to_le_bytes());
    record(0x0203, &data)
}

/// A LABEL record (BIFF8: a 16-bit length, a flags byte, Latin-1 text).
pub fn label(row: u16, col: u16, text: &str) -> Vec<u8> {
    let mut data = row.to_le_bytes().to_vec();
    data.extend(col.to_le_bytes());
    data.extend(0u16.to_le_bytes());
    data.extend((text.len() as u16).to_le_bytes());
    data.push(0);
    data.extend(text.as_bytes());
    record(0x0204, &data)
}

/// The Workbook stream of an .xls with one sheet `Contacts` holding `cells` (records).
pub fn xls_stream(cells: &[Vec<u8>]) -> Vec<u8> {
    let name = b"Contacts";
    let globals_without_sheet = bof(0x0005).len() + 4 + 8 + name.len() + 4;
    let sheet_at = globals_without_sheet as u32;
    let mut sheet_entry = sheet_at.to_le_bytes().to_vec();
    sheet_entry.extend([0u8, 0u8, name.len() as u8, 0u8]);
    sheet_entry.extend(name);
    let mut stream = bof(0x0005);
    stream.extend(record(0x0085, &sheet_entry));
    stream.extend(record(0x000A, &[]));
    assert_eq!(stream.len(), globals_without_sheet);
    stream.extend(bof(0x0010));
    for c in cells {
        stream.extend(c);
    }
    stream.extend(record(0x000A, &[]));
    stream
}

pub const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
pub const FREE: u32 = 0xFFFF_FFFF;
pub const NO_STREAM: u32 = 0xFFFF_FFFF;

/// How an OLE compound file is made wrong: its FAT (sector numbers) and its directory
/// entries (128 bytes each) before they are written.
pub type Tamper<'a> = &'a dyn Fn(&mut [u32], &mut [u8]);

/// An OLE compound file (version 3, 512-byte sectors) holding `stream` as `Workbook`:
/// sector 0 the FAT, sector 1 the directory, the stream from sector 2 on (padded to at
/// least 4,096 bytes, so it lives in the FAT, not the mini stream), then `tamper`ed with.
pub fn cfb(stream: &[u8], tamper: Option<Tamper<'_>>) -> Vec<u8> {
    let mut data = stream.to_vec();
    data.resize(data.len().max(4096).next_multiple_of(512), 0);
    let sectors = (data.len() / 512) as u32;
    assert!(sectors + 2 <= 128, "one FAT sector");
    let mut header = Vec::with_capacity(512);
    header.extend(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    header.extend([0u8; 16]);
    header.extend(0x003Eu16.to_le_bytes());
    header.extend(0x0003u16.to_le_bytes());
    header.extend(0xFFFEu16.to_le_bytes());
    header.extend(9u16.to_le_bytes());
    header.extend(6u16.to_le_bytes());
    header.extend([0u8; 6]);
    header.extend(0u32.to_le_bytes()); // directory sectors (0 in version 3)
    header.extend(1u32.to_le_bytes()); // FAT sectors
    header.extend(1u32.to_le_bytes()); // first directory sector
    header.extend(0u32.to_le_bytes()); // transaction signature
    header.extend(4096u32.to_le_bytes()); // mini stream cutoff
    header.extend(END_OF_CHAIN.to_le_bytes()); // first mini FAT sector
    header.extend(0u32.to_le_bytes());
    header.extend(END_OF_CHAIN.to_le_bytes()); // first DIFAT sector
    header.extend(0u32.to_le_bytes());
    header.extend(0u32.to_le_bytes()); // DIFAT[0]: the FAT is sector 0
    while header.len() < 512 {
        header.extend(FREE.to_le_bytes());
    }
    let mut fat = vec![0xFFFF_FFFDu32, END_OF_CHAIN];
    for i in 0..sectors {
        fat.push(if i + 1 == sectors {
            END_OF_CHAIN
        } else {
            2 + i + 1
        });
    }
    fat.resize(128, FREE);
    let entry = |name: &str, kind: u8, child: u32, start: u32, size: u32| {
        let mut e = Vec::with_capacity(128);
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        for u in &units {
            e.extend(u.to_le_bytes());
        }
        e.resize(64, 0);
        e.extend(((units.len() * 2) as u16).to_le_bytes());
        e.extend([kind, 1]);
        e.extend(NO_STREAM.to_le_bytes());
        e.extend(NO_STREAM.to_le_bytes());
        e.extend(child.to_le_bytes());
        e.extend([0u8; 16 + 4 + 8 + 8]);
        e.extend(start.to_le_bytes());
        e.extend(u64::from(size).to_le_bytes());
        e
    };
    let mut directory = entry("Root Entry", 5, 1, END_OF_CHAIN, 0);
    directory.extend(entry("Workbook", 2, NO_STREAM, 2, data.len() as u32));
    for _ in 0..2 {
        directory.extend(entry("", 0, NO_STREAM, 0, 0));
    }
    if let Some(tamper) = tamper {
        tamper(&mut fat, &mut directory);
    }
    let mut out = header;
    out.extend(fat.iter().flat_map(|v| v.to_le_bytes()));
    out.extend(directory);
    out.extend(data);
    out
}

/// The legit .xls list: a header and one row, the phone as a number (as Excel stores it).
pub fn good_xls_cells() -> Vec<Vec<u8>> {
    vec![
        label(0, 0, "name"),
        label(0, 1, "phone"),
        label(1, 0, "Asha"),
        number(1, 1, 919_876_543_210.0),
    ]
}
