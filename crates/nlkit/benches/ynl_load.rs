//! Loading the largest installed kernel spec: ethtool, from Debian's
//! `linux-doc-*` (gunzip, YAML parse, model, every reference checked), the
//! goal being under 20 ms. Also the YAML parse alone from text in memory,
//! to show where the time goes.
//!
//! Then the schema values built from it (`ynl::Schema::new`, which leaks
//! its tables: timed over a few runs, not by criterion's thousands), and
//! the spec-driven JSON decode of rt-link `getlink` replies (fixed header,
//! strings, integers, a nest with a sub-message), per message.
//!
//! `cargo bench -p nlkit --bench ynl_load`

use criterion::{criterion_group, criterion_main, Criterion};
use nlkit::ynl::{spec::Family, SearchPath};
use std::hint::black_box;
use std::io::Read;
use std::time::Instant;

fn bench(c: &mut Criterion) {
    let Some(found) = SearchPath::from_env().find("ethtool") else {
        eprintln!("ynl_load: no ethtool spec installed (apt-get install linux-doc-6.12); nothing measured");
        return;
    };
    let path = found.path.clone();
    let t = Instant::now();
    let fam = found.load().expect("ethtool spec loads");
    println!(
        "ynl_load: {} ({} attribute sets, {} operations): first load {:.2} ms",
        path.display(),
        fam.attribute_sets.len(),
        fam.operations.list.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    c.bench_function("ynl load ethtool.yaml.gz", |b| {
        b.iter(|| black_box(nlkit::ynl::load(black_box(&path)).unwrap()))
    });
    let mut text = String::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut text)
            .unwrap();
    } else {
        text = std::fs::read_to_string(&path).unwrap();
    }
    c.bench_function("ynl parse ethtool text", |b| {
        b.iter(|| black_box(Family::parse("ethtool.yaml", black_box(&text)).unwrap()))
    });
    c.bench_function("ynl ethtool text, YAML tree only (saphyr)", |b| {
        use saphyr::LoadableYamlNode;
        b.iter(|| black_box(saphyr::MarkedYaml::load_from_str(black_box(&text)).unwrap()))
    });
}

fn schema_and_decode(c: &mut Criterion) {
    use nlkit::wire::{Msg, MsgWriter};
    use nlkit::ynl::Schema;
    if let Some(found) = SearchPath::from_env().find("ethtool") {
        const RUNS: u32 = 10;
        let t = Instant::now();
        for _ in 0..RUNS {
            black_box(Schema::new(found.load().unwrap()));
        }
        println!(
            "ynl_load: ethtool load + schema values: {:.2} ms per run ({RUNS} runs)",
            t.elapsed().as_secs_f64() * 1e3 / f64::from(RUNS)
        );
    }
    let Ok(link) = Schema::find("rt-link") else {
        eprintln!("ynl_load: no rt-link spec installed; decode not measured");
        return;
    };
    let mut buf = Vec::new();
    let mut w = MsgWriter::new(&mut buf, 16, 2, 1, 0);
    w.fixed(&[0u8, 0, 1, 0, 3, 0, 0, 0, 0x43, 0x10, 1, 0, 0, 0, 0, 0]);
    w.attr_str(3, "veth0").unwrap();
    w.attr_u32(4, 1500).unwrap();
    w.attr_u32(13, 1000).unwrap();
    w.attr_u8(16, 6).unwrap();
    w.attr(1, &[2, 0, 0, 0, 0, 1]).unwrap();
    w.attr(2, &[0xff; 6]).unwrap();
    w.nest(18, |w| {
        w.attr_str(1, "bridge")?;
        w.nest(2, |w| w.attr_u16(6, 32768).map(drop))?;
        Ok(())
    })
    .unwrap();
    w.finish().unwrap();
    let op = link.op("getlink");
    let mut out = Vec::with_capacity(4096);
    c.bench_function("ynl decode rt-link getlink reply to JSON", |b| {
        b.iter(|| {
            out.clear();
            let m = Msg::new_checked(black_box(&buf[..])).unwrap();
            link.reply_to(&m, op, &mut out).unwrap();
            black_box(out.len())
        })
    });
}

criterion_group!(benches, bench, schema_and_decode);
criterion_main!(benches);
