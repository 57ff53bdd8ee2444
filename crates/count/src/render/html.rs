//! A standalone page for publishing a count: no scripts, no external files, so it can be
//! mailed, archived or served as it is. The chart is inline SVG drawn with integer
//! arithmetic from the exact totals; the table carries the same numbers for screen readers
//! and for anyone who cannot see the colours (each line also has its own dash pattern).

use std::fmt::Write;

use super::{action_text, name, names, signed};
use crate::model::CandidateId;
use crate::report::Report;

/// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
const COLOURS: [&str; 8] = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442",
];
const DASHES: [&str; 4] = ["", "8 4", "2 3", "10 3 2 3"];

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> String {
    let e = escape;
    let title = if report.title.is_empty() {
        "Count".to_string()
    } else {
        report.title.clone()
    };
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} — {} count</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n",
        e(&title),
        e(&report.method)
    );
    let _ = writeln!(o, "<h1>{}</h1>", e(&title));
    o.push_str("<dl class=\"facts\">\n");
    let _ = writeln!(o, "<dt>Method</dt><dd>{}</dd>", e(&report.method));
    let _ = writeln!(o, "<dt>Seats</dt><dd>{}</dd>", report.seats);
    if let Some(q) = report.quota {
        let _ = writeln!(o, "<dt>Quota</dt><dd>{q}</dd>");
    }
    o.push_str("</dl>\n<h2>Elected</h2>\n");
    if report.elected.is_empty() {
        o.push_str("<p>No one was elected.</p>\n");
    } else {
        o.push_str("<ol class=\"elected\">\n");
        for &id in &report.elected {
            let _ = writeln!(o, "<li>{}</li>", e(name(report, id)));
        }
        o.push_str("</ol>\n");
    }
    if !report.rounds.is_empty() {
        o.push_str("<h2>Totals by round</h2>\n");
        chart(report, &mut o);
        table(report, &mut o);
        o.push_str("<h2>Rounds</h2>\n<ol class=\"rounds\">\n");
        for r in &report.rounds {
            let _ = write!(
                o,
                "<li value=\"{}\"><strong>{}</strong>",
                r.number,
                e(&action_text(report, &r.action))
            );
            if !r.reason.is_empty() {
                let _ = write!(o, ": {}", e(&r.reason));
            }
            let moves: Vec<String> = r
                .transfers
                .iter()
                .enumerate()
                .filter(|(_, d)| d.units != 0)
                .map(|(i, d)| format!("{} {}", e(name(report, CandidateId(i as u32))), signed(*d)))
                .collect();
            if r.number > 1 && !moves.is_empty() {
                let _ = write!(
                    o,
                    "<br><span class=\"changes\">Changes: {}</span>",
                    moves.join(", ")
                );
            }
            o.push_str("</li>\n");
        }
        o.push_str("</ol>\n");
    }
    if !report.tie_breaks.is_empty() {
        o.push_str("<h2>Tie-breaks</h2>\n<ul>\n");
        for t in &report.tie_breaks {
            let _ = writeln!(
                o,
                "<li>Round {}: {} were tied; {} chosen by {}</li>",
                t.round,
                e(&names(report, &t.tied)),
                e(name(report, t.chosen)),
                e(&t.rule)
            );
        }
        o.push_str("</ul>\n");
    }
    if !report.notes.is_empty() {
        o.push_str("<h2>Notes</h2>\n<ul>\n");
        for n in &report.notes {
            let _ = writeln!(o, "<li>{}</li>", e(n));
        }
        o.push_str("</ul>\n");
    }
    o.push_str("</main>\n</body>\n</html>\n");
    o
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#111;background:#fff}
main{max-width:72rem}
table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #999;padding:.25rem .5rem}
td.num{text-align:right;font-variant-numeric:tabular-nums}
th[scope=row]{text-align:left;font-weight:normal;white-space:nowrap}
td.status{white-space:nowrap}
caption{text-align:left;font-weight:bold;padding:.25rem 0}
.table-wrap{overflow-x:auto}
svg{max-width:100%;height:auto}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.25rem 1rem}
dl.facts dd{margin:0}
";

fn table(report: &Report, o: &mut String) {
    let e = escape;
    let fates = report.fates();
    o.push_str("<div class=\"table-wrap\">\n<table>\n<caption>Each candidate's total at the end of each round</caption>\n<thead><tr><th scope=\"col\">Candidate</th><th scope=\"col\">Status</th>");
    for r in &report.rounds {
        let _ = write!(o, "<th scope=\"col\">Round {}</th>", r.number);
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    for (i, n) in report.candidate_names.iter().enumerate() {
        let _ = write!(
            o,
            "<tr><th scope=\"row\">{}</th><td class=\"status\">{}</td>",
            e(n),
            e(&fates[i].to_string())
        );
        for r in &report.rounds {
            let v = r.totals.get(i).map_or(String::new(), ToString::to_string);
            let _ = write!(o, "<td class=\"num\">{v}</td>");
        }
        o.push_str("</tr>\n");
    }
    o.push_str("<tr><th scope=\"row\">Non-transferable</th><td></td>");
    for r in &report.rounds {
        let _ = write!(o, "<td class=\"num\">{}</td>", r.exhausted);
    }
    o.push_str("</tr>\n</tbody>\n</table>\n</div>\n");
}

fn chart(report: &Report, o: &mut String) {
    const W: i128 = 720;
    const H: i128 = 320;
    const LEFT: i128 = 70;
    const RIGHT: i128 = 20;
    const TOP: i128 = 20;
    const BOTTOM: i128 = 40;
    let n = report.candidate_names.len();
    let legend_cols = 3usize;
    let legend_rows = n.div_ceil(legend_cols) as i128;
    let height = H + legend_rows * 22 + 10;
    let scale = report
        .rounds
        .iter()
        .flat_map(|r| r.totals.iter().chain(r.quota.iter()))
        .chain(report.quota.iter())
        .map(|d| d.scale)
        .max()
        .unwrap_or(0)
        .min(18);
    let max = report
        .rounds
        .iter()
        .flat_map(|r| r.totals.iter().chain(r.quota.iter()))
        .chain(report.quota.iter())
        .map(|&d| d.at_scale(scale))
        .max()
        .unwrap_or(0)
        .max(1);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let rounds = report.rounds.len() as i128;
    let x = |i: i128| {
        if rounds <= 1 {
            LEFT + plot_w / 2
        } else {
            LEFT + i * plot_w / (rounds - 1)
        }
    };
    // Scale by division first when values are huge, so the product cannot overflow.
    let y = |v: i128| {
        let v = v.clamp(0, max);
        let scaled = if max > i128::MAX / plot_h {
            v / (max / plot_h).max(1)
        } else {
            v * plot_h / max
        };
        TOP + plot_h - scaled.min(plot_h)
    };
    let _ = write!(
        o,
        "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" width=\"{W}\" height=\"{height}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\">\n\
         <title id=\"chart-title\">Totals by round</title>\n\
         <desc id=\"chart-desc\">A line for each candidate showing their total at the end of each of {} rounds; the same figures are in the table below.</desc>\n",
        report.rounds.len()
    );
    // Axes and gridlines at quarters of the largest value.
    let _ = writeln!(
        o,
        "<g stroke=\"#999\" stroke-width=\"1\"><line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{}\"/><line x1=\"{LEFT}\" y1=\"{0}\" x2=\"{}\" y2=\"{0}\"/></g>",
        TOP + plot_h,
        LEFT + plot_w
    );
    let one = 10i128.pow(scale);
    for q in 1..=4i128 {
        let v = max * q / 4;
        let yy = y(v);
        // Whole numbers read best on an axis; tiny counts keep their decimals.
        let label = if max >= 4 * one {
            crate::Decimal::whole(v / one)
        } else {
            crate::Decimal { units: v, scale }
        };
        let _ = writeln!(
            o,
            "<line x1=\"{LEFT}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\" stroke=\"#ddd\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{label}</text>",
            LEFT + plot_w,
            LEFT - 6,
            yy + 4
        );
    }
    for (i, r) in report.rounds.iter().enumerate() {
        let _ = writeln!(
            o,
            "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"middle\">{}</text>",
            x(i as i128),
            TOP + plot_h + 16,
            r.number
        );
    }
    let _ = writeln!(
        o,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">Round</text>",
        LEFT + plot_w / 2,
        TOP + plot_h + 34
    );
    if let Some(q) = report.quota {
        let qy = y(q.at_scale(scale));
        let _ = writeln!(
            o,
            "<line x1=\"{LEFT}\" y1=\"{qy}\" x2=\"{}\" y2=\"{qy}\" stroke=\"#555\" stroke-dasharray=\"4 4\"/><text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">quota</text>",
            LEFT + plot_w,
            LEFT + plot_w,
            qy - 4
        );
    }
    for c in 0..n {
        let colour = COLOURS[c % COLOURS.len()];
        let dash = DASHES[(c / COLOURS.len()) % DASHES.len()];
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let points: Vec<String> = report
            .rounds
            .iter()
            .enumerate()
            .filter_map(|(i, r)| {
                r.totals
                    .get(c)
                    .map(|&d| format!("{},{}", x(i as i128), y(d.at_scale(scale))))
            })
            .collect();
        let _ = writeln!(
            o,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{dash_attr} points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            escape(&report.candidate_names[c])
        );
        let col = (c % legend_cols) as i128;
        let row = (c / legend_cols) as i128;
        let lx = LEFT + col * (plot_w / legend_cols as i128);
        let ly = H + row * 22;
        let _ = writeln!(
            o,
            "<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"3\"{dash_attr}/><text x=\"{}\" y=\"{}\" font-size=\"12\">{}</text>",
            lx + 28,
            lx + 34,
            ly + 4,
            escape(&report.candidate_names[c])
        );
    }
    o.push_str("</svg>\n<figcaption>Totals by round (the dashed grey line is the quota).</figcaption>\n</figure>\n");
}

#[cfg(test)]
mod tests {
    use super::super::sample;

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(super::render(&sample::report()));
    }

    #[test]
    fn escapes_every_name_and_has_no_script() {
        let html = super::render(&sample::report());
        assert!(!html.contains("<Lab>"));
        assert!(!html.contains("<2026>"));
        assert!(html.contains("Cy &lt;Lab&gt;"));
        assert!(html.contains("Bob &amp; Co"));
        assert!(!html.contains("<script"));
    }
}
