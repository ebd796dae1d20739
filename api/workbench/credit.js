// 信用档案: a property company reads its own credit file (GET /credit/companies/{id}/file): the standing now,
// every record (expired and revoked ones too) and each assessed quarter; officials open any company's by its id.

import { api, esc, session, when } from "./api.js";

export async function creditPage(el, companyId) {
  const me = session.me();
  const id = companyId || (me?.jurisdiction.code === "company" ? me.jurisdiction_id : null);
  if (!id) {
    el.innerHTML = `<h1>企业信用档案</h1><form id="credit-open"><div class="field"><label for="credit-company">企业编号</label>
      <input type="text" id="credit-company" name="company"></div><button type="submit">查看</button></form>`;
    el.querySelector("#credit-open").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const v = el.querySelector("#credit-company").value.trim();
      if (v) location.hash = `#/credit/${encodeURIComponent(v)}`;
    });
    return;
  }
  const file = await api("GET", `/credit/companies/${encodeURIComponent(id)}/file`);
  const s = file.standing;
  el.innerHTML = `<h1>${esc(file.company_name)} · 信用档案</h1>
    <dl class="facts" id="standing"><dt>企业编号</dt><dd>${esc(file.company_id)}</dd><dt>当前信用等级</dt><dd id="grade">${esc(s.grade || "未评定")}</dd>
      <dt>依据</dt><dd>${s.basis === "imported" ? "系统上线前录入的等级" : "按在效记录计算"}</dd>
      <dt>黑名单</dt><dd>${file.blacklist ? `是（${esc(when(file.blacklist.since))}起：${esc(file.blacklist.reason)}）` : "否"}</dd></dl>
    <h2>信用记录</h2>${file.records.length ? `<div class="table-wrap"><table class="stack" id="credit-records"><thead><tr><th scope="col">时间</th><th scope="col">类型</th>
      <th scope="col" class="num">分值</th><th scope="col">事由</th><th scope="col">有效期至</th><th scope="col">状态</th><th scope="col">案件</th></tr></thead><tbody>
      ${file.records.map((r) => `<tr data-kind="${esc(r.kind)}"><td data-label="时间">${esc(when(r.recorded_at))}</td><td data-label="类型">${esc(r.type_label)}</td>
        <td data-label="分值" class="num">${r.kind === "bad" ? "−" : "+"}${esc(r.points)}</td><td data-label="事由">${esc(r.reason)}</td>
        <td data-label="有效期至">${esc(when(r.valid_until))}</td><td data-label="状态">${esc(r.state_label)}</td>
        <td data-label="案件">${r.case_id ? `<a href="#/case/${encodeURIComponent(r.case_id)}">${esc(r.case_id)}</a>` : ""}</td></tr>`).join("")}</tbody></table></div>`
    : "<p>没有信用记录。</p>"}
    <h2>季度评定</h2>${file.quarters.length ? `<ul id="credit-quarters">${file.quarters.map((q) => `<li>${esc(q.quarter)}：${esc(q.grade)}
      （计算等级 ${esc(q.computed_grade)}${q.adjusted_reason ? `，调整理由：${esc(q.adjusted_reason)}` : ""}）${q.published_at ? ` · ${esc(when(q.published_at))}公布` : " · 未公布"}</li>`).join("")}</ul>`
    : "<p>尚无季度评定。</p>"}`;
}
