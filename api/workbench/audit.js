// 审计: case search with the audit filters, the timeline with refused attempts, the raw history,
// one-click replay verification and the audit-chain check, each result explained.

import { api, esc, problemHtml, processCatalogue, when } from "./api.js";
import { timelineHtml } from "./case.js";

const STATUSES = [["active", "办理中"], ["blocked", "受阻"], ["completed", "已办结"], ["rejected", "已驳回"], ["withdrawn", "已撤回"]];

export async function auditPage(el) {
  const catalogue = await processCatalogue();
  el.innerHTML = `<h1>审计：案件检索</h1>
    <form id="audit-search" class="filters" role="search" aria-label="检索案件">
      <div><label for="a-kind">流程</label><select id="a-kind" name="kind"><option value="">全部</option>
        ${catalogue.map((p) => `<option value="${esc(p.kind)}">${esc(p.label)}</option>`).join("")}</select></div>
      <div><label for="a-status">状态</label><select id="a-status" name="status"><option value="">全部</option>
        ${STATUSES.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select></div>
      <div><label for="a-estate">小区编号</label><input id="a-estate" name="estate_id"></div>
      <div><label for="a-key">编号或标题</label><input id="a-key" name="key" type="search"></div>
      <div><label for="a-actor">经办人账号</label><input id="a-actor" name="actor"></div>
      <div><label for="a-from">立案起始日</label><input id="a-from" name="created_from" type="date"></div>
      <div><label for="a-to">立案截止日</label><input id="a-to" name="created_to" type="date"></div>
      <button type="submit">检索</button>
    </form>
    <div id="audit-results" aria-live="polite"></div>`;
  const form = el.querySelector("#audit-search");
  const out = el.querySelector("#audit-results");
  const search = async () => {
    const q = new URLSearchParams([...new FormData(form)].filter(([, v]) => String(v).trim()));
    q.set("limit", "100");
    try {
      const page = await api("GET", `/audit/cases?${q}`);
      out.innerHTML = `<p>共 ${page.total} 件${page.total > page.items.length ? `，显示前 ${page.items.length} 件` : ""}</p>
        <div class="table-wrap"><table class="stack" id="audit-table"><thead><tr><th scope="col">案件</th><th scope="col">流程</th><th scope="col">状态</th><th scope="col">环节</th><th scope="col">立案时间</th></tr></thead>
        <tbody>${page.items.map((c) => `<tr><td data-label="案件"><a href="#/audit/${encodeURIComponent(c.id)}">${esc(c.title)}</a><br><span class="hint">${esc(c.id)}</span></td>
          <td data-label="流程">${esc(c.kind.label)}</td><td data-label="状态">${esc(c.status.label)}</td><td data-label="环节">${esc(c.step.label)}</td>
          <td data-label="立案时间">${esc(when(c.created_at))}</td></tr>`).join("")}</tbody></table></div>`;
    } catch (err) { out.innerHTML = problemHtml(err); }
  };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); search(); });
  await search();
}

function replayText(r) {
  if (r.consistent) {
    return `<div class="ok" role="status" id="replay-result"><strong>重放一致</strong>：用当前工作流代码重放了 ${r.events} 个历史事件（来源：${esc(r.source || "")}），
      结果与记录完全相同，说明该案件的每一步都是按现行代码的规则作出的，历史未被篡改。</div>`;
  }
  return `<div class="problem" role="alert" id="replay-result"><strong>重放不一致</strong>：${esc(r.error_type || "")} ${esc(r.error || "")}
    ${r.event_id ? `（第 ${r.event_id} 个事件 ${esc(r.event_type || "")}）` : ""}。代码与历史不符或历史被改动，请保留证据并报告。</div>`;
}

function chainText(c) {
  if (c.intact) {
    return `<div class="ok" role="status" id="chain-result"><strong>审计链完整</strong>：${c.entries} 条记录逐条核对哈希，
      每条都与前一条相连，没有记录被修改、删除或插入${c.workflow_events === null || c.workflow_events === undefined ? "" : `；工作流自身记录的事件数为 ${c.workflow_events}，末尾没有被截掉`}。</div>`;
  }
  return `<div class="problem" role="alert" id="chain-result"><strong>审计链断裂</strong>：共 ${c.entries} 条，从第 ${c.first_broken_seq} 条起不符（${esc(c.reason || "")}），
    该条或其之前的记录被改动过，或末尾的记录被截掉。</div>`;
}

export async function auditCasePage(el, caseId) {
  const id = encodeURIComponent(caseId);
  const [kase, timeline] = await Promise.all([api("GET", `/cases/${id}`), api("GET", `/audit/cases/${id}/timeline`)]);
  el.innerHTML = `<h1>审计：${esc(kase.title)}</h1>
    <p>${esc(kase.kind.label)} · ${esc(kase.id)} · ${esc(kase.status.label)} · ${esc(kase.step.label)} · <a href="#/case/${id}">案件页</a></p>
    <div class="filters">
      <button type="button" id="replay">重放验证</button>
      <button type="button" id="chain">审计链校验</button>
      <button type="button" id="history" class="secondary">下载原始历史</button>
    </div>
    <div id="audit-answer" aria-live="polite"></div>
    <h2>办理记录（含被拒绝的操作）</h2>${timelineHtml(timeline)}`;
  const answer = el.querySelector("#audit-answer");
  const run = async (button, work) => {
    button.disabled = true;
    answer.innerHTML = '<p aria-busy="true">正在核验…</p>';
    try { answer.innerHTML = await work(); } catch (err) { answer.innerHTML = problemHtml(err); }
    button.disabled = false;
  };
  el.querySelector("#replay").addEventListener("click", (e) => run(e.target, async () => replayText(await api("POST", `/audit/cases/${id}/replay`))));
  el.querySelector("#chain").addEventListener("click", (e) => run(e.target, async () => chainText(await api("GET", `/audit/cases/${id}/audit-log/verify`))));
  el.querySelector("#history").addEventListener("click", (e) => run(e.target, async () => {
    const blob = await (await api("GET", `/audit/cases/${id}/history`, undefined, { raw: true })).blob();
    const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `${caseId}-history.json` });
    a.click();
    URL.revokeObjectURL(a.href);
    return `<p class="ok" role="status">已下载 ${esc(caseId)}-history.json（${blob.size} 字节）。</p>`;
  }));
}
