//! scratch
use crate::support;

#[test]
fn scratch_quotes() {
    let dir = tempfile::tempdir().unwrap();
    for body in [
        "name,phone\nA,\"oops\nB,+447400123456\nC,\"oops\nD,+447400123457\n",
        "name,phone\nA,\"oops\nB,\"a\"b\nC,+447400123457\n",
        "name,phone\nA,\"oops\nB,+447400123456\n",
    ] {
        let p = dir.path().join("t.csv");
        std::fs::write(&p, body).unwrap();
        let r = support::check(&[&p], None).unwrap();
        println!("{body:?}\n rows={} ", r.rows);
        for d in &r.diagnostics {
            println!("   {} line {} {}", d.code, d.location.line(), d.message);
        }
    }
}
