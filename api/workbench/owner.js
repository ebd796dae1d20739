// 业主 (on a phone as much as on a desk): my units and ledgers, a public notice with my share, an objection.

import { api, esc, problemHtml, say, session, when, yuan } from "./api.js";
import { showErrors } from "./schema-form.js";

const LEDGER_KINDS = { deposit: "缴存", debit: "支取", refund: "退回" };

export async function ownerPage(el) {
  const me = session.me();
  const units = await api("GET", "/me/units");
  const estate = me.jurisdiction.code === "estate" ? me.jurisdiction_id : null;
  const cases = estate ? await api("GET", `/cases?kind=fund-emergency&estate_id=${encodeURIComponent(estate)}&limit=100`) : { items: [] };
  const notices = cases.items.filter((c) => c.step.code === "public_notice");
  const elections = estate ? await api("GET", `/cases?kind=owners-election&estate_id=${encodeURIComponent(estate)}&limit=20`) : { items: [] };
  el.innerHTML = `<h1>我的房屋</h1>
    ${units.length ? `<ul id="my-units">${units.map((u) => `<li><a href="#/ledger/${encodeURIComponent(u.household_id)}">${esc(u.room)}</a>
      · ${esc(u.area_m2)} ㎡ · 维修资金余额 <strong>${esc(yuan(u.balance_fen))}</strong></li>`).join("")}</ul>` : "<p>没有登记在您名下的房屋。</p>"}
    <h2>正在公示的维修资金使用</h2>
    ${notices.length ? `<ul id="notices">${notices.map((c) => `<li><a href="#/notice/${encodeURIComponent(c.id)}">${esc(c.title)}</a></li>`).join("")}</ul>` : "<p>目前没有公示。</p>"}
    <h2>业主委员会选举</h2>
    ${elections.items.length ? `<ul id="elections">${elections.items.map((c) => `<li><a href="#/election/${encodeURIComponent(c.id)}">${esc(c.title)}</a>
      · ${esc(c.step.label)} · ${esc(c.status.label)}</li>`).join("")}</ul>` : "<p>目前没有选举。</p>"}
    <h2>本小区的维修资金案件</h2>
    ${cases.items.length ? `<ul>${cases.items.map((c) => `<li><a href="#/case/${encodeURIComponent(c.id)}">${esc(c.title)}</a> · ${esc(c.step.label)} · ${esc(c.status.label)}</li>`).join("")}</ul>` : "<p>暂无。</p>"}`;
}

export async function ledgerPage(el, householdId) {
  const acc = await api("GET", `/households/${encodeURIComponent(householdId)}/fund`);
  el.innerHTML = `<h1>分户账 ${esc(householdId)}</h1>
    <dl class="facts"><dt>建筑面积</dt><dd>${esc(acc.area_m2)} ㎡</dd><dt>当前余额</dt><dd id="balance">${esc(yuan(acc.balance_fen))}</dd>
      <dt>首次缴存</dt><dd>${esc(yuan(acc.initial_deposit_fen))}</dd>
      ${acc.top_up_due_at ? `<dt>应续交期限</dt><dd class="warn">${esc(when(acc.top_up_due_at))}</dd>` : ""}</dl>
    <div class="table-wrap"><table class="stack" id="ledger"><caption class="sr-only">账目明细</caption>
      <thead><tr><th scope="col">时间</th><th scope="col">类型</th><th scope="col" class="num">金额</th><th scope="col" class="num">余额</th><th scope="col">案件</th><th scope="col">说明</th></tr></thead>
      <tbody>${acc.ledger.map((l) => `<tr data-kind="${esc(l.kind)}"><td data-label="时间">${esc(when(l.at))}</td><td data-label="类型">${esc(LEDGER_KINDS[l.kind] || l.kind)}</td>
        <td data-label="金额" class="num">${esc(yuan(l.amount_fen))}</td><td data-label="余额" class="num">${esc(yuan(l.balance_after_fen))}</td>
        <td data-label="案件">${l.case_id ? `<a href="#/case/${encodeURIComponent(l.case_id)}">${esc(l.case_id)}</a>` : ""}</td><td data-label="说明">${esc(l.memo || "")}</td></tr>`).join("")}</tbody>
    </table></div>`;
}

export async function noticePage(el, caseId) {
  const [kase, notice, units] = await Promise.all([
    api("GET", `/cases/${encodeURIComponent(caseId)}`), api("GET", `/cases/fund-emergency/${encodeURIComponent(caseId)}/notice`), api("GET", "/me/units"),
  ]);
  const mine = new Set(units.map((u) => u.household_id));
  const myShares = notice.shares.filter((s) => mine.has(s.household_id));
  const myTotal = myShares.reduce((sum, s) => sum + s.share_fen, 0);
  const open = kase.step.code === "public_notice";
  el.innerHTML = `<h1>公示：${esc(kase.title)}</h1>
    <p>公示期 ${esc(when(notice.start))} 至 ${esc(when(notice.end))}；结算金额 <strong>${esc(yuan(notice.settlement_fen))}</strong>，由 ${notice.households} 户按面积分摊。</p>
    ${myShares.length ? `<p class="ok" id="my-share">我的分摊：<strong>${esc(yuan(myTotal))}</strong>（${myShares.map((s) => esc(s.household_id)).join("、")}）</p>` : ""}
    <h2>异议</h2>
    ${open ? `<form id="objection-form" novalidate>
      <div class="field" data-field="text"><label for="o-text">异议内容</label><textarea id="o-text" name="text" aria-describedby="o-text-error"></textarea>
        <p class="field-error" id="o-text-error" aria-live="polite"></p></div>
      <div class="problem-slot"></div><button type="submit">提交异议</button></form>` : "<p>公示已结束，不再受理异议。</p>"}
    <div id="objection-result" aria-live="polite"></div>
    <h2>各户分摊</h2>
    <div class="table-wrap"><table class="stack" id="shares"><thead><tr><th scope="col">房屋</th><th scope="col" class="num">分摊金额</th></tr></thead>
      <tbody>${notice.shares.map((s) => `<tr${mine.has(s.household_id) ? ' class="mine" aria-current="true"' : ""} data-household="${esc(s.household_id)}">
        <td data-label="房屋">${esc(s.household_id)}${mine.has(s.household_id) ? "（我的）" : ""}</td><td data-label="分摊金额" class="num">${esc(yuan(s.share_fen))}</td></tr>`).join("")}</tbody></table></div>`;
  const form = el.querySelector("#objection-form");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const text = form.elements.namedItem("text").value.trim();
    showErrors(form, text ? {} : { text: "请填写异议内容" });
    if (!text) return;
    try {
      await api("POST", `/cases/fund-emergency/${encodeURIComponent(caseId)}/objections`, { text });
      form.remove();
      el.querySelector("#objection-result").innerHTML = '<p class="ok" role="status">异议已提交，业主委员会将在期限内答复；答复前不支付尾款。</p>';
      say("异议已提交");
    } catch (err) {
      form.querySelector(".problem-slot").innerHTML = problemHtml(err);
    }
  });
}
