// 报表: the ticket monthly figures against the −30% year-on-year target; the fund's approval time against
// the −50% baseline target; the companies' credit grades per quarter. Each an SVG chart, a table and its Excel.

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
  el.innerHTML = `<h1>报表：矛盾纠纷月度统计</h1>${reportsNav("tickets")}
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

const REPORTS = [["tickets", "#/reports", "矛盾纠纷月度统计"], ["fund", "#/reports/fund", "维修资金审批时长"], ["credit", "#/reports/credit", "企业信用概况"]];

function reportsNav(current) {
  return `<nav aria-label="报表" class="subnav"><ul>${REPORTS.map(([code, href, label]) =>
    `<li><a href="${href}"${code === current ? ' aria-current="page"' : ""}>${label}</a></li>`).join("")}</ul></nav>`;
}

/** A number the API sends as a decimal string, to at most two places: "12.50" -> "12.5". */
export function num(value) {
  return String(Math.round(Number(value) * 100) / 100);
}

/** The xlsx of a report: fetched with the user's token and saved (a plain link would carry none). */
async function download(path, filename, result) {
  result.innerHTML = "";
  try {
    const blob = await (await api("GET", path, undefined, { raw: true })).blob();
    const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: filename });
    document.body.append(a);
    a.click();
    a.remove();
    result.innerHTML = `<p class="ok" role="status">已导出 ${esc(filename)}（${blob.size} 字节）。</p>`;
  } catch (err) {
    result.innerHTML = problemHtml(err);
  }
}

function excelButton(id, label) {
  return `<p><button type="button" class="secondary" id="${id}">${label}</button></p><div id="${id}-result" aria-live="polite"></div>`;
}

const FUND_COLOURS = { median: "#0b5cad", p90: "#8cb4e0" };

/** Median and p90 working days per month as bar pairs; the target (baseline × (1 − 50%)) and the baseline as lines. */
export function fundChartSvg(lines, report) {
  const W = 640, H = 260, left = 40, bottom = 30, top = 24;
  const baseline = Number(report.baseline.working_days);
  const target = lines.length ? Number(lines[0].target_working_days) : baseline * (100 - report.target_reduction_percent) / 100;
  const max = Math.max(1, baseline, ...lines.map((x) => Number(x.p90_working_days)));
  const slot = (W - left) / Math.max(1, lines.length);
  const y = (v) => H - bottom - ((H - bottom - top) * v) / max;
  const bars = lines.map((x, i) => {
    const bx = left + i * slot + slot * 0.15;
    const w = slot * 0.3;
    const mid = Number(x.median_working_days), p90 = Number(x.p90_working_days);
    return `<g data-month="${esc(x.month)}"><title>${esc(x.month)}：${x.cases} 件，中位数 ${num(mid)} 个工作日，P90 ${num(p90)} 个工作日，目标 ≤ ${num(target)} 个工作日，${x.target_met ? "达标" : "未达标"}</title>
      <rect x="${bx}" y="${y(mid)}" width="${w}" height="${H - bottom - y(mid)}" fill="${x.target_met ? FUND_COLOURS.median : "#b42318"}"></rect>
      <rect x="${bx + w}" y="${y(p90)}" width="${w}" height="${H - bottom - y(p90)}" fill="${FUND_COLOURS.p90}"></rect>
      <text x="${bx + w}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(x.month.slice(2))}</text>
      <text x="${bx + w / 2}" y="${y(mid) - 4}" text-anchor="middle" font-size="11">${num(mid)}</text></g>`;
  }).join("");
  return `<svg class="chart" id="fund-chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="fund-chart-title fund-chart-desc">
    <title id="fund-chart-title">应急维修资金从报告到审批的时长（工作日）</title>
    <desc id="fund-chart-desc">${lines.map((x) => `${x.month} 中位数 ${num(x.median_working_days)}、P90 ${num(x.p90_working_days)} 个工作日`).join("；")}。绿色虚线为比基线 ${num(baseline)} 个工作日压缩 ${report.target_reduction_percent}% 的目标，灰线为基线。</desc>
    <line x1="${left}" x2="${W}" y1="${H - bottom}" y2="${H - bottom}" stroke="#57606a"></line>
    <text x="4" y="${top}" font-size="11">${num(max)}</text>${bars}
    <line id="fund-baseline" x1="${left}" x2="${W}" y1="${y(baseline)}" y2="${y(baseline)}" stroke="#8c959f" stroke-width="2"></line>
    <line id="fund-target" x1="${left}" x2="${W}" y1="${y(target)}" y2="${y(target)}" stroke="#1a7f37" stroke-width="3" stroke-dasharray="6 3"></line>
    <g font-size="12"><rect x="${left}" y="2" width="10" height="10" fill="${FUND_COLOURS.median}"></rect><text x="${left + 14}" y="11">中位数</text>
      <rect x="${left + 70}" y="2" width="10" height="10" fill="${FUND_COLOURS.p90}"></rect><text x="${left + 84}" y="11">P90</text>
      <line x1="${left + 130}" x2="${left + 150}" y1="7" y2="7" stroke="#1a7f37" stroke-width="3" stroke-dasharray="6 3"></line><text x="${left + 154}" y="11">目标（基线 −${report.target_reduction_percent}%）</text>
      <line x1="${left + 290}" x2="${left + 310}" y1="7" y2="7" stroke="#8c959f" stroke-width="2"></line><text x="${left + 314}" y="11">基线</text></g>
  </svg>`;
}

function fundTable(lines, streets) {
  if (!lines.length) return '<p id="fund-empty">尚无经住建局审批的应急维修案件。</p>';
  const where = (x) => (x.dimension === "city" ? "全市" : streets[x.key] || x.key);
  return `<div class="table-wrap"><table class="stack" id="fund-table"><thead><tr><th scope="col">月份</th><th scope="col">范围</th>
    <th scope="col" class="num">案件数</th><th scope="col" class="num">中位数（工作日）</th><th scope="col" class="num">P90（工作日）</th>
    <th scope="col" class="num">中位数（小时）</th><th scope="col" class="num">P90（小时）</th><th scope="col" class="num">目标（工作日）</th><th scope="col">是否达标</th></tr></thead><tbody>
    ${lines.map((x) => `<tr data-month="${esc(x.month)}" data-key="${esc(x.key)}"><td data-label="月份">${esc(x.month)}</td><td data-label="范围">${esc(where(x))}</td>
      <td data-label="案件数" class="num">${x.cases}</td><td data-label="中位数（工作日）" class="num">${num(x.median_working_days)}</td>
      <td data-label="P90（工作日）" class="num">${num(x.p90_working_days)}</td><td data-label="中位数（小时）" class="num">${num(x.median_hours)}</td>
      <td data-label="P90（小时）" class="num">${num(x.p90_hours)}</td><td data-label="目标（工作日）" class="num">${num(x.target_working_days)}</td>
      <td data-label="是否达标">${x.target_met ? "达标" : "未达标"}</td></tr>`).join("")}</tbody></table></div>`;
}

export async function fundReportPage(el) {
  const [report, streetList] = await Promise.all([api("GET", "/reports/fund/approval-time"), api("GET", "/streets")]);
  const streets = Object.fromEntries(streetList.map((x) => [x.id, x.name]));
  const keys = [...new Set(report.lines.filter((x) => x.dimension === "street").map((x) => x.key))];
  const asked = new URLSearchParams(location.hash.split("?")[1] || "").get("scope") || "city";
  const b = report.baseline;
  el.innerHTML = `<h1>报表：维修资金审批时长</h1>${reportsNav("fund")}
    <p>目标：从报告到住建局审批的时长比系统上线前压缩 ${report.target_reduction_percent}%。基线 ${num(b.working_days)} 个工作日（${num(b.calendar_hours)} 小时），来源：${esc(b.source)}${b.provisional ? '<strong>（暂定值，待住建局录入实测基线）</strong>' : ""}。</p>
    <form class="filters" id="fund-form"><div><label for="fund-scope">范围</label><select id="fund-scope" name="scope">
      <option value="city">全市</option>${keys.map((k) => `<option value="${esc(k)}"${k === asked ? " selected" : ""}>${esc(streets[k] || k)}</option>`).join("")}</select></div></form>
    <div id="fund-chart-slot"></div>
    <h2>明细（每月：全市与各镇街）</h2>${fundTable(report.lines, streets)}
    ${excelButton("fund-xlsx", "导出 Excel")}`;
  const drawChart = () => {
    const scope = el.querySelector("#fund-scope").value;
    const lines = report.lines.filter((x) => (scope === "city" ? x.dimension === "city" : x.dimension === "street" && x.key === scope)).slice(-12);
    el.querySelector("#fund-chart-slot").innerHTML = lines.length ? fundChartSvg(lines, report) : "";
  };
  el.querySelector("#fund-scope").addEventListener("change", drawChart);
  el.querySelector("#fund-form").addEventListener("submit", (ev) => ev.preventDefault());
  el.querySelector("#fund-xlsx").addEventListener("click", () => download("/reports/fund/approval-time.xlsx", "维修资金审批时长.xlsx", el.querySelector("#fund-xlsx-result")));
  drawChart();
}

const GRADES = [["AAA", "#1a7f37"], ["AA", "#4ac26b"], ["A", "#0b5cad"], ["B", "#d4a72c"], ["C", "#b42318"]];

/** Each published quarter's companies as a bar stacked by grade (AAA at the bottom). */
export function creditChartSvg(quarters) {
  const W = 640, H = 260, left = 40, bottom = 30, top = 24;
  const max = Math.max(1, ...quarters.map((q) => q.companies));
  const slot = (W - left) / Math.max(1, quarters.length);
  const h = (v) => ((H - bottom - top) * v) / max;
  const bars = quarters.map((q, i) => {
    const x = left + i * slot + slot * 0.25;
    let base = H - bottom;
    const parts = GRADES.map(([g, colour]) => {
      const n = q.grades[g] || 0;
      base -= h(n);
      return n ? `<rect data-grade="${g}" x="${x}" y="${base}" width="${slot * 0.5}" height="${h(n)}" fill="${colour}"></rect>` : "";
    }).join("");
    return `<g data-quarter="${esc(q.quarter)}"><title>${esc(q.quarter)}：${GRADES.map(([g]) => `${g} ${q.grades[g] || 0} 家`).join("，")}，黑名单 ${q.blacklisted} 家，共 ${q.companies} 家</title>
      ${parts}<text x="${x + slot * 0.25}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(q.quarter)}</text>
      <text x="${x + slot * 0.25}" y="${base - 4}" text-anchor="middle" font-size="11">${q.companies}</text></g>`;
  }).join("");
  return `<svg class="chart" id="credit-chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="credit-chart-title credit-chart-desc">
    <title id="credit-chart-title">物业服务企业信用等级分布（按季度）</title>
    <desc id="credit-chart-desc">${quarters.map((q) => `${q.quarter}：${GRADES.map(([g]) => `${g} ${q.grades[g] || 0}`).join("、")}`).join("；")}</desc>
    <line x1="${left}" x2="${W}" y1="${H - bottom}" y2="${H - bottom}" stroke="#57606a"></line>
    <text x="4" y="${top}" font-size="11">${max}</text>${bars}
    <g font-size="12">${GRADES.map(([g, colour], i) => `<rect x="${left + i * 60}" y="2" width="10" height="10" fill="${colour}"></rect><text x="${left + 14 + i * 60}" y="11">${g}</text>`).join("")}</g>
  </svg>`;
}

function creditTables(report) {
  const quarters = report.quarters.length ? `<div class="table-wrap"><table class="stack" id="credit-table"><thead><tr><th scope="col">季度</th>
    ${GRADES.map(([g]) => `<th scope="col" class="num">${g}</th>`).join("")}<th scope="col" class="num">黑名单</th><th scope="col" class="num">企业数</th></tr></thead><tbody>
    ${report.quarters.map((q) => `<tr data-quarter="${esc(q.quarter)}"><td data-label="季度">${esc(q.quarter)}</td>
      ${GRADES.map(([g]) => `<td data-label="${g}" class="num">${q.grades[g] || 0}</td>`).join("")}
      <td data-label="黑名单" class="num">${q.blacklisted}</td><td data-label="企业数" class="num">${q.companies}</td></tr>`).join("")}</tbody></table></div>`
    : '<p id="credit-empty">尚无已公布的季度信用等级。</p>';
  const moves = report.moves.length ? `<h2>等级变动</h2><div class="table-wrap"><table class="stack" id="credit-moves"><thead><tr><th scope="col">企业</th>
    <th scope="col">季度</th><th scope="col">上季度等级</th><th scope="col">本季度等级</th><th scope="col">变动</th></tr></thead><tbody>
    ${report.moves.map((m) => `<tr><td data-label="企业">${esc(m.company_name)}</td><td data-label="季度">${esc(m.quarter)}</td>
      <td data-label="上季度等级">${esc(m.previous_grade)}</td><td data-label="本季度等级">${esc(m.grade)}</td>
      <td data-label="变动">${m.direction === "up" ? "上升" : "下降"}</td></tr>`).join("")}</tbody></table></div>` : "";
  return `<h2>等级分布</h2>${quarters}${moves}`;
}

export async function creditReportPage(el) {
  const report = await api("GET", "/reports/credit/overview");
  el.innerHTML = `<h1>报表：企业信用概况</h1>${reportsNav("credit")}
    <p class="hint">每季度公布的物业服务企业信用等级（AAA 至 C），以及在册企业数和黑名单企业数。</p>
    ${report.quarters.length ? creditChartSvg(report.quarters.slice(-8)) : ""}${creditTables(report)}
    ${excelButton("credit-xlsx", "导出 Excel")}`;
  el.querySelector("#credit-xlsx").addEventListener("click", () => download("/reports/credit/overview.xlsx", "企业信用概况.xlsx", el.querySelector("#credit-xlsx-result")));
}
