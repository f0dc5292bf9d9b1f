use super::*;

const POINTS: &[u8] = include_bytes!("../../tests/fixtures/points.csv");
const LAYERS: &[u8] = include_bytes!("../../tests/fixtures/layers.csv");

fn table(b: &[u8]) -> Table {
    match Table::parse_whole(b, "fixture") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    }
}

fn opts(kind: Kind) -> Options {
    let mut o = Options::new(kind);
    if kind == Kind::Roofline {
        o.roof = Some(Roof { peak_gops: 67.2, bandwidth_gb_s: Some(4.0) });
    }
    o
}

/// Render to PNG and SVG in a temporary directory; check both are non-trivial images.
fn render_both(t: &Table, o: &Options, name: &str) -> Vec<String> {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let mut warnings = Vec::new();
    for ext in ["png", "svg"] {
        let path = dir.path().join(format!("{name}.{ext}"));
        match render(t, o, &path) {
            Ok(w) => warnings = w,
            Err(e) => panic!("{name}.{ext}: {e}"),
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        if ext == "png" {
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{name}: PNG signature");
            // A blank 1200x800 PNG compresses to a few KB; a drawn one is larger.
            assert!(bytes.len() > 20_000, "{name}.png is only {} bytes", bytes.len());
        } else {
            let svg = String::from_utf8_lossy(&bytes);
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{name}.svg");
            assert!(svg.matches("<text").count() >= 8, "{name}.svg has too little text");
        }
    }
    if let Ok(keep) = std::env::var("EYRIE_KEEP_PLOTS") {
        for ext in ["png", "svg"] {
            let _ =
                std::fs::copy(dir.path().join(format!("{name}.{ext}")), Path::new(&keep).join(format!("{name}.{ext}")));
        }
    }
    warnings
}

#[test]
fn every_kind_renders_png_and_svg() {
    let (points, layers) = (table(POINTS), table(LAYERS));
    render_both(&layers, &opts(Kind::Breakdown), "breakdown-layers");
    let w = render_both(&points, &opts(Kind::Breakdown), "breakdown-points");
    assert!(w.iter().any(|w| w.contains("1 of 24 rows left out")), "{w:?}");
    render_both(&layers, &opts(Kind::Layers), "layers");
    let mut o = opts(Kind::Pareto);
    o.color = Some("arch.pe_array.rows".into());
    render_both(&points, &o, "pareto");
    let mut o = opts(Kind::Pareto);
    o.log_x = true;
    o.log_y = true;
    render_both(&points, &o, "pareto-log");
    let w = render_both(&points, &opts(Kind::Lines), "lines");
    assert!(w.is_empty() || w.iter().all(|w| !w.contains("several rows")), "{w:?}");
    render_both(&layers, &opts(Kind::Roofline), "roofline");
    let v = table(VALIDATE);
    let w = render_both(&v, &opts(Kind::Reference), "reference");
    assert!(w.iter().any(|w| w.contains("eyrie's bar only")), "{w:?}");
    render_both(&v, &opts(Kind::Parity), "parity");
}

/// Rows as `eyrie validate --format csv` writes them (columns trimmed to what the figures read).
const VALIDATE: &[u8] = b"table,quantity,item,paper,eyrie,error_pct,tolerance,verdict
t,latency (us),Alex-6,30.3,28.76,-5.1,\xc2\xb110 %,within
t,latency (us),Alex-7,12.2,12.94,6.0,\xc2\xb110 %,within
t,latency (us),VGG-6,34.4,24.98,-27.4,\xc2\xb110 %,documented miss
t,theoretical latency (us),Alex-6,28.1,27.82,-1.0,\xc2\xb110 %,within
t,theoretical latency (us),Alex-7,11.7,12.44,6.3,\xc2\xb110 %,within
t,theoretical latency (us),extra,,3.0,,-,context
";

#[test]
fn reference_bars_pair_paper_and_model_per_item_with_the_tolerance() {
    let t = table(VALIDATE);
    let mut warn = Vec::new();
    let Ok(data::Figure::Grouped(g)) = data::prepare(&t, &opts(Kind::Reference), &mut warn) else {
        panic!("not grouped bars")
    };
    assert_eq!(g.categories, ["Alex-6", "Alex-7", "VGG-6", "extra"]);
    assert_eq!(g.series, ["paper", "eyrie"]);
    let titles: Vec<&str> = g.panels.iter().map(|p| p.y_title.as_str()).collect();
    assert_eq!(titles, ["latency (us)", "theoretical latency (us)"]);
    // Panel 1: VGG-6 has both values; the item it lacks is NaN.
    assert_eq!(g.panels[0].values[0][2], 34.4);
    assert_eq!(g.panels[0].values[1][2], 24.98);
    assert!(g.panels[0].values[1][3].is_nan());
    // ±10 % around the paper's value; none without a published value.
    let (lo, hi) = g.panels[0].bands[0].unwrap_or((0.0, 0.0));
    assert!((lo - 27.27).abs() < 1e-9 && (hi - 33.33).abs() < 1e-9, "{lo} {hi}");
    assert_eq!(g.panels[1].bands[3], None);
    assert!(g.panels[1].values[0][3].is_nan() && g.panels[1].values[1][3] == 3.0);
    // Too many quantities for one figure: an error that says how to choose.
    let mut many = t.clone();
    for q in ["a", "b", "c"] {
        many.rows.push(vec!["t".into(), q.into(), "x".into(), "1".into(), "1".into(), "0".into(), "-".into(), "within".into()]);
    }
    match data::prepare(&many, &opts(Kind::Reference), &mut warn) {
        Err(e) => assert!(e.to_string().contains("--filter quantity="), "{e}"),
        Ok(_) => panic!("five quantities accepted"),
    }
}

#[test]
fn lines_default_to_the_first_two_axes() {
    let t = table(POINTS);
    let mut warn = Vec::new();
    let fig = data::prepare(&t, &opts(Kind::Lines), &mut warn);
    let Ok(data::Figure::Xy(xy)) = fig else { panic!("not an x-y figure") };
    // x: the axis with more values; colour: the other one.
    assert_eq!(xy.x_title, "glb capacity (KiB)");
    assert_eq!(xy.legend_title.as_deref(), Some("PE rows"));
    let labels: Vec<&str> = xy.groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["8", "12", "16"]);
    // Row 16 lost its failed 32 KiB point.
    let lens: Vec<usize> = xy.groups.iter().map(|g| g.points.len()).collect();
    assert_eq!(lens, [8, 8, 7]);
}

#[test]
fn breakdown_stacks_components_that_add_up() {
    let t = table(LAYERS);
    let mut warn = Vec::new();
    let Ok(data::Figure::Bars(b)) = data::prepare(&t, &opts(Kind::Breakdown), &mut warn) else { panic!("not bars") };
    let labels: Vec<&str> = b.series.iter().map(|s| s.label.as_str()).collect();
    // MAC at the bottom, levels innermost first, NoC; leakage is zero everywhere and dropped.
    assert_eq!(labels, ["MAC", "rf", "glb", "dram", "NoC"]);
    let e = t.col("energy_pj").unwrap_or(0);
    // The largest layer (fc6) is 7.9 mJ: values are in mJ.
    assert_eq!(b.y_title, "energy (mJ)");
    for (j, _) in b.categories.iter().enumerate() {
        let sum: f64 = b.series.iter().map(|s| s.values[j]).sum();
        let want = t.num(j, e).unwrap_or(0.0) / 1e9;
        assert!((sum - want).abs() < 1e-6 * want.max(1.0), "{} vs {}", sum, want);
    }
}

#[test]
fn bad_requests_are_errors() {
    let t = table(POINTS);
    let dir = tempfile::tempdir().ok();
    let p = dir.as_ref().map(|d| d.path().join("x.png")).unwrap_or_default();
    let mut o = opts(Kind::Pareto);
    o.x = Some("nope".into());
    assert!(render(&t, &o, &p).is_err_and(|e| e.to_string().contains("no column `nope`")));
    assert!(render(&t, &opts(Kind::Layers), &p).is_err_and(|e| e.to_string().contains("per-layer")));
    assert!(
        render(&t, &opts(Kind::Pareto), &p.with_extension("jpg"))
            .is_err_and(|e| e.to_string().contains(".png or .svg"))
    );
    assert!(render(&t, &Options::new(Kind::Roofline), &p).is_err_and(|e| e.to_string().contains("--arch")));
    assert_eq!("box".parse::<Kind>().err(), Some(format!("unknown plot kind `box`; kinds: {KINDS}")));
}

#[test]
fn breakdown_stacks_level_totals_not_their_per_tensor_parts_too() {
    // Regression: with `<level>_<tensor>_energy_pj` columns (spatial engine) the
    // breakdown stacked both the level totals and their parts, doubling the bars.
    let csv = b"layer,energy_pj,mac_energy_pj,noc_energy_pj,leakage_energy_pj,dram_energy_pj,glb_energy_pj,glb_weights_energy_pj,glb_psums_energy_pj,spad_energy_pj\nc1,10,1,0,0,4,3,1,2,2\n";
    let t = match Table::parse_whole(csv, "t") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    let cols = super::data::components(&t);
    assert_eq!(
        cols,
        ["mac_energy_pj", "spad_energy_pj", "glb_energy_pj", "dram_energy_pj", "noc_energy_pj", "leakage_energy_pj"]
    );
    // Without the level total, the parts are the components.
    let csv = b"layer,energy_pj,mac_energy_pj,sram_weights_energy_pj,sram_inputs_energy_pj\nc1,3,1,1,1\n";
    let t = match Table::parse_whole(csv, "t") {
        Ok(t) => t,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(super::data::components(&t), ["mac_energy_pj", "sram_inputs_energy_pj", "sram_weights_energy_pj"]);
}
