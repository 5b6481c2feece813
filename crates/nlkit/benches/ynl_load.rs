//! Loading the largest installed kernel spec: ethtool, from Debian's
//! `linux-doc-*` (gunzip, YAML parse, model, every reference checked), the
//! goal being under 20 ms. Also the YAML parse alone from text in memory,
//! to show where the time goes.
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

criterion_group!(benches, bench);
criterion_main!(benches);
