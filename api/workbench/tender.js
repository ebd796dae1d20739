// 物业服务招标: 发布招标 (a clerk), the list of tenders, and one tender as the API lets the viewer see it:
// the announcement and its deadlines, a company's sealed bid (the page shows only what the server answers:
// before the opening a company reads its own bid and nothing of the others'), the evaluation result and its
// publicity, the expert draw as recorded (random values and choices, re-derived by the server), the award,
// the contract and the handover case.

import { ApiError, api, esc, problemHtml, processCatalogue, say, session, when, yuan } from "./api.js";
import { wireReassign, wireWithdraw, withdrawHtml } from "./case-actions.js";
import { taskHtml, timelineHtml, wireTask } from "./case.js";
import { problemFields, showErrors } from "./schema-form.js";
import { TIE_RULES, casesTable, estateOptions, progressLine, startField } from "./process-pages.js";

const PATH = "/cases/tender";
const EXIT_REASONS = [["dismissal", "业主共同决定解聘"], ["non_renewal", "业主决定合同期满不再续聘"], ["company_declines", "物业服务人不同意续聘"]];

/** A wall time in the city (Asia/Shanghai) for a datetime-local input, ``days`` from now. */
function cityLocal(days) {
  const t = new Date(Date.now() + days * 86_400_000 + 8 * 3_600_000);
  return t.toISOString().slice(0, 16);
}

const perM2 = (fen) => `${yuan(fen)}/㎡·月`;

export async function tenderListPage(el) {
  const page = await api("GET", "/cases?kind=tender&limit=100");
  const clerk = session.has("clerk") ? '<p><a href="#/tenders/new" id="start-tender">发布招标</a></p>' : "";
  el.innerHTML = `<h1>物业服务招标</h1>${clerk}${casesTable(page.items, (c) => `#/tenders/${encodeURIComponent(c.id)}`, "tenders-table", "招标")}`;
}

export async function tenderStartPage(el) {
  const estates = await api("GET", "/estates");
  el.innerHTML = `<h1>发布招标</h1>
    <p class="hint">招标公告发布后，投标截止时间距发布之日不得少于二十日（招标投标法第二十四条）。</p>
    <form id="tender-start" novalidate>
      ${startField("estate_id", "小区", `<select id="s-estate_id" name="estate_id" aria-describedby="s-estate_id-error">${estateOptions(estates)}</select>`)}
      <fieldset class="radios"><legend>招标类型</legend>
        <label><input type="radio" name="selection" value="reselection" checked> 业主委员会重新选聘</label>
        <label><input type="radio" name="selection" value="first"> 建设单位选聘前期物业</label></fieldset>
      ${startField("method", "评标方法", `<select id="s-method" name="method" aria-describedby="s-method-error">
        <option value="comprehensive">综合评估法</option><option value="lowest_price">经评审的最低投标价法</option></select>`)}
      ${startField("summary", "招标公告内容", '<textarea id="s-summary" name="summary" aria-describedby="s-summary-error"></textarea>')}
      ${startField("bid_deadline", "投标截止时间（北京时间）", `<input type="datetime-local" id="s-bid_deadline" name="bid_deadline" value="${cityLocal(21)}" aria-describedby="s-bid_deadline-error">`)}
      <div id="outgoing">${startField("reason", "原物业服务人退出原因", `<select id="s-reason" name="reason" aria-describedby="s-reason-error">
        ${EXIT_REASONS.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select>`)}</div>
      <div class="problem-slot"></div>
      <button type="submit">发布招标</button>
    </form>`;
  const form = el.querySelector("#tender-start");
  const selection = () => form.querySelector('input[name="selection"]:checked').value;
  for (const r of form.querySelectorAll('input[name="selection"]')) r.addEventListener("change", () => { el.querySelector("#outgoing").hidden = selection() !== "reselection"; });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); publish(form, selection()); });
}

async function publish(form, selection) {
  const v = (n) => form.elements.namedItem(n).value.trim();
  const errors = {};
  if (!v("estate_id")) errors.estate_id = "请选择小区";
  if (v("summary").length < 5) errors.summary = "招标公告内容至少 5 个字";
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v("bid_deadline"))) errors.bid_deadline = "请选择投标截止时间";
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  const body = { estate_id: v("estate_id"), selection, method: v("method"), summary: v("summary"), bid_deadline: `${v("bid_deadline")}:00+08:00` };
  if (selection === "reselection") body.outgoing = { reason: v("reason") };
  const slot = form.querySelector(".problem-slot");
  slot.innerHTML = "";
  try {
    const kase = await api("POST", PATH, body);
    say(`招标已发布：${kase.id}`);
    location.hash = `#/tenders/${encodeURIComponent(kase.id)}`;
  } catch (err) {
    const named = err instanceof ApiError ? problemFields(form, err.problem) : {};
    if (named.outgoing) named.reason = named.outgoing;
    showErrors(form, named);
    slot.innerHTML = problemHtml(err);
  }
}

function announcementHtml(f) {
  const rows = [
    ["小区", f.estate_name], ["招标类型", f.selection_label], ["评标方法", f.method_label], ["招标公告", f.summary],
    ["发布时间", when(f.published_at)], ["投标截止", when(f.bid_deadline)], ["招标轮次", `第 ${f.round} 轮`], ["同分规则", TIE_RULES[f.tie_rule] || f.tie_rule],
    ["原物业服务人退出", f.outgoing?.reason_label], ["保障房小区", f.resettlement === null || f.resettlement === undefined ? null : f.resettlement ? "是" : "否"],
  ];
  const clar = (f.clarifications || []).map((c) => `<li>${esc(when(c.at))}：${esc(c.text)}（截止时间 ${esc(when(c.deadline_before))} → ${esc(when(c.deadline_after))}）</li>`).join("");
  return `<dl class="facts" id="announcement">${rows.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>${clar ? `<h3>澄清与修改</h3><ul id="clarifications">${clar}</ul>` : ""}`;
}

function bidsHtml(f, opened) {
  const note = opened ? `<p>已开标：有效投标 ${esc(f.bid_count ?? f.bids.length)} 份。</p>`
    : '<p class="sealed" id="sealed-note" role="note">投标文件在开标前密封：开标前任何人（包括招标人）都看不到其他投标人的名称、报价或投标数量，本页只显示服务器答复给您的内容。</p>';
  const rows = (f.bids || []).map((b) => `<tr data-company="${esc(b.company_id)}"><td data-label="投标人">${esc(b.company_name)}</td>
    <td data-label="信用等级">${esc(b.credit_grade || "—")}</td><td data-label="报价" class="num">${esc(perM2(b.price_fen_per_m2))}</td>
    <td data-label="投标时间">${esc(when(b.registered_at))}</td></tr>`).join("");
  const refused = (f.refused_bids || []).map((b) => `<li>${esc(b.company_name)}：${esc(b.reason)}（第 ${b.round} 轮）</li>`).join("");
  return `${note}${rows ? `<div class="table-wrap"><table class="stack" id="bids"><caption class="sr-only">投标</caption><thead><tr><th scope="col">投标人</th>
    <th scope="col">信用等级</th><th scope="col" class="num">报价</th><th scope="col">投标时间</th></tr></thead><tbody>${rows}</tbody></table></div>`
    : '<p id="no-bids">本页没有可显示的投标。</p>'}${refused ? `<h3>被拒绝的投标</h3><ul id="refused-bids">${refused}</ul>` : ""}`;
}

function bidFormHtml() {
  return `<form id="bid-form" novalidate><h3>提交投标</h3>
    ${startField("price", "报价（元/㎡·月）", '<input type="text" inputmode="decimal" id="s-price" name="price" autocomplete="off" aria-describedby="s-price-error">')}
    ${startField("plan", "服务方案摘要", '<textarea id="s-plan" name="plan" aria-describedby="s-plan-error"></textarea>')}
    <div class="problem-slot"></div><button type="submit">提交投标</button></form>`;
}

function resultHtml(f) {
  const ranking = (f.ranking || []).map((r) => `<tr data-company="${esc(r.company_id)}"><td data-label="名次">${r.rank}</td><td data-label="投标人">${esc(r.company_name)}</td>
    <td data-label="平均得分" class="num">${esc(r.average_score)}</td><td data-label="报价" class="num">${esc(perM2(r.price_fen_per_m2))}</td>
    <td data-label="合格">${r.qualified ? "是" : "否"}</td></tr>`).join("");
  const p = f.publicity;
  const rows = [
    ["公示期", p ? `${when(p.start)} 至 ${when(p.end)}` : null], ["中标候选人", p?.candidates?.join("、")],
    ["中标人", f.winner], ["确定中标时间", f.awarded_at ? when(f.awarded_at) : null],
    ["物业服务合同", f.contract ? `${f.contract.contract_no}（${when(f.contract.signed_at)}签订）` : null],
  ];
  const handover = f.handover_case_id ? `<dt>新旧物业交接</dt><dd><a id="handover-link" href="#/case/${encodeURIComponent(f.handover_case_id)}">${esc(f.handover_case_id)}</a></dd>` : "";
  return `${ranking ? `<div class="table-wrap"><table class="stack" id="ranking"><caption class="sr-only">评标结果</caption><thead><tr><th scope="col">名次</th>
    <th scope="col">投标人</th><th scope="col" class="num">平均得分</th><th scope="col" class="num">报价</th><th scope="col">合格</th></tr></thead><tbody>${ranking}</tbody></table></div>`
    : "<p>尚无评标结果。</p>"}<dl class="facts" id="award">${rows.filter(([, v]) => v).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}${handover}</dl>
    ${(f.objections || []).length ? `<h3>异议</h3><ul id="tender-objections">${f.objections.map((o) => `<li>${esc(when(o.at))}：${esc(o.text)}（${esc(o.outcome ? (o.outcome === "uphold" ? "异议成立" : "已答复") + (o.answer ? `：${o.answer}` : "") : "待答复")}）</li>`).join("")}</ul>` : ""}`;
}

// The draw's reasons as the API records them (domain/expert_draw.py, workflows/tender_committee.py), said in Chinese.
const DRAW_REASONS = [
  [/^employed by bidder (.+)$/, "受雇于投标人 $1"], [/^recorded relationship with bidder (.+)$/, "与投标人 $1 有登记在案的利害关系"],
  [/^replaces (.+)$/, "补抽，替代回避的 $1"], [/^initial$/, "首次抽取"],
];
const reasonText = (r) => DRAW_REASONS.reduce((t, [re, zh]) => t.replace(re, zh), r || "");

function drawHtml(draw) {
  const name = (x) => `${x.expert_id}${x.name ? ` ${x.name}` : ""}${x.employer ? `（${x.employer}）` : ""}`;
  const plan = draw.committee_plan;
  return `<p id="draw-verified" class="${draw.verified ? "ok" : "problem"}">${draw.verified ? "可复核：服务器按记录的随机数重新推导每一轮抽取，结果一致。" : "复核不一致：记录的抽取结果无法由随机数重新推导。"}</p>
    <dl class="facts">${plan ? `<dt>评标委员会</dt><dd>${plan.size} 人，其中专家 ${plan.experts} 人、招标人代表 ${plan.representatives} 人</dd>` : ""}
      <dt>专家库（可抽取）</dt><dd>${esc(draw.expert_pool.map(name).join("、") || "—")}</dd>
      <dt>专家姓名</dt><dd>${draw.names_released ? "已随中标结果公开" : "确定中标人前保密（仅住建部门和审计可见）"}</dd></dl>
    ${draw.exclusions.length ? `<h3>回避</h3><ul id="draw-exclusions">${draw.exclusions.map((x) => `<li>${esc(name(x))}：${esc(reasonText(x.reason))}</li>`).join("")}</ul>` : ""}
    <div class="table-wrap"><table class="stack" id="draw-rounds"><caption>抽取记录</caption><thead><tr><th scope="col">轮</th><th scope="col">原因</th>
      <th scope="col">可抽取专家</th><th scope="col">随机数</th><th scope="col">抽中</th></tr></thead><tbody>
      ${draw.draws.map((r, i) => `<tr><td data-label="轮">${i + 1}</td><td data-label="原因">${esc(reasonText(r.reason))}</td>
        <td data-label="可抽取专家">${esc(r.eligible.join("、"))}</td><td data-label="随机数" class="digest">${esc(r.rng_values.join("，"))}</td>
        <td data-label="抽中">${esc(r.chosen.join("、"))}</td></tr>`).join("")}</tbody></table></div>
    ${draw.committee.length ? `<h3>评标委员会成员</h3><ul id="draw-committee">${draw.committee.map((m) => `<li>${esc(name(m))}${m.status === "recused" ? `（回避：${esc(m.reason || "")}）` : ""}</li>`).join("")}</ul>` : ""}`;
}

async function drawOf(caseId, f) {
  // Before the award only the housing bureau and auditors read the draw (实施条例 Art. 46; tender.DRAW_READERS).
  if (!f.awarded_at && !session.me()?.roles.some((r) => ["housing_bureau", "auditor", "admin"].includes(r.code))) {
    return '<p id="draw-sealed">评标委员会名单在确定中标人前保密（实施条例第四十六条）。</p>';
  }
  try {
    const draw = await api("GET", `${PATH}/${encodeURIComponent(caseId)}/draw`);
    return draw.draws.length ? drawHtml(draw) : "<p>尚未抽取评标专家。</p>";
  } catch (err) {
    return problemHtml(err);
  }
}

function companyForms(kase) {
  const company = session.has("property_company") && kase.status.code === "active";
  const bidding = company && kase.step.code === "bidding" && !(kase.facts.bids || []).length;
  const objecting = company && kase.step.code === "publicity";
  const clarifying = session.has("clerk") && kase.status.code === "active" && kase.step.code === "bidding";
  return { bidding, objecting, clarifying };
}

function clarificationFormHtml() {
  return `<form id="clarification-form" novalidate><h3>澄清或修改招标文件</h3>
    <p class="hint">投标截止前十五日内发出的澄清，截止时间由系统相应顺延（招标投标法实施条例第二十一条）。</p>
    ${startField("clarification", "澄清内容", '<textarea id="s-clarification" name="clarification" aria-describedby="s-clarification-error"></textarea>')}
    <div class="problem-slot"></div><button type="submit">发布澄清</button></form>`;
}

async function clarify(form, caseId, reload) {
  const text = form.elements.namedItem("clarification").value.trim();
  showErrors(form, text ? {} : { clarification: "请填写澄清内容" });
  if (!text) return;
  await send(form, `${PATH}/${encodeURIComponent(caseId)}/clarifications`, { text }, "澄清已发布", reload);
}

export async function tenderPage(el, caseId) {
  const load = async () => {
    const id = encodeURIComponent(caseId);
    const [kase, catalogue, timeline] = await Promise.all([api("GET", `${PATH}/${id}`), processCatalogue(), api("GET", `/cases/${id}/timeline`)]);
    const f = kase.facts || {};
    const process = catalogue.find((p) => p.kind === kase.process);
    const opened = f.bid_count !== null && f.bid_count !== undefined ? true : (f.rounds || []).some((r) => r.round === f.round && r.valid_bids >= (f.rules?.min_valid_bids ?? 3));
    const { bidding, objecting, clarifying } = companyForms(kase);
    el.innerHTML = `<h1>${esc(kase.title)}</h1>
      <p>${esc(kase.kind.label)} · 编号 ${esc(kase.id)} · 状态 <strong id="case-status" data-code="${esc(kase.status.code)}">${esc(kase.status.label)}</strong>
        · 当前环节 <strong id="case-step">${esc(kase.step.label)}</strong></p>
      ${progressLine(process, kase)}
      <h2>招标公告</h2>${announcementHtml(f)}${clarifying ? clarificationFormHtml() : ""}
      <h2>投标</h2><div id="bidding">${bidsHtml(f, opened)}${bidding ? bidFormHtml() : ""}</div>
      <h2>评标结果与公示</h2>${resultHtml(f)}${objecting ? objectionFormHtml() : ""}
      <h2>评标专家抽取</h2><div id="draw">${await drawOf(caseId, f)}</div>
      <h2>待办任务</h2>${kase.open_tasks.length ? kase.open_tasks.map((t) => taskHtml(t, process)).join("") : "<p>没有待办任务。</p>"}${withdrawHtml(kase)}
      <h2>办理记录</h2>${timelineHtml(timeline)}`;
    for (const section of el.querySelectorAll("section.task[data-step]")) { wireTask(section, kase, process, load); wireReassign(section, kase, load); }
    wireWithdraw(el, kase, load);
    el.querySelector("#bid-form")?.addEventListener("submit", (ev) => { ev.preventDefault(); bid(ev.target, caseId, load); });
    el.querySelector("#clarification-form")?.addEventListener("submit", (ev) => { ev.preventDefault(); clarify(ev.target, caseId, load); });
    el.querySelector("#tender-objection-form")?.addEventListener("submit", (ev) => { ev.preventDefault(); object(ev.target, caseId, load); });
  };
  await load();
}

function objectionFormHtml() {
  return `<form id="tender-objection-form" novalidate><h3>对评标结果提出异议</h3>
    ${startField("objection", "异议内容", '<textarea id="s-objection" name="objection" aria-describedby="s-objection-error"></textarea>')}
    <div class="problem-slot"></div><button type="submit">提交异议</button></form>`;
}

async function send(form, path, body, done, reload) {
  const slot = form.querySelector(".problem-slot");
  slot.innerHTML = "";
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await api("POST", path, body);
    await reload();
    say(done);
  } catch (err) {
    button.disabled = false;
    const named = err instanceof ApiError ? problemFields(form, err.problem) : {};
    if (named.price_fen_per_m2) named.price = named.price_fen_per_m2;
    showErrors(form, named);
    slot.innerHTML = problemHtml(err);
  }
}

async function bid(form, caseId, reload) {
  const price = form.elements.namedItem("price").value.trim();
  const plan = form.elements.namedItem("plan").value.trim();
  const m = /^(\d{1,4})(?:\.(\d{1,2}))?$/.exec(price);
  const fen = m ? Number(m[1]) * 100 + Number((m[2] || "").padEnd(2, "0")) : null;
  const errors = {};
  if (!fen) errors.price = "报价须为大于 0 的金额，最多两位小数，例如 1.20";
  if (!plan) errors.plan = "请填写服务方案摘要";
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  await send(form, `${PATH}/${encodeURIComponent(caseId)}/bids`, { price_fen_per_m2: fen, plan }, "投标已登记", reload);
}

async function object(form, caseId, reload) {
  const text = form.elements.namedItem("objection").value.trim();
  showErrors(form, text ? {} : { objection: "请填写异议内容" });
  if (!text) return;
  await send(form, `${PATH}/${encodeURIComponent(caseId)}/objections`, { text }, "异议已提交", reload);
}
