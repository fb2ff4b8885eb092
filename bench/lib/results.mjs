// The figures of a run: one entry per figure, with its anchor, ratio, repetitions and spread,
// printed as a table and written as JSON.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function num(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  if (Math.abs(v) >= 1000) return fmt.format(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/**
 * A figure. target: { ratioAtLeast } (value/anchor), { ratioAtMost }, or { below } (the value
 * itself); `met` tells whether this run reached it.
 */
export function figure({ name, value, unit, anchor = null, anchorValue = null, reps = 1, spread = 0, target = null, detail = null }) {
  const ratio = Number.isFinite(value) && Number.isFinite(anchorValue) && anchorValue !== 0 ? value / anchorValue : null;
  let met = null;
  let targetText = null;
  if (target?.ratioAtLeast !== undefined) {
    targetText = `ratio >= ${target.ratioAtLeast}`;
    met = ratio === null ? null : ratio >= target.ratioAtLeast;
  } else if (target?.ratioAtMost !== undefined) {
    targetText = `ratio <= ${target.ratioAtMost}`;
    met = ratio === null ? null : ratio <= target.ratioAtMost;
  } else if (target?.below !== undefined) {
    targetText = `< ${target.below} ${unit}`;
    met = Number.isFinite(value) ? value < target.below : null;
  }
  const round = (v) => (Number.isFinite(v) ? Number(v.toPrecision(6)) : null);
  return {
    name,
    value: round(value),
    unit,
    anchor,
    anchorValue: round(anchorValue),
    ratio: ratio === null ? null : Number(ratio.toFixed(3)),
    reps,
    spread: Number((spread ?? 0).toFixed(3)),
    target: targetText,
    met,
    detail,
  };
}

export function formatTable(figures) {
  const rows = [["figure", "value", "unit", "anchor value", "ratio", "target", "reps", "spread"]];
  for (const f of figures) {
    rows.push([
      f.name,
      num(f.value),
      f.unit,
      num(f.anchorValue),
      f.ratio === null ? "-" : f.ratio.toFixed(2),
      f.target ? `${f.target}${f.met === null ? "" : f.met ? " ok" : " MISSED"}` : "",
      String(f.reps),
      `${(f.spread * 100).toFixed(0)}%`,
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === 2 || i === 5 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}

export function writeJson(path, figures) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(figures, null, 2) + "\n");
}

/** The figures as a Markdown table (bench/results/latest.md, pasted into docs/performance.md). */
export function markdownTable(figures) {
  const lines = ["| figure | keycast | anchor | anchor value | ratio | target | reps (spread) |", "| --- | ---: | --- | ---: | ---: | --- | ---: |"];
  for (const f of figures) {
    const target = f.target ? `${f.target}: ${f.met === null ? "n/a" : f.met ? "met" : "**missed**"}` : "";
    lines.push(
      `| \`${f.name}\` | ${num(f.value)} ${f.unit} | ${f.anchor ?? ""} | ${num(f.anchorValue)} | ${f.ratio === null ? "-" : f.ratio.toFixed(2)} | ${target} | ${f.reps} (${(f.spread * 100).toFixed(0)}%) |`,
    );
  }
  return lines.join("\n");
}
