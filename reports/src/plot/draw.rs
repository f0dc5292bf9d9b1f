//! Drawing prepared figures with plotters, on any backend (PNG or SVG).
//!
//! Every figure is a plot area on the left and, when there is more than one
//! series, a legend outside the data on the right. Categorical axes are
//! drawn on 0..n with labels at the bar centres (plotters' segmented
//! coordinates add an empty slot); stacked bars are one rectangle per
//! segment; log axes plot log10 of the data with ticks labelled in data
//! units, which also avoids plotters' overlapping default log labels.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::data::{Bars, Figure, Grouped, Panels, Xy};
use super::style::{FONT, GREY, Marker, Sizes, color, fmt_num, log_ticks, marker, nice_ticks};
use super::{Options, pe};
use crate::ReportError;

type Area<DB> = DrawingArea<DB, Shift>;

/// A linear axis on `lo..hi` whose ticks are exactly `ticks` (plotters' own picks its ticks).
#[derive(Clone)]
struct TickAxis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Ranged for TickAxis {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;
    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        let t = if self.hi > self.lo { (v - self.lo) / (self.hi - self.lo) } else { 0.5 };
        limit.0 + (f64::from(limit.1 - limit.0) * t).round() as i32
    }
    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        self.ticks.iter().copied().filter(|t| *t >= self.lo - 1e-9 && *t <= self.hi + 1e-9).collect()
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.lo..self.hi
    }
}

/// A legend line.
struct Entry {
    label: String,
    color: RGBColor,
    swatch: Swatch,
}

#[derive(Clone, Copy)]
enum Swatch {
    Box,
    Marker(Marker),
    Line(Option<Marker>),
}

fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font()).color(&BLACK)
}

fn text_w<DB: DrawingBackend>(area: &Area<DB>, s: &str, size: f64) -> u32 {
    area.estimate_text_size(s, &font(size)).map(|(w, _)| w).unwrap_or((s.chars().count() as f64 * size * 0.55) as u32)
}

fn legend_width<DB: DrawingBackend>(area: &Area<DB>, title: Option<&str>, entries: &[Entry], sz: &Sizes) -> u32 {
    if entries.len() < 2 && title.is_none() {
        return 0;
    }
    let swatch = (sz.legend * 1.8) as u32;
    let text = entries.iter().map(|e| text_w(area, &e.label, sz.legend)).max().unwrap_or(0);
    let t = title.map_or(0, |t| text_w(area, t, sz.legend));
    (text + swatch).max(t) + (sz.legend * 1.4) as u32
}

fn draw_marker_px<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    m: Marker,
    c: RGBColor,
    r: i32,
) -> Result<(), ReportError> {
    let fill = c.filled();
    let (r2, r3) = (r * 13 / 10, r * 12 / 10);
    match m {
        Marker::Circle => area.draw(&Circle::new((x, y), r, fill)),
        Marker::Ring => area.draw(&Circle::new((x, y), r, c.stroke_width(3))),
        Marker::Square => area.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], fill)),
        Marker::Triangle => {
            area.draw(&Polygon::new(vec![(x, y - r3), (x + r3, y + r * 8 / 10), (x - r3, y + r * 8 / 10)], fill))
        }
        Marker::Diamond => area.draw(&Polygon::new(vec![(x, y - r2), (x + r2, y), (x, y + r2), (x - r2, y)], fill)),
        Marker::Cross => area.draw(&Cross::new((x, y), r, c.stroke_width(3))),
    }
    .map_err(pe)
}

fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    title: Option<&str>,
    entries: &[Entry],
    sz: &Sizes,
    top: i32,
) -> Result<(), ReportError> {
    let row = (sz.legend * 1.45) as i32;
    let sw = (sz.legend * 1.3) as i32;
    let x0 = (sz.legend * 0.5) as i32;
    let mut y = top;
    if let Some(t) = title {
        let style = TextStyle::from((FONT, sz.legend, FontStyle::Bold)).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(t.to_string(), (x0, y), style)).map_err(pe)?;
        y += row;
    }
    for e in entries {
        let cx = x0 + sw / 2;
        match e.swatch {
            Swatch::Box => {
                let h = (sz.legend * 0.45) as i32;
                area.draw(&Rectangle::new([(x0, y - h), (x0 + sw, y + h)], e.color.filled())).map_err(pe)?;
            }
            Swatch::Marker(m) => draw_marker_px(area, (cx, y), m, e.color, sz.marker)?,
            Swatch::Line(m) => {
                area.draw(&PathElement::new(vec![(x0, y), (x0 + sw, y)], e.color.stroke_width(sz.line))).map_err(pe)?;
                if let Some(m) = m {
                    draw_marker_px(area, (cx, y), m, e.color, sz.marker)?;
                }
            }
        }
        let style = font(sz.legend).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(e.label.clone(), (x0 + sw + (sz.legend * 0.5) as i32, y), style)).map_err(pe)?;
        y += row;
    }
    Ok(())
}

/// Split off a right-hand legend column when the legend is needed.
fn with_legend<DB: DrawingBackend>(
    root: &Area<DB>,
    title: Option<&str>,
    entries: &[Entry],
    sz: &Sizes,
) -> Result<Area<DB>, ReportError> {
    let w = legend_width(root, title, entries, sz);
    if w == 0 {
        return Ok(root.clone());
    }
    let (plot, legend) = root.split_horizontally(root.dim_in_pixel().0.saturating_sub(w));
    draw_legend(&legend, title, entries, sz, (sz.legend * 1.2) as i32)?;
    Ok(plot)
}

/// Draw a prepared figure.
pub(crate) fn figure<DB: DrawingBackend>(root: &Area<DB>, fig: &Figure, o: &Options) -> Result<(), ReportError> {
    root.fill(&WHITE).map_err(pe)?;
    let sz = Sizes::new(o.width, o.height);
    let root = match &o.title {
        Some(t) => root.titled(t, (FONT, sz.label * 1.1, FontStyle::Bold)).map_err(pe)?,
        None => root.clone(),
    };
    match fig {
        Figure::Bars(b) => bars(&root, b, &sz),
        Figure::Panels(p) => panels(&root, p, &sz),
        Figure::Grouped(g) => grouped(&root, g, &sz),
        Figure::Xy(d) => xy(&root, d, o, &sz),
    }
}

/// Label area heights for categorical x labels: rotate them when they would collide.
fn category_labels<DB: DrawingBackend>(area: &Area<DB>, cats: &[String], sz: &Sizes) -> (bool, u32) {
    let plot_w = f64::from(area.dim_in_pixel().0) * 0.8;
    let widest = cats.iter().map(|c| text_w(area, c, sz.tick)).max().unwrap_or(0);
    let rotate = (widest as f64 + sz.tick * 0.6) * cats.len() as f64 > plot_w;
    let h = if rotate { widest + (sz.tick * 0.8) as u32 } else { (sz.tick * 1.5) as u32 };
    (rotate, h + (sz.label * 1.6) as u32)
}

fn y_area<DB: DrawingBackend>(area: &Area<DB>, ticks: &[f64], fmt: &dyn Fn(f64) -> String, sz: &Sizes) -> u32 {
    ticks.iter().map(|t| text_w(area, &fmt(*t), sz.tick)).max().unwrap_or(0) + (sz.tick * 0.9) as u32
}

/// Left margin that holds the y-axis title.
fn title_margin(sz: &Sizes) -> u32 {
    (sz.label * 1.5) as u32
}

/// The y-axis title, rotated, centred on the plotting area. (Drawn here rather than by
/// plotters, whose rotated axis title is clipped at the left edge with the ab_glyph font.)
fn y_title<DB: DrawingBackend, CT: CoordTranslate>(
    area: &Area<DB>,
    chart: &ChartContext<'_, DB, CT>,
    text: &str,
    sz: &Sizes,
) -> Result<(), ReportError> {
    let pa = chart.plotting_area();
    let (base, dim) = (area.get_base_pixel(), pa.dim_in_pixel());
    let cy = pa.get_base_pixel().1 - base.1 + dim.1 as i32 / 2;
    let style = font(sz.label).transform(FontTransform::Rotate270).pos(Pos::new(HPos::Center, VPos::Center));
    area.draw(&Text::new(text.to_string(), ((sz.label * 0.75) as i32, cy), style)).map_err(pe)
}

/// Category names under the bars, rotated to read upwards, ending at the axis.
fn rotated_categories<DB: DrawingBackend>(
    area: &Area<DB>,
    chart: &ChartContext<'_, DB, Cartesian2d<TickAxis, TickAxis>>,
    cats: &[String],
    sz: &Sizes,
) -> Result<(), ReportError> {
    let base = area.get_base_pixel();
    let style = font(sz.tick).transform(FontTransform::Rotate270).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, c) in cats.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        let at = (x - base.0, y - base.1 + (sz.tick * 0.4) as i32);
        area.draw(&Text::new(c.clone(), at, style.clone())).map_err(pe)?;
    }
    Ok(())
}

fn bars<DB: DrawingBackend>(root: &Area<DB>, b: &Bars, sz: &Sizes) -> Result<(), ReportError> {
    // Legend top-to-bottom in the order the stack reads top-to-bottom.
    let entries: Vec<Entry> = b
        .series
        .iter()
        .enumerate()
        .rev()
        .map(|(i, s)| Entry { label: s.label.clone(), color: color(i), swatch: Swatch::Box })
        .collect();
    let plot = with_legend(root, None, &entries, sz)?;
    let n = b.categories.len();
    let totals: Vec<f64> = (0..n).map(|j| b.series.iter().map(|s| s.values[j]).sum()).collect();
    let ymax = totals.iter().copied().fold(0.0, f64::max).max(f64::MIN_POSITIVE) * 1.05;
    let yt = nice_ticks(0.0, ymax, 6);
    category_chart(&plot, &b.categories, &b.x_title, &b.y_title, ymax, &yt, sz, true, |chart| {
        let mut base = vec![0.0; n];
        for (i, s) in b.series.iter().enumerate() {
            let c = color(i);
            chart
                .draw_series((0..n).map(|j| {
                    let (y0, y1) = (base[j], base[j] + s.values[j]);
                    base[j] = y1;
                    Rectangle::new([(j as f64 + 0.15, y0), (j as f64 + 0.85, y1)], c.filled())
                }))
                .map_err(pe)?;
        }
        Ok(())
    })
}

type CatChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<TickAxis, TickAxis>>;

/// A chart with categories 0..n on x (bars centred at i + 0.5) and a linear y from 0.
#[allow(clippy::too_many_arguments)]
fn category_chart<DB: DrawingBackend>(
    area: &Area<DB>,
    cats: &[String],
    x_title: &str,
    y_title_text: &str,
    ymax: f64,
    yt: &[f64],
    sz: &Sizes,
    show_x: bool,
    draw: impl FnOnce(&mut CatChart<'_, DB>) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    let n = cats.len();
    let (rotate, xh) = if show_x { category_labels(area, cats, sz) } else { (false, (sz.tick * 0.6) as u32) };
    let yfmt = |v: f64| fmt_num(v);
    let mut chart = ChartBuilder::on(area)
        .margin_top((sz.tick * 0.8) as u32)
        .margin_right((sz.tick * 0.8) as u32)
        .margin_left(title_margin(sz))
        .x_label_area_size(xh)
        .y_label_area_size(y_area(area, yt, &yfmt, sz))
        .build_cartesian_2d(
            TickAxis { lo: 0.0, hi: n as f64, ticks: (0..n).map(|i| i as f64 + 0.5).collect() },
            TickAxis { lo: 0.0, hi: ymax, ticks: yt.to_vec() },
        )
        .map_err(pe)?;
    let xfmt = |v: &f64| {
        if show_x && !rotate {
            cats.get(v.floor().max(0.0) as usize).cloned().unwrap_or_default()
        } else {
            String::new()
        }
    };
    let yfmt2 = |v: &f64| fmt_num(*v);
    let mut mesh = chart.configure_mesh();
    mesh.disable_x_mesh()
        .x_labels(n + 1)
        .y_labels(yt.len() + 1)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt2)
        .label_style(font(sz.tick))
        .axis_desc_style(font(sz.label))
        .bold_line_style(GREY.mix(0.35))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.stroke_width(2))
        .set_all_tick_mark_size(8);
    if show_x {
        mesh.x_desc(x_title);
    }
    mesh.draw().map_err(pe)?;
    y_title(area, &chart, y_title_text, sz)?;
    if show_x && rotate {
        rotated_categories(area, &chart, cats, sz)?;
    }
    draw(&mut chart)
}

fn panels<DB: DrawingBackend>(root: &Area<DB>, p: &Panels, sz: &Sizes) -> Result<(), ReportError> {
    let k = p.panels.len().max(1);
    let (_, xh) = category_labels(root, &p.categories, sz);
    let h = i64::from(root.dim_in_pixel().1);
    let each = (h - i64::from(xh)) / k as i64;
    let mut rest = root.clone();
    for (i, (title, values)) in p.panels.iter().enumerate() {
        let last = i + 1 == k;
        let (area, below) = if last { (rest.clone(), rest.clone()) } else { rest.split_vertically(each as i32) };
        let ymax = values.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max).max(f64::MIN_POSITIVE) * 1.08;
        let yt = nice_ticks(0.0, ymax, 4);
        let c = color(if i == 1 { 3 } else { i });
        category_chart(&area, &p.categories, &p.x_title, title, ymax, &yt, sz, last, |chart| {
            chart
                .draw_series(
                    values
                        .iter()
                        .enumerate()
                        .filter(|(_, v)| v.is_finite())
                        .map(|(j, v)| Rectangle::new([(j as f64 + 0.15, 0.0), (j as f64 + 0.85, *v)], c.filled())),
                )
                .map_err(pe)?;
            Ok(())
        })?;
        rest = below;
    }
    Ok(())
}

/// Colour of series `i` of grouped bars: the reference grey first, then the palette.
fn grouped_color(i: usize) -> RGBColor {
    if i == 0 { RGBColor(120, 120, 120) } else { color(i - 1) }
}

fn grouped<DB: DrawingBackend>(root: &Area<DB>, g: &Grouped, sz: &Sizes) -> Result<(), ReportError> {
    let mut entries: Vec<Entry> = g
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| Entry { label: s.clone(), color: grouped_color(i), swatch: Swatch::Box })
        .collect();
    if g.panels.iter().any(|p| p.bands.iter().any(Option::is_some)) {
        entries.push(Entry { label: "tolerance".into(), color: RGBColor(0, 0, 0), swatch: Swatch::Line(None) });
    }
    let plot = with_legend(root, None, &entries, sz)?;
    let k = g.panels.len().max(1);
    let (_, xh) = category_labels(&plot, &g.categories, sz);
    let each = (i64::from(plot.dim_in_pixel().1) - i64::from(xh)) / k as i64;
    let n_series = g.series.len().max(1);
    let width = 0.8 / n_series as f64;
    let mut rest = plot.clone();
    for (i, p) in g.panels.iter().enumerate() {
        let last = i + 1 == k;
        let (area, below) = if last { (rest.clone(), rest.clone()) } else { rest.split_vertically(each as i32) };
        // The quantity as a heading over its panel (a rotated axis title would not fit).
        let head = (sz.label * 1.5) as i32;
        let style = TextStyle::from((FONT, sz.label * 0.9, FontStyle::Bold)).pos(Pos::new(HPos::Left, VPos::Center));
        area.draw(&Text::new(p.y_title.clone(), (title_margin(sz) as i32, head / 2 + 2), style)).map_err(pe)?;
        let (_, area) = area.split_vertically(head);
        let top = p
            .values
            .iter()
            .flatten()
            .copied()
            .chain(p.bands.iter().flatten().map(|b| b.1))
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE)
            * 1.08;
        let yt = nice_ticks(0.0, top, 4);
        category_chart(&area, &g.categories, &g.x_title, "", top, &yt, sz, last, |chart| {
            for (s, vals) in p.values.iter().enumerate() {
                let c = grouped_color(s);
                let x0 = 0.1 + width * s as f64;
                chart
                    .draw_series(vals.iter().enumerate().filter(|(_, v)| v.is_finite()).map(|(j, v)| {
                        Rectangle::new([(j as f64 + x0, 0.0), (j as f64 + x0 + width * 0.92, *v)], c.filled())
                    }))
                    .map_err(pe)?;
            }
            // The tolerance: a whisker across the first series' bar, from lo to hi.
            let mid = 0.1 + width * 0.46;
            for (j, b) in p.bands.iter().enumerate() {
                let Some((lo, hi)) = b else { continue };
                let x = j as f64 + mid;
                let cap = width * 0.3;
                let style = BLACK.stroke_width(2);
                chart
                    .draw_series([
                        PathElement::new(vec![(x, *lo), (x, *hi)], style),
                        PathElement::new(vec![(x - cap, *lo), (x + cap, *lo)], style),
                        PathElement::new(vec![(x - cap, *hi), (x + cap, *hi)], style),
                    ])
                    .map_err(pe)?;
            }
            Ok(())
        })?;
        rest = below;
    }
    Ok(())
}

/// Axis ticks in plotted (possibly log10) coordinates, and the plotted range.
fn axis(values: &[f64], log: bool, exact: bool, zero: bool) -> (Vec<f64>, f64, f64) {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite() && (!log || *x > 0.0)).collect();
    let (mut lo, mut hi) =
        (v.iter().copied().fold(f64::INFINITY, f64::min), v.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    if !lo.is_finite() {
        (lo, hi) = (1.0, 10.0);
    }
    let mut distinct = v.clone();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    if log {
        if hi <= lo {
            (lo, hi) = (lo / 2.0, hi * 2.0);
        }
        let pad = (hi / lo).powf(0.06);
        let ticks = if exact && distinct.len() <= 12 { distinct } else { log_ticks(lo / pad, hi * pad) };
        return (ticks.iter().map(|t| t.log10()).collect(), (lo / pad).log10(), (hi * pad).log10());
    }
    if hi <= lo {
        let d = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo, hi) = (lo - d, hi + d);
    }
    if zero && lo > 0.0 && lo < 0.4 * hi {
        lo = 0.0;
    }
    let pad = (hi - lo) * 0.06;
    let (plo, phi) = (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad);
    let ticks = if exact && distinct.len() <= 12 { distinct } else { nice_ticks(plo, phi, 6) };
    (ticks, plo, phi)
}

fn xy<DB: DrawingBackend>(root: &Area<DB>, d: &Xy, o: &Options, sz: &Sizes) -> Result<(), ReportError> {
    let tx = |v: f64| if o.log_x { v.log10() } else { v };
    let ty = |v: f64| if o.log_y { v.log10() } else { v };
    let single = d.groups.len() == 1 && d.groups[0].label.is_empty();
    let mut entries: Vec<Entry> = Vec::new();
    for (i, g) in d.groups.iter().enumerate() {
        let label = if g.label.is_empty() { d.single_label.clone() } else { g.label.clone() };
        let swatch = if d.lines { Swatch::Line(Some(marker(i))) } else { Swatch::Marker(marker(i)) };
        entries.push(Entry { label, color: color(i), swatch });
    }
    if d.diagonal {
        entries.push(Entry { label: "y = x".into(), color: GREY, swatch: Swatch::Line(None) });
    }
    if d.front.is_some() {
        entries.push(Entry {
            label: "Pareto front".into(),
            color: RGBColor(0, 0, 0),
            swatch: Swatch::Line(Some(Marker::Ring)),
        });
    }
    if let Some(r) = &d.roof {
        entries.push(Entry {
            label: format!("peak {} GOPS", fmt_num(r.peak_gops)),
            color: RGBColor(0, 0, 0),
            swatch: Swatch::Line(None),
        });
        if let Some(bw) = r.bandwidth_gb_s {
            entries.push(Entry {
                label: format!("DRAM {} GB/s", fmt_num(bw)),
                color: GREY,
                swatch: Swatch::Line(None),
            });
        }
    }
    let plot = with_legend(root, d.legend_title.as_deref(), &entries, sz)?;

    let mut xs: Vec<f64> = d.groups.iter().flat_map(|g| g.points.iter().map(|p| p.0)).collect();
    let mut ys: Vec<f64> = d.groups.iter().flat_map(|g| g.points.iter().map(|p| p.1)).collect();
    if let Some(r) = &d.roof {
        ys.push(r.peak_gops * 1.3);
        if let Some(bw) = r.bandwidth_gb_s {
            xs.push(r.peak_gops / bw * 2.0);
            xs.push(xs.iter().copied().fold(f64::INFINITY, f64::min) / 2.0);
        }
    }
    let (xt, x0, x1) = match &d.x_categories {
        Some(c) => ((0..c.len()).map(|i| i as f64).collect(), -0.5, c.len() as f64 - 0.5),
        None => axis(&xs, o.log_x, d.lines, false),
    };
    let (yt, y0, y1) = axis(&ys, o.log_y, false, d.lines);
    let fx = |v: &f64| match &d.x_categories {
        Some(c) => c.get(v.round().max(0.0) as usize).cloned().unwrap_or_default(),
        None => fmt_num(if o.log_x { 10f64.powf(*v) } else { *v }),
    };
    let fy = |v: f64| fmt_num(if o.log_y { 10f64.powf(v) } else { v });
    let fy2 = |v: &f64| fy(*v);
    let mut chart = ChartBuilder::on(&plot)
        .margin_top((sz.tick * 0.8) as u32)
        .margin_right((sz.tick * 1.2) as u32)
        .margin_left(title_margin(sz))
        .x_label_area_size((sz.tick * 1.5 + sz.label * 1.6) as u32)
        .y_label_area_size(y_area(&plot, &yt, &fy, sz))
        .build_cartesian_2d(
            TickAxis { lo: x0, hi: x1, ticks: xt.clone() },
            TickAxis { lo: y0, hi: y1, ticks: yt.clone() },
        )
        .map_err(pe)?;
    chart
        .configure_mesh()
        .x_labels(xt.len() + 1)
        .y_labels(yt.len() + 1)
        .x_label_formatter(&fx)
        .y_label_formatter(&fy2)
        .label_style(font(sz.tick))
        .axis_desc_style(font(sz.label))
        .bold_line_style(GREY.mix(0.35))
        .light_line_style(TRANSPARENT)
        .axis_style(BLACK.stroke_width(2))
        .set_all_tick_mark_size(8)
        .x_desc(d.x_title.as_str())
        .draw()
        .map_err(pe)?;
    y_title(&plot, &chart, &d.y_title, sz)?;

    if let Some(r) = &d.roof {
        let top = ty(r.peak_gops);
        let pts = match r.bandwidth_gb_s {
            Some(bw) => {
                let ridge = tx(r.peak_gops / bw);
                let start = if o.log_x { x0 } else { x0.max(0.0) };
                let y_at = |x: f64| if o.log_x { ty(bw * 10f64.powf(x)) } else { ty(bw * x) };
                chart
                    .draw_series(LineSeries::new([(start, y_at(start)), (ridge, top)], GREY.stroke_width(sz.line)))
                    .map_err(pe)?;
                vec![(ridge, top), (x1, top)]
            }
            None => vec![(x0, top), (x1, top)],
        };
        chart.draw_series(LineSeries::new(pts, BLACK.stroke_width(sz.line))).map_err(pe)?;
    }
    if d.diagonal {
        let (lo, hi) = (x0.max(y0), x1.min(y1));
        if hi > lo {
            chart.draw_series(LineSeries::new([(lo, lo), (hi, hi)], GREY.stroke_width(sz.line))).map_err(pe)?;
        }
    }
    if let Some(front) = &d.front {
        // The staircase of the front: every point it covers is dominated.
        let mut stairs = Vec::new();
        for (i, p) in front.iter().enumerate() {
            if i > 0 {
                stairs.push((tx(p.0), ty(front[i - 1].1)));
            }
            stairs.push((tx(p.0), ty(p.1)));
        }
        chart.draw_series(LineSeries::new(stairs, BLACK.stroke_width(2))).map_err(pe)?;
    }
    for (i, g) in d.groups.iter().enumerate() {
        let c = if d.front.is_some() && single { color(0).mix(0.55).to_rgba() } else { color(i).to_rgba() };
        let pts: Vec<(f64, f64)> =
            g.points.iter().map(|p| (tx(p.0), ty(p.1))).filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
        if d.lines {
            chart.draw_series(LineSeries::new(pts.clone(), c.stroke_width(sz.line))).map_err(pe)?;
        }
        draw_markers(&mut chart, &pts, marker(i), c, sz.marker)?;
        if d.point_labels {
            point_labels(&plot, &mut chart, &pts, &g.names, sz)?;
        }
    }
    if let Some(front) = &d.front {
        let pts: Vec<(f64, f64)> = front.iter().map(|p| (tx(p.0), ty(p.1))).collect();
        draw_markers(&mut chart, &pts, Marker::Ring, BLACK.to_rgba(), sz.marker + 4)?;
    }
    Ok(())
}

fn draw_markers<DB: DrawingBackend, CT: CoordTranslate<From = (f64, f64)>>(
    chart: &mut ChartContext<'_, DB, CT>,
    pts: &[(f64, f64)],
    m: Marker,
    c: RGBAColor,
    r: i32,
) -> Result<(), ReportError> {
    let fill = c.filled();
    let (r2, r3, r8) = (r * 13 / 10, r * 12 / 10, r * 8 / 10);
    let it = pts.iter().copied();
    match m {
        Marker::Circle => chart.draw_series(it.map(|p| Circle::new(p, r, fill))).map(|_| ()),
        Marker::Ring => chart.draw_series(it.map(|p| Circle::new(p, r, c.stroke_width(3)))).map(|_| ()),
        Marker::Square => {
            chart.draw_series(it.map(|p| EmptyElement::at(p) + Rectangle::new([(-r, -r), (r, r)], fill))).map(|_| ())
        }
        Marker::Triangle => chart
            .draw_series(it.map(|p| EmptyElement::at(p) + Polygon::new(vec![(0, -r3), (r3, r8), (-r3, r8)], fill)))
            .map(|_| ()),
        Marker::Diamond => chart
            .draw_series(
                it.map(|p| EmptyElement::at(p) + Polygon::new(vec![(0, -r2), (r2, 0), (0, r2), (-r2, 0)], fill)),
            )
            .map(|_| ()),
        Marker::Cross => chart.draw_series(it.map(|p| Cross::new(p, r, c.stroke_width(3)))).map(|_| ()),
    }
    .map_err(pe)
}

/// Names beside points, placed greedily where they overlap no earlier name; points at
/// the same spot share one label ("fc7, fc8").
fn point_labels<DB: DrawingBackend>(
    area: &Area<DB>,
    chart: &mut ChartContext<'_, DB, Cartesian2d<TickAxis, TickAxis>>,
    pts: &[(f64, f64)],
    names: &[String],
    sz: &Sizes,
) -> Result<(), ReportError> {
    let size = sz.tick * 0.75;
    // (pixel position, data position, names of the points there)
    type Spot<'a> = ((i32, i32), (f64, f64), Vec<&'a str>);
    let mut spots: Vec<Spot<'_>> = Vec::new();
    for (p, n) in pts.iter().zip(names) {
        let px = chart.backend_coord(p);
        match spots.iter_mut().find(|s| (s.0.0 - px.0).abs() <= 3 && (s.0.1 - px.1).abs() <= 3) {
            Some(s) => s.2.push(n),
            None => spots.push((px, *p, vec![n])),
        }
    }
    spots.sort_by_key(|s| (s.0.0, s.0.1));
    let off = sz.marker + 3;
    let h = size as i32;
    let mut placed: Vec<(i32, i32, i32, i32)> =
        spots.iter().map(|s| (s.0.0 - off, s.0.1 - off, s.0.0 + off, s.0.1 + off)).collect();
    for (px, p, ns) in &spots {
        let text = ns.join(", ");
        let w = text_w(area, &text, size) as i32;
        // Candidate top-left corners: right-above, right-below, left-above, left-below, then higher and lower.
        let mut cands = vec![(off, -off - h), (off, off), (-off - w, -off - h), (-off - w, off)];
        for k in 1..5 {
            cands.push((off, -off - h - k * h));
            cands.push((off, off + k * h));
        }
        let fits = |(dx, dy): (i32, i32)| {
            let b = (px.0 + dx, px.1 + dy, px.0 + dx + w, px.1 + dy + h);
            !placed.iter().any(|q| b.0 < q.2 && q.0 < b.2 && b.1 < q.3 && q.1 < b.3)
        };
        let (dx, dy) = cands.iter().copied().find(|c| fits(*c)).unwrap_or(cands[0]);
        placed.push((px.0 + dx, px.1 + dy, px.0 + dx + w, px.1 + dy + h));
        let style = font(size).pos(Pos::new(HPos::Left, VPos::Top));
        chart.draw_series(std::iter::once(EmptyElement::at(*p) + Text::new(text, (dx, dy), style))).map_err(pe)?;
    }
    Ok(())
}
