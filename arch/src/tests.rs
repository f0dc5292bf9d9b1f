use super::*;

fn errs(text: &str) -> Vec<Diagnostic> {
    match Arch::from_toml("a.toml", text) {
        Ok(_) => Vec::new(),
        Err(ArchError::Invalid(d)) => d.0,
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn presets_parse_and_validate() {
    for (name, text) in presets::PRESETS {
        let a = Arch::from_toml(name, text);
        assert!(a.is_ok(), "preset {name}: {}", a.err().map(|e| e.to_string()).unwrap_or_default());
    }
}

#[test]
fn unknown_key_names_line_and_key() {
    let text = presets::get("systolic").unwrap_or_default().replace("cols = 32", "columns = 32");
    let d = errs(&text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].key, "pe_array.columns");
    assert!(d[0].message.contains("unknown field `columns`"), "{}", d[0].message);
    assert!(d[0].message.contains("`cols`"), "{}", d[0].message);
    let line = text.lines().position(|l| l.starts_with("columns")).map(|i| i + 1);
    assert_eq!(Some(d[0].line), line);
}

#[test]
fn wrong_type_and_negative_size_are_located() {
    let text = presets::get("systolic").unwrap_or_default().replace("rows = 32", "rows = \"many\"");
    let d = errs(&text);
    assert_eq!(d[0].key, "pe_array.rows");
    let text = presets::get("systolic").unwrap_or_default().replace("capacity_kb = 192.0", "capacity_kb = -4.0");
    let d = errs(&text);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].key, "levels.sram.capacity_kb");
    assert!(d[0].message.contains("positive"));
    let line = text.lines().position(|l| l.contains("-4.0")).map(|i| i + 1);
    assert_eq!(Some(d[0].line), line);
}

#[test]
fn all_value_problems_reported_at_once() {
    let text = presets::get("systolic")
        .unwrap_or_default()
        .replace("rows = 32", "rows = 0")
        .replace("clock_mhz = 1000.0", "clock_mhz = 0.0")
        .replace("dataflow = \"os\"", "dataflow = \"rs\"");
    let keys: Vec<String> = errs(&text).into_iter().map(|d| d.key).collect();
    assert_eq!(keys, ["clock_mhz", "pe_array.rows", "pe_array.dataflow"]);
}

#[test]
fn sets_override_and_reject_unknown_paths() {
    let base = Arch::load("systolic", &[]).map_err(|e| e.to_string());
    let Ok(base) = base else { panic!("{base:?}") };
    let sets = vec![
        ("arch.pe_array.rows".to_string(), "8".to_string()),
        ("levels.sram.partition.inputs_kb".to_string(), "16".to_string()),
        ("pe_array.dataflow".to_string(), "os".to_string()),
    ];
    let a = base.with_sets(&sets).map_err(|e| e.to_string());
    let Ok(a) = a else { panic!("{a:?}") };
    assert_eq!(a.pe_array.rows, 8);
    assert_eq!(a.pe_array.dataflow, Dataflow::Os);
    assert_eq!(a.levels[1].partition.as_ref().and_then(|p| p.inputs_kb), Some(16.0));
    let e = base.with_sets(&[("pe_array.rowz".into(), "8".into())]).err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("unknown field `rowz`")), "{e:?}");
    let e = base.with_sets(&[("levels.glb.capacity_kb".into(), "8".into())]).err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("no element `glb`")), "{e:?}");
    let e = base.with_sets(&[("pe_array.rows".into(), "0".into())]).err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("pe_array.rows") && m.contains("at least 1")), "{e:?}");
}

#[test]
fn scalesim_cfg_maps_to_systolic() {
    let cfg = "[general]\nrun_name = test\n\n[architecture_presets]\nArrayHeight:    16\nArrayWidth:     8\nIfmapSramSzkB:    32\nFilterSramSzkB:   48\nOfmapSramSzkB:    16\nIfmapOffset:    0\nDataflow : is\nBandwidth : 20\nMemoryBanks: 1\n";
    let r = scalesim_cfg::parse("t.cfg", cfg).map_err(|e| e.to_string());
    let Ok(r) = r else { panic!("{r:?}") };
    assert_eq!((r.arch.pe_array.rows, r.arch.pe_array.cols), (16, 8));
    assert_eq!(r.arch.pe_array.dataflow, Dataflow::Is);
    assert_eq!(r.arch.levels[0].bandwidth_words_per_cycle, Some(20.0));
    let p = r.arch.levels[1].partition.clone().unwrap_or_default();
    assert_eq!((p.inputs_kb, p.weights_kb, p.outputs_kb), (Some(32.0), Some(48.0), Some(16.0)));
    assert_eq!(r.ignored, ["general.run_name", "architecture_presets.IfmapOffset", "architecture_presets.MemoryBanks"]);
    let bad = cfg.replace("Dataflow : is", "Dataflow : rs");
    let e = scalesim_cfg::parse("t.cfg", &bad).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("t.cfg:11:1") && e.contains("allowed: os, ws, is"), "{e}");
}

#[test]
fn a_stated_area_is_carried_and_checked() {
    let base = presets::get("systolic").unwrap_or_default();
    let with = base.replacen("[pe_array]", "area_mm2 = 12.5\n\n[pe_array]", 1);
    match Arch::from_toml("a.toml", &with) {
        Ok(a) => assert_eq!(a.area_mm2, Some(12.5)),
        Err(e) => panic!("{e}"),
    }
    let d = errs(&base.replacen("[pe_array]", "area_mm2 = -1.0\n\n[pe_array]", 1));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].key, "area_mm2");
    assert!(d[0].message.contains("positive number of mm²"), "{}", d[0].message);
    // A preset without one states none; `--set` can give one.
    let a = Arch::load("systolic", &[("area_mm2".into(), "3".into())]);
    assert_eq!(a.ok().and_then(|a| a.area_mm2), Some(3.0));
}
