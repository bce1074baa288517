// The report's stylesheet, inlined into report.html (the page loads nothing).
export const REPORT_CSS = `
:root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --card: #fff; --bg: #f1f5f9; --accent: #1d4ed8; --bad: #b91c1c; }
* { box-sizing: border-box; }
body { margin: 0; padding: 28px 32px 48px; background: var(--bg); color: var(--ink);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 10px; font-weight: 650; }
h2 { font-size: 16px; margin: 0 0 6px; font-weight: 650; }
code { font: 0.92em ui-monospace, "DejaVu Sans Mono", monospace; background: #e2e8f0; padding: 1px 5px; border-radius: 4px; }
.facts { display: flex; flex-wrap: wrap; gap: 4px 22px; margin: 0 0 18px; color: var(--muted); font-size: 13px; }
.facts div { display: flex; gap: 6px; } .facts dt { font-weight: 600; } .facts dd { margin: 0; color: var(--ink); overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 14px; margin-bottom: 18px; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; display: flex; flex-direction: column; }
.stat .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.stat .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.notes { background: #fef3c7; border: 1px solid #f59e0b; border-radius: 10px; padding: 8px 16px; margin-bottom: 18px; }
.notes p { margin: 4px 0; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 18px; align-items: start; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 18px 20px; min-width: 0; }
.card.wide { grid-column: 1 / -1; }
.hint, .empty { color: var(--muted); margin: 0 0 10px; font-size: 13px; }
figure { margin: 0 0 8px; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
.row { display: flex; flex-wrap: wrap; gap: 12px 28px; }
table.classes { border-collapse: collapse; margin-top: 14px; font-variant-numeric: tabular-nums; font-size: 13px; }
table.classes th, table.classes td { padding: 3px 14px 3px 0; text-align: right; border-bottom: 1px solid var(--line); }
table.classes thead th { color: var(--muted); font-weight: 600; }
table.classes th:first-child { text-align: left; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(104px, 1fr)); gap: 12px; }
.mistake { margin: 0; padding: 8px; border: 1px solid var(--line); border-radius: 8px; text-align: center; background: #fafafa; }
.mistake img { image-rendering: pixelated; width: 84px; height: 84px; border-radius: 4px; border: 1px solid var(--line); background: white; }
.mistake figcaption { font-size: 12px; line-height: 1.35; margin-top: 4px; }
.mistake .truth { font-weight: 650; } .mistake .pred { color: var(--bad); font-weight: 650; }
.mistake .conf { display: block; color: var(--muted); font-size: 11px; white-space: nowrap; }
`;
