// 报表: the ticket monthly figures against the −30% year-on-year target, as an SVG chart and a table.

import { api, esc, problemHtml, session } from "./api.js";

const MONTHS = 6;

function monthsEnding(month) {
  const [y, m] = month.split("-").map(Number);
  return Array.from({ length: MONTHS }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (MONTHS - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
  });
}

/** Bars of this year's intake beside last year's, and the target (last year × (1 + target%)) as a mark. */
export function chartSvg(points) {
  const W = 640, H = 260, left = 40, bottom = 30, top = 20;
  const max = Math.max(1, ...points.flatMap((p) => [p.intake, p.intake_last_year]));
  const slot = (W - left) / points.length;
  const y = (v) => H - bottom - ((H - bottom - top) * v) / max;
  const bars = points.map((p, i) => {
    const x = left + i * slot + slot * 0.15;
    const w = slot * 0.3;
    const target = p.intake_last_year * (1 + p.yoy_target_percent / 100);
    const met = p.yoy_target_met === null ? "未定" : p.yoy_target_met ? "达标" : "未达标";
    return `<g><title>${p.month}：受理 ${p.intake} 件，去年同期 ${p.intake_last_year} 件，目标 ≤ ${Math.floor(target)} 件，${met}</title>
      <rect x="${x}" y="${y(p.intake_last_year)}" width="${w}" height="${H - bottom - y(p.intake_last_year)}" fill="#8c959f"></rect>
      <rect x="${x + w}" y="${y(p.intake)}" width="${w}" height="${H - bottom - y(p.intake)}" fill="${p.yoy_target_met === false ? "#b42318" : "#0b5cad"}"></rect>
      ${p.intake_last_year ? `<line x1="${x - 4}" x2="${x + 2 * w + 4}" y1="${y(target)}" y2="${y(target)}" stroke="#1a7f37" stroke-width="3" stroke-dasharray="6 3"></line>` : ""}
      <text x="${x + w}" y="${H - 10}" text-anchor="middle" font-size="12">${p.month.slice(2)}</text>
      <text x="${x + 1.5 * w}" y="${y(p.intake) - 4}" text-anchor="middle" font-size="11">${p.intake}</text></g>`;
  }).join("");
  return `<svg class="chart" id="report-chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title chart-desc">
    <title id="chart-title">全市矛盾纠纷受理量与去年同期对比</title>
    <desc id="chart-desc">${points.map((p) => `${p.month} 受理 ${p.intake} 件，去年同期 ${p.intake_last_year} 件`).join("；")}。绿色虚线为同比下降 30% 的目标。</desc>
    <line x1="${left}" x2="${W}" y1="${H - bottom}" y2="${H - bottom}" stroke="#57606a"></line>
    <text x="4" y="${top}" font-size="11">${max}</text>${bars}
    <g font-size="12"><rect x="${left}" y="2" width="10" height="10" fill="#8c959f"></rect><text x="${left + 14}" y="11">去年同期</text>
      <rect x="${left + 80}" y="2" width="10" height="10" fill="#0b5cad"></rect><text x="${left + 94}" y="11">本年受理</text>
      <line x1="${left + 160}" x2="${left + 180}" y1="7" y2="7" stroke="#1a7f37" stroke-width="3" stroke-dasharray="6 3"></line><text x="${left + 184}" y="11">目标（同比 −30%）</text></g>
  </svg>`;
}

const pct = (v) => (v === null || v === undefined ? "—" : `${v > 0 ? "+" : ""}${v}%`);

export async function reportsPage(el) {
  const now = new Date();
  const month = new URLSearchParams(location.hash.split("?")[1] || "").get("month")
    || `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`;
  el.innerHTML = `<h1>报表：矛盾纠纷月度统计</h1>
    <form id="report-form" class="filters"><div><label for="r-month">月份</label><input id="r-month" name="month" type="month" value="${esc(month)}"></div>
      <button type="submit">查看</button>
      ${session.has("housing_bureau") || session.has("admin") || session.has("dispatcher") ? '<button type="button" id="r-run" class="secondary">立即生成本月报表</button>' : ""}</form>
    <div id="report-body" aria-live="polite"><p aria-busy="true">正在加载…</p></div>`;
  const body = el.querySelector("#report-body");
  const draw = async (m) => {
    try {
      const all = await Promise.all(monthsEnding(m).map((x) => api("GET", `/reports/tickets/monthly/${x}`)));
      const points = all.map((lines) => lines.find((l) => l.dimension.code === "city")).filter(Boolean);
      const lines = all[all.length - 1];
      body.innerHTML = `${points.length ? chartSvg(points) : '<p id="report-empty">所选期间尚无已生成的月报（报表每月自动生成）。</p>'}
        <h2>${esc(m)} 明细</h2>
        ${lines.length ? `<div class="table-wrap"><table class="stack" id="report-table"><thead><tr><th scope="col">维度</th><th scope="col">对象</th>
          <th scope="col" class="num">受理</th><th scope="col" class="num">办结</th><th scope="col" class="num">超期</th><th scope="col" class="num">满意率</th>
          <th scope="col" class="num">去年同期</th><th scope="col" class="num">同比</th><th scope="col">目标 −30%</th></tr></thead><tbody>
          ${lines.map((l) => `<tr><td data-label="维度">${esc(l.dimension.label)}</td><td data-label="对象">${esc(l.key)}</td><td data-label="受理" class="num">${l.intake}</td>
            <td data-label="办结" class="num">${l.closed}</td><td data-label="超期" class="num">${l.overdue}</td><td data-label="满意率" class="num">${pct(l.satisfaction_percent)}</td>
            <td data-label="去年同期" class="num">${l.intake_last_year}</td><td data-label="同比" class="num">${pct(l.yoy_change_percent)}</td>
            <td data-label="目标">${l.yoy_target_met === null ? "—" : l.yoy_target_met ? "达标" : "未达标"}</td></tr>`).join("")}</tbody></table></div>` : "<p>本月尚无数据。</p>"}`;
    } catch (err) {
      body.innerHTML = problemHtml(err);
    }
  };
  el.querySelector("#report-form").addEventListener("submit", (ev) => { ev.preventDefault(); draw(el.querySelector("#r-month").value); });
  el.querySelector("#r-run")?.addEventListener("click", async (ev) => {
    ev.target.disabled = true;
    try { await api("POST", `/reports/tickets/monthly/${el.querySelector("#r-month").value}`); await draw(el.querySelector("#r-month").value); }
    catch (err) { body.innerHTML = problemHtml(err); }
    ev.target.disabled = false;
  });
  await draw(month);
}
