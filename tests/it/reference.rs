//! scratch
use crate::support;
use walint::phone::{RegionCode, analyse};

#[test]
fn scratch_dump() {
    let text = std::fs::read_to_string(support::fixture(
        "reference/phones/libphonenumber_cases.csv",
    ))
    .unwrap();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let region = RegionCode::parse(f[2]);
        let facts = analyse(f[1], region);
        let got = match facts.number {
            Ok(n) => format!("OK {} {:?}", n.e164(), n.line_type),
            Err(e) => format!("ERR {e:?}"),
        };
        println!(
            "{:<45} | {:<4} | exp {:<22} valid={:<5} | walint {:?} {}",
            format!("{:?}", f[1]),
            f[2],
            f[4],
            f[6],
            facts.shape,
            got
        );
    }
}
