// 受理投诉 and 台账: take a ticket in (POST /tickets) with the estate and the category from lists,
// and read the ticket ledger with its spreadsheet export (GET /tickets, /tickets/export.xlsx).

import { ApiError, api, esc, problemHtml, say, session, when } from "./api.js";
import { actionForm, wireAction } from "./case-actions.js";
import { problemFields, showErrors } from "./schema-form.js";

// The channels of domain/ticket.py (Channel, CHANNEL_LABELS).
const CHANNELS = [["hotline_12345", "12345热线"], ["city_platform", "全民城管平台"], ["petition", "信访"], ["walk_in", "来访/社区物管员"]];
const REF = /^[A-Za-z0-9_\-/.]{1,64}$/;
const PHONE = /^[0-9+\- ]{5,20}$/;

const field = (id, label, input, hint = "") => `<div class="field" data-field="${id}"><label for="k-${id}">${label}</label>${input}
  ${hint ? `<p class="hint" id="k-${id}-hint">${hint}</p>` : ""}<p class="field-error" id="k-${id}-error" aria-live="polite"></p></div>`;
const described = (id, hint) => `id="k-${id}" name="${id}" aria-describedby="k-${id}-error${hint ? ` k-${id}-hint` : ""}"`;

export async function ticketStartPage(el) {
  const [estates, routes] = await Promise.all([api("GET", "/estates"), api("GET", "/routing")]);
  el.innerHTML = `<h1>受理投诉</h1>
    <p class="hint">矛盾纠纷工单：受理后按职责清单派给承办单位签收、办理，再由热线回访。来电人的姓名和电话只存于本系统，不进入流程记录。</p>
    <form id="ticket-form" novalidate>
      ${field("channel", "来源渠道", `<select ${described("channel")}>${CHANNELS.map(([c, l]) => `<option value="${c}">${esc(l)}</option>`).join("")}</select>`)}
      ${field("external_ref", "来源编号", `<input type="text" autocomplete="off" ${described("external_ref", true)}>`, "渠道自己的编号，如 12345-20261127-0031；同一渠道同一编号只生成一张工单。")}
      ${field("estate_id", "小区", `<select ${described("estate_id")}><option value="">请选择小区</option>
        ${estates.map((e) => `<option value="${esc(e.id)}">${esc(e.name)}（${esc(e.id)}）</option>`).join("")}</select>`)}
      ${field("category", "类别", `<select ${described("category")}><option value="">请选择</option>
        ${routes.map((r) => `<option value="${esc(r.category)}">${esc(r.label)}（${esc(r.lead_label)}承办）</option>`).join("")}</select>`)}
      ${field("description", "诉求内容", `<textarea ${described("description")}></textarea>`)}
      <fieldset><legend>来电人（个人信息，仅热线中心和承办单位可查看）</legend>
        ${field("name", "姓名", `<input type="text" autocomplete="off" ${described("name")}>`)}
        ${field("phone", "电话", `<input type="tel" autocomplete="off" ${described("phone")}>`)}
      </fieldset>
      <div class="problem-slot"></div>
      <button type="submit">受理</button>
    </form>`;
  const form = el.querySelector("#ticket-form");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements.namedItem(n).value.trim();
    const errors = {};
    if (!REF.test(v("external_ref"))) errors.external_ref = v("external_ref") ? "来源编号只能包含字母、数字和 - _ / .，最多 64 个字符" : "请填写来源编号";
    if (!v("estate_id")) errors.estate_id = "请选择小区";
    if (!v("category")) errors.category = "请选择类别";
    if (!v("description")) errors.description = "请填写诉求内容";
    else if (v("description").length > 4000) errors.description = "诉求内容最多 4000 个字";
    if (!v("name")) errors.name = "请填写来电人姓名";
    else if (v("name").length > 50) errors.name = "姓名最多 50 个字";
    if (!PHONE.test(v("phone"))) errors.phone = "请填写有效的电话号码（5–20 位数字）";
    showErrors(form, errors);
    if (Object.keys(errors).length) return;
    const body = {
      channel: v("channel"), external_ref: v("external_ref"), estate_id: v("estate_id"), category: v("category"),
      description: v("description"), contact: { name: v("name"), phone: v("phone") },
    };
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    try {
      const kase = await api("POST", "/tickets", body);
      say(`已受理：${kase.id}`);
      location.hash = `#/case/${encodeURIComponent(kase.id)}`;
    } catch (err) {
      showErrors(form, err instanceof ApiError ? problemFields(form, err.problem) : {});
      slot.innerHTML = problemHtml(err);
    }
  });
}

const STATUSES = [["active", "办理中"], ["completed", "已办结"], ["withdrawn", "已撤回"]];
const CARDS = [["red", "红牌超期"], ["yellow", "黄牌预警"], ["none", "正常"]];

function ledgerQuery(form) {
  const q = new URLSearchParams();
  for (const name of ["estate_id", "status", "card", "created_from", "created_to"]) {
    const value = form.elements.namedItem(name).value.trim();
    if (value) q.set(name, value);
  }
  return q;
}

function ledgerTable(page) {
  if (!page.items.length) return "<p>没有符合条件的工单。</p>";
  return `<div class="table-wrap"><table class="stack" id="ticket-ledger"><thead><tr><th scope="col">工单</th><th scope="col">来源</th>
    <th scope="col">类别</th><th scope="col">承办单位</th><th scope="col">环节</th><th scope="col">状态</th><th scope="col">预警</th>
    <th scope="col">受理时间</th><th scope="col">办理时限</th></tr></thead><tbody>
    ${page.items.map((t) => `<tr data-case="${esc(t.id)}"><td data-label="工单"><a href="#/case/${encodeURIComponent(t.id)}">${esc(t.title)}</a><br><span class="hint">${esc(t.id)}</span></td>
      <td data-label="来源">${esc(t.channel.label)} ${esc(t.external_ref)}</td><td data-label="类别">${esc(t.category.label)}</td>
      <td data-label="承办单位">${esc(t.lead_unit.name || "")}</td><td data-label="环节">${esc(t.step.label)}</td>
      <td data-label="状态">${esc(t.status.label)}${t.closure ? `（${esc(t.closure.label)}）` : ""}</td>
      <td data-label="预警"><span class="card card-${esc(t.card.code)}">${esc(t.card.label)}</span></td>
      <td data-label="受理时间">${esc(when(t.created_at))}</td><td data-label="办理时限">${esc(when(t.due_at))}</td></tr>`).join("")}
    </tbody></table></div>`;
}

export async function ticketLedgerPage(el) {
  const estates = await api("GET", "/estates");
  el.innerHTML = `<h1>矛盾纠纷台账</h1>
    <form id="ledger-form" class="filters" role="search" aria-label="筛选台账">
      <div><label for="l-estate">小区</label><select id="l-estate" name="estate_id"><option value="">全部</option>
        ${estates.map((e) => `<option value="${esc(e.id)}">${esc(e.name)}</option>`).join("")}</select></div>
      <div><label for="l-status">状态</label><select id="l-status" name="status"><option value="">全部</option>
        ${STATUSES.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select></div>
      <div><label for="l-card">警示牌</label><select id="l-card" name="card"><option value="">全部</option>
        ${CARDS.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select></div>
      <div><label for="l-from">受理起始日</label><input id="l-from" name="created_from" type="date"></div>
      <div><label for="l-to">受理截止日</label><input id="l-to" name="created_to" type="date"></div>
      <button type="submit">查询</button>
      <button type="button" class="secondary" id="l-xlsx">导出 Excel</button>
      <button type="button" class="secondary" id="l-csv">导出 CSV</button>
    </form>
    <div id="ledger-result" aria-live="polite"></div>
    <div id="ledger-body"><p aria-busy="true">正在加载…</p></div>`;
  const form = el.querySelector("#ledger-form");
  const body = el.querySelector("#ledger-body");
  const result = el.querySelector("#ledger-result");
  const draw = async () => {
    try {
      const q = ledgerQuery(form);
      q.set("limit", "500");
      const page = await api("GET", `/tickets?${q}`);
      body.innerHTML = `<p class="hint" id="ledger-total">共 ${page.total} 件${page.total > page.items.length ? `，显示前 ${page.items.length} 件` : ""}</p>${ledgerTable(page)}`;
    } catch (err) {
      body.innerHTML = problemHtml(err);
    }
  };
  // The export needs the user's token, so it is fetched and saved rather than linked.
  const download = async (ext) => {
    result.innerHTML = "";
    try {
      const blob = await (await api("GET", `/tickets/export.${ext}?${ledgerQuery(form)}`, undefined, { raw: true })).blob();
      const a = Object.assign(document.createElement("a"), { href: URL.createObjectURL(blob), download: `矛盾纠纷台账.${ext}` });
      document.body.append(a);
      a.click();
      a.remove();
      result.innerHTML = `<p class="ok" role="status">已导出 矛盾纠纷台账.${ext}（${blob.size} 字节）。</p>`;
    } catch (err) {
      result.innerHTML = problemHtml(err);
    }
  };
  form.addEventListener("submit", (ev) => { ev.preventDefault(); draw(); });
  el.querySelector("#l-xlsx").addEventListener("click", () => download("xlsx"));
  el.querySelector("#l-csv").addEventListener("click", () => download("csv"));
  await draw();
}

// 社区吹哨、部门报到: the ticket's community summons a city department while the ticket is being handled
// (POST /tickets/{id}/whistle); the department then reports in its own task, or the whistle escalates.
const WHISTLE_STEPS = new Set(["handling", "extension"]);
const WHISTLE_STATUS = { open: "待报到", report: "已报到", coordinate: "已协调" };

function mayWhistle(kase) {
  const me = session.me();
  if (!me || !session.has("community") || kase.status.code !== "active" || !WHISTLE_STEPS.has(kase.step.code)) return false;
  return me.jurisdiction.code === "city" || me.jurisdiction_id === kase.community_id;
}

function whistlesTable(whistles) {
  if (!whistles.length) return "";
  return `<div class="table-wrap"><table class="stack" id="whistles"><caption class="hint">已吹哨</caption><thead><tr><th scope="col">部门</th><th scope="col">事由</th>
    <th scope="col">吹哨人</th><th scope="col">时间</th><th scope="col">报到期限</th><th scope="col">状态</th></tr></thead><tbody>
    ${whistles.map((w) => `<tr data-department="${esc(w.department_id)}"><td data-label="部门">${esc(w.department)}</td><td data-label="事由">${esc(w.reason)}</td>
      <td data-label="吹哨人">${esc(w.by)}</td><td data-label="时间">${esc(when(w.at))}</td><td data-label="报到期限">${esc(when(w.deadline_at))}</td>
      <td data-label="状态">${esc(WHISTLE_STATUS[w.status] || w.status)}${w.level ? `（已升级 ${w.level} 级）` : ""}</td></tr>`).join("")}</tbody></table></div>`;
}

/** The ticket's whistles, and for its community while it is handled, the form that blows one. */
export async function drawWhistle(slot, kase, reload) {
  const whistles = kase.facts?.whistles || [];
  if (!mayWhistle(kase)) {
    slot.innerHTML = whistles.length ? `<section aria-labelledby="whistle-h"><h2 id="whistle-h">吹哨</h2>${whistlesTable(whistles)}</section>` : "";
    return;
  }
  const departments = await api("GET", "/departments");
  const select = (attrs) => `<select ${attrs}><option value="">请选择部门</option>
    ${departments.map((d) => `<option value="${esc(d.id)}">${esc(d.name)}（${esc(d.duty)}）</option>`).join("")}</select>`;
  const textarea = (attrs) => `<textarea ${attrs}></textarea>`;
  slot.innerHTML = `<section aria-labelledby="whistle-h" class="task" id="whistle"><h2 id="whistle-h">吹哨</h2>
    <p class="hint">社区吹哨、部门报到：被召集的部门须在期限内报到，逾期先报街道，再报市联席会议。</p>
    ${whistlesTable(whistles)}
    ${actionForm("whistle", [["department_id", "召集部门", select], ["reason", "吹哨事由", textarea]], "吹哨")}</section>`;
  wireAction(slot.querySelector("#whistle-form"), { department_id: "请选择要召集的部门", reason: "请填写吹哨事由" },
    (body) => api("POST", `/tickets/${encodeURIComponent(kase.id)}/whistle`, body), "已吹哨，部门须按期报到", reload);
}
