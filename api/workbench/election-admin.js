// 业委会选举换届 for its organisers (the street office and its clerk) and supervisors: 发起选举, the list of
// elections, and one election: candidates and their review, the notice and its objections, the voting's
// progress, the tally with the dual majority exactly as the API counted it, and the committee's registration.
// Tasks are decided with the generic decision forms (case.js, from the decisions' JSON Schemas).

import { ApiError, api, esc, problemHtml, processCatalogue, say, session, when } from "./api.js";
import { wireReassign, wireWithdraw, withdrawHtml } from "./case-actions.js";
import { taskHtml, timelineHtml, wireTask } from "./case.js";
import { problemFields, showErrors } from "./schema-form.js";
import { TIE_RULES, casesTable, estateOptions, progressLine, startField } from "./process-pages.js";

const PATH = "/cases/owners-election";
const OUTCOMES = { elected: "选举有效", quorum_not_met: "参与表决未达三分之二", too_few_elected: "当选人数不足" };
const CHANNELS = [["party_org", "社区党组织推荐"], ["residents_committee", "居民委员会推荐"], ["self", "业主自荐"], ["joint", "业主联名推荐"]];
const GROUP_ROLES = { street_rep: "街道代表", owner: "业主", party_org: "社区党组织", residents_committee: "居民委员会", developer: "建设单位", property_company: "物业服务企业" };

/** Hundredths of a square metre (or any hundredths), exactly: 123456 -> "1,234.56". */
export function hundredths(n) {
  if (n === null || n === undefined) return "—";
  const v = BigInt(n);
  const whole = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${whole}.${(v % 100n).toString().padStart(2, "0")}`;
}

const yes = (b) => (b ? "是" : "否");

export async function electionListPage(el) {
  const page = await api("GET", "/cases?kind=owners-election&limit=100");
  const organiser = session.has("clerk") || session.has("street_office");
  el.innerHTML = `<h1>业委会选举</h1>${organiser ? '<p><a href="#/elections/new" id="start-election">发起选举</a></p>' : ""}
    ${casesTable(page.items, (c) => `#/elections/${encodeURIComponent(c.id)}`, "elections-table", "选举")}`;
}

export async function electionStartPage(el) {
  const estates = await api("GET", "/estates");
  el.innerHTML = `<h1>发起选举</h1>
    <p class="hint">由街道办事处（或其工作人员）发起：组建筹备组（换届小组）后依次推荐候选人、资格审查、公告、投票和计票。</p>
    <form id="election-start" novalidate>
      ${startField("estate_id", "小区", `<select id="s-estate_id" name="estate_id" aria-describedby="s-estate_id-error">${estateOptions(estates)}</select>`)}
      <fieldset class="radios"><legend>选举类型</legend>
        <label><input type="radio" name="kind" value="re_election" checked> 换届选举</label>
        <label><input type="radio" name="kind" value="first"> 首次选举</label></fieldset>
      <div id="first-facts" hidden><p class="hint">首次选举须说明交付情况（山东省物业管理条例第二十条）。</p>
        ${startField("delivered_area_percent", "已交付专有部分面积比例（%）", '<input type="text" inputmode="numeric" id="s-delivered_area_percent" name="delivered_area_percent" aria-describedby="s-delivered_area_percent-error">')}
        ${startField("delivered_owners_percent", "已交付业主人数比例（%）", '<input type="text" inputmode="numeric" id="s-delivered_owners_percent" name="delivered_owners_percent" aria-describedby="s-delivered_owners_percent-error">')}
        ${startField("months_since_first_delivery", "首次交付至今（月）", '<input type="text" inputmode="numeric" id="s-months_since_first_delivery" name="months_since_first_delivery" aria-describedby="s-months_since_first_delivery-error">')}</div>
      ${startField("description", "说明", '<textarea id="s-description" name="description" aria-describedby="s-description-error"></textarea>')}
      <div class="problem-slot"></div>
      <button type="submit">发起选举</button>
    </form>`;
  const form = el.querySelector("#election-start");
  const first = () => form.querySelector('input[name="kind"]:checked').value === "first";
  for (const r of form.querySelectorAll('input[name="kind"]')) r.addEventListener("change", () => { el.querySelector("#first-facts").hidden = !first(); });
  form.addEventListener("submit", (ev) => { ev.preventDefault(); submitStart(form, first()); });
}

async function submitStart(form, first) {
  const v = (n) => form.elements.namedItem(n).value.trim();
  const errors = {};
  if (!v("estate_id")) errors.estate_id = "请选择小区";
  const body = { estate_id: v("estate_id"), kind: first ? "first" : "re_election", description: v("description") };
  if (first) {
    for (const [name, max] of [["delivered_area_percent", 100], ["delivered_owners_percent", 100], ["months_since_first_delivery", 1200]]) {
      if (!/^\d+$/.test(v(name)) || Number(v(name)) > max) errors[name] = `请填写 0 至 ${max} 的整数`;
      else body[name] = Number(v(name));
    }
  }
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  const slot = form.querySelector(".problem-slot");
  slot.innerHTML = "";
  try {
    const kase = await api("POST", PATH, body);
    say(`已发起选举：${kase.id}`);
    location.hash = `#/elections/${encodeURIComponent(kase.id)}`;
  } catch (err) {
    showErrors(form, err instanceof ApiError ? problemFields(form, err.problem) : {});
    const running = err instanceof ApiError && err.problem?.case_id
      ? ` <a href="#/elections/${encodeURIComponent(err.problem.case_id)}">查看正在进行的选举</a>` : "";
    slot.innerHTML = problemHtml(err).replace(/<\/div>$/, `${running}</div>`);
  }
}

function candidatesHtml(candidates) {
  if (!candidates.length) return "<p>尚无候选人。</p>";
  return `<div class="table-wrap"><table class="stack" id="candidate-table"><caption class="sr-only">候选人及资格审查结果</caption>
    <thead><tr><th scope="col">编号</th><th scope="col">姓名</th><th scope="col">房屋</th><th scope="col">中共党员</th><th scope="col">推荐渠道</th>
    <th scope="col">资格审查</th><th scope="col">审查意见</th></tr></thead><tbody>
    ${candidates.map((c) => `<tr data-candidate="${esc(c.id)}" data-status="${esc(c.status)}"><td data-label="编号">${esc(c.id)}</td>
      <td data-label="姓名">${esc(c.name)}</td><td data-label="房屋">${esc(c.household_id)}</td><td data-label="中共党员">${yes(c.party_member)}</td>
      <td data-label="推荐渠道">${esc(c.channel_label)}</td><td data-label="资格审查">${esc(c.status_label)}</td>
      <td data-label="审查意见">${esc([c.reason, ...(c.findings || [])].filter(Boolean).join("；"))}</td></tr>`).join("")}</tbody></table></div>`;
}

function nominationHtml(estate) {
  return `<form id="nomination-form" novalidate><h3>推荐候选人</h3>
    ${startField("household_id", "候选人房屋", `<select id="s-household_id" name="household_id" aria-describedby="s-household_id-error"><option value="">请选择房屋</option>
      ${estate.households.map((h) => `<option value="${esc(h.id)}">${esc(h.id)}（${esc(h.area_m2)} ㎡）</option>`).join("")}</select>`)}
    ${startField("name", "候选人姓名（与不动产登记一致）", '<input type="text" id="s-name" name="name" aria-describedby="s-name-error">')}
    ${startField("channel", "推荐渠道", `<select id="s-channel" name="channel" aria-describedby="s-channel-error">${CHANNELS.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select>`)}
    <label class="inline"><input type="checkbox" name="party_member"> 中共党员</label>
    <div class="problem-slot"></div><button type="submit">提交推荐</button></form>`;
}

function objectionsHtml(objections) {
  if (!objections.length) return "<p>没有异议。</p>";
  return `<div class="table-wrap"><table class="stack" id="objection-table"><caption class="sr-only">异议</caption>
    <thead><tr><th scope="col">类型</th><th scope="col">房屋</th><th scope="col">内容</th><th scope="col">提出人</th><th scope="col">时间</th><th scope="col">答复</th></tr></thead><tbody>
    ${objections.map((o) => `<tr><td data-label="类型">${esc(o.kind_label || "")}</td><td data-label="房屋">${esc(o.household_id || "")}</td>
      <td data-label="内容">${esc(o.text)}</td><td data-label="提出人">${esc(o.name || (o.by ? o.by : "（不公开）"))}</td><td data-label="时间">${esc(when(o.at))}</td>
      <td data-label="答复">${esc(o.outcome ? `${o.outcome === "uphold" ? "异议成立" : "已答复"}：${o.answer || ""}` : "待答复")}</td></tr>`).join("")}</tbody></table></div>`;
}

function turnoutHtml(attempts, facts) {
  if (!attempts.length) return "<p>投票尚未开始。</p>";
  return `<div class="table-wrap"><table class="stack" id="turnout"><caption class="sr-only">投票进度</caption>
    <thead><tr><th scope="col">轮次</th><th scope="col" class="num">名册户数</th><th scope="col" class="num">已投票户数</th><th scope="col" class="num">投票率</th>
    <th scope="col">开始</th><th scope="col">截止</th><th scope="col">状态</th></tr></thead><tbody>
    ${attempts.map((a) => {
      const end = (facts.attempts || []).find((x) => x.attempt === a.attempt)?.voting_end;
      const rate = a.voters ? `${Math.floor((a.ballots * 1000) / a.voters) / 10}%` : "—";
      return `<tr data-attempt="${a.attempt}"><td data-label="轮次">第 ${a.attempt} 轮</td><td data-label="名册户数" class="num" data-voters>${a.voters}</td>
        <td data-label="已投票户数" class="num" data-ballots>${a.ballots}</td><td data-label="投票率" class="num">${rate}</td>
        <td data-label="开始">${esc(when(a.opened_at))}</td><td data-label="截止">${esc(when(a.closed_at || end))}</td>
        <td data-label="状态">${a.result ? "已计票" : a.closed_at ? "已截止" : "投票中"}</td></tr>`;
    }).join("")}</tbody></table></div>`;
}

function resultHtml(a, label) {
  const r = a.result;
  const quorum = (part, whole, ok, unit, fmt) => `${fmt(part)} / ${fmt(whole)} ${unit}（${ok ? "达到" : "未达"}三分之二）`;
  return `<section class="tally" data-attempt="${a.attempt}" aria-labelledby="tally-${a.attempt}-h"><h3 id="tally-${a.attempt}-h">第 ${a.attempt} 轮计票：
      <span data-outcome="${esc(r.outcome)}">${esc(label || OUTCOMES[r.outcome] || r.outcome)}</span></h3>
    <dl class="facts"><dt>应选席位</dt><dd>${r.seats}</dd><dt>参与表决的专有部分面积</dt>
      <dd data-quorum="area">${esc(quorum(r.participating_area_hundredths, r.total_area_hundredths, r.quorum_area, "㎡", hundredths))}</dd>
      <dt>参与表决的业主人数</dt><dd data-quorum="headcount">${esc(quorum(r.participating_headcount, r.total_headcount, r.quorum_headcount, "人", String))}</dd>
      <dt>名册户数 / 有效票</dt><dd>${r.voters} / ${r.ballots}</dd><dt>当选中共党员</dt><dd>${r.party_members_elected}</dd>
      <dt>同票规则</dt><dd>${esc(TIE_RULES[r.tie_rule] || r.tie_rule)}</dd><dt>选票摘要（SHA-256）</dt><dd class="digest">${esc(r.ballots_digest)}</dd></dl>
    <div class="table-wrap"><table class="stack tally-table"><caption>各候选人得票（面积与人数均须过半数）</caption>
      <thead><tr><th scope="col">名次</th><th scope="col">候选人</th><th scope="col" class="num">同意面积（㎡）</th><th scope="col" class="num">同意人数</th>
      <th scope="col">双过半</th><th scope="col">当选</th></tr></thead><tbody>
      ${r.candidates.map((c) => `<tr data-candidate="${esc(c.id)}" data-elected="${c.elected}"><td data-label="名次">${c.rank ?? "—"}</td>
        <td data-label="候选人">${esc(c.name)}${c.party_member ? "（党员）" : ""}</td><td data-label="同意面积（㎡）" class="num" data-area="${c.area_hundredths}">${hundredths(c.area_hundredths)}</td>
        <td data-label="同意人数" class="num" data-headcount="${c.headcount}">${c.headcount}</td><td data-label="双过半">${yes(c.majority)}</td>
        <td data-label="当选">${c.elected ? "当选" : "—"}</td></tr>`).join("")}</tbody></table></div>
    ${recounter() ? `<button type="button" class="secondary recount" data-attempt="${a.attempt}">按存档选票重新计票核对</button>
      <p class="recount-result" id="recount-${a.attempt}" aria-live="polite"></p>` : ""}</section>`;
}

const recounter = () => session.has("auditor") || session.has("housing_bureau");

async function recount(button, caseId) {
  const out = button.parentElement.querySelector(".recount-result");
  out.innerHTML = "";
  try {
    const r = await api("GET", `${PATH}/${encodeURIComponent(caseId)}/tally/${button.dataset.attempt}/recount`);
    out.className = `recount-result ${r.identical ? "ok" : "problem"}`;
    out.textContent = r.identical
      ? `重新计票结果与存档结果一致（${r.recounted.ballots} 张选票，摘要 ${r.recounted.ballots_digest.slice(0, 16)}…）。`
      : `重新计票结果与存档结果不一致：存档当选 ${r.stored.elected.join("、")}，重新计票当选 ${r.recounted.elected.join("、")}。`;
  } catch (err) {
    out.innerHTML = problemHtml(err);
  }
}

/** 书面表决票: a clerk enters a batch, one line per unit, all stored or none (the API refuses a batch with the lines' reasons). */
function paperHtml(qualified, households) {
  return `<form id="paper-form" novalidate><h3>录入书面表决票</h3>
    <p class="hint">每张表决票一行：选择房屋，勾选同意的候选人，点“加入本批”；整批提交，有一行被拒绝则整批均不保存。</p>
    ${startField("paper_household", "房屋", `<select id="s-paper_household" name="paper_household" aria-describedby="s-paper_household-error"><option value="">请选择房屋</option>
      ${households.map((h) => `<option value="${esc(h.id)}">${esc(h.id)}</option>`).join("")}</select>`)}
    <fieldset class="checks"><legend>同意的候选人</legend>${qualified.map((c) => `<label><input type="checkbox" name="paper_choice" value="${esc(c.id)}"> ${esc(c.id)} ${esc(c.name)}</label>`).join("")}</fieldset>
    <button type="button" class="secondary" id="paper-add">加入本批</button>
    <ol id="paper-batch" aria-live="polite"></ol>
    <div class="problem-slot"></div><button type="submit">提交本批书面表决票</button></form>`;
}

function wirePaper(form, caseId, reload) {
  const batch = [];
  const draw = () => { form.querySelector("#paper-batch").innerHTML = batch.map((b) => `<li>${esc(b.household_id)}：${esc(b.choices.join("、") || "（空白票）")}</li>`).join(""); };
  form.querySelector("#paper-add").addEventListener("click", () => {
    const unit = form.elements.namedItem("paper_household").value;
    const taken = batch.some((b) => b.household_id === unit);
    showErrors(form, unit && !taken ? {} : { paper_household: unit ? "本批已有该房屋的表决票" : "请选择房屋" });
    if (!unit || taken) return;
    const boxes = [...form.querySelectorAll('input[name="paper_choice"]')];
    batch.push({ household_id: unit, choices: boxes.filter((b) => b.checked).map((b) => b.value) });
    for (const b of boxes) b.checked = false;
    form.elements.namedItem("paper_household").value = "";
    draw();
  });
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const slot = form.querySelector(".problem-slot");
    if (!batch.length) { slot.innerHTML = '<div class="problem" role="alert">本批还没有表决票。</div>'; return; }
    try {
      const r = await api("POST", `${PATH}/${encodeURIComponent(caseId)}/ballots/paper`, { ballots: batch });
      await reload();
      say(`书面表决票已录入 ${r.accepted} 张`);
    } catch (err) {
      const lines = err instanceof ApiError ? (err.problem?.errors || []).filter((e) => e.household_id) : [];
      slot.innerHTML = problemHtml(err) + (lines.length ? `<ul class="problem" id="paper-errors">${lines.map((e) => `<li>第 ${e.line + 1} 行 ${esc(e.household_id)}：${esc(e.msg)}</li>`).join("")}</ul>` : "");
    }
  });
}

function registryHtml(registry, facts) {
  const rows = [
    ["机构", registry.body.label], ["任期", registry.term_start ? `${when(registry.term_start)} 至 ${when(registry.term_end)}` : "—"],
    ["委员人数", registry.seats ?? "—"], ["成员", registry.members.map((m) => m.name).join("、") || "—"],
    ["首次会议", facts.first_meeting ? `${facts.first_meeting.held_on}，主任 ${facts.first_meeting.chair}` : "—"],
    ["备案材料", facts.filing ? facts.filing.documents.join("、") : "—"], ["备案证明编号", registry.certificate_no || facts.certificate_no || "—"],
    ["选举案件", registry.elected_case_id || "—"], ["换届选举启动时间", when(registry.reelection_starts_at)],
  ];
  return `<dl class="facts" id="registry">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

function overviewHtml(facts) {
  const group = facts.group ? facts.group.members.map((m) => `${m.name}（${GROUP_ROLES[m.role] || m.role}${m.leader ? "，组长" : ""}）`).join("、") : "—";
  const rows = [
    ["小区", facts.estate_name], ["选举类型", facts.election_kind_label], ["户数", facts.households], ["业主人数", facts.owners],
    ["总建筑面积（㎡）", facts.area_m2], ["应选委员", facts.seats], ["筹备组", group], ["筹备组公告", facts.group_notice],
    ["推荐截止", when(facts.nomination_end)], ["候选人公告截止", when(facts.notice_end)], ["须完成选举日期", when(facts.election_due_at)],
  ];
  return `<dl class="facts" id="election-facts">${rows.filter(([, v]) => v !== null && v !== undefined && v !== "—")
    .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`;
}

async function registryOf(estateId) {
  try {
    return { registry: await api("GET", `/owners-committees/${encodeURIComponent(estateId)}`) };
  } catch (err) {
    return { problem: problemHtml(err) };
  }
}

export async function electionAdminPage(el, caseId) {
  const load = async () => {
    const id = encodeURIComponent(caseId);
    const [kase, catalogue, attempts, timeline] = await Promise.all([
      api("GET", `${PATH}/${id}`), processCatalogue(), api("GET", `${PATH}/${id}/tally`), api("GET", `/cases/${id}/timeline`),
    ]);
    const facts = kase.facts || {};
    const process = catalogue.find((p) => p.kind === kase.process);
    const { registry, problem } = await registryOf(facts.estate_id);
    const nominating = kase.step.code === "nomination" && kase.status.code === "active";
    const entering = kase.step.code === "voting" && kase.status.code === "active" && (session.has("clerk") || session.has("street_office"));
    const estate = nominating || entering ? { households: await api("GET", `/estates/${encodeURIComponent(facts.estate_id)}/households?limit=1000`) } : null;
    const qualified = (facts.candidates || []).filter((c) => c.status === "qualified");
    const counted = attempts.filter((a) => a.result);
    el.innerHTML = `<h1>${esc(kase.title)}</h1>
      <p>${esc(kase.kind.label)} · 编号 ${esc(kase.id)} · 状态 <strong id="case-status" data-code="${esc(kase.status.code)}">${esc(kase.status.label)}</strong>
        · 当前环节 <strong id="case-step">${esc(kase.step.label)}</strong> · <a href="#/election/${id}">业主投票页</a></p>
      ${progressLine(process, kase)}
      <h2>基本情况</h2>${overviewHtml(facts)}
      <h2>候选人与资格审查</h2>${candidatesHtml(facts.candidates || [])}${nominating ? nominationHtml(estate) : ""}
      <h2>候选人公告与异议</h2><p>公告期至 ${esc(when(facts.notice_end))}</p>${objectionsHtml(facts.objections || [])}
      <h2>投票进度</h2>${turnoutHtml(attempts, facts)}${entering ? paperHtml(qualified, estate.households) : ""}
      <h2>计票结果</h2><div id="tally">${counted.length ? counted.map((a) => resultHtml(a, (facts.attempts || []).find((x) => x.attempt === a.attempt)?.outcome_label)).join("")
        : "<p>尚未计票。</p>"}</div>
      <h2>业委会登记与备案</h2>${registry ? registryHtml(registry, facts) : problem}
      <h2>待办任务</h2>${kase.open_tasks.length ? kase.open_tasks.map((t) => taskHtml(t, process)).join("") : "<p>没有待办任务。</p>"}${withdrawHtml(kase)}
      <h2>办理记录</h2>${timelineHtml(timeline)}`;
    for (const section of el.querySelectorAll("section.task[data-step]")) { wireTask(section, kase, process, load); wireReassign(section, kase, load); }
    wireWithdraw(el, kase, load);
    el.querySelector("#nomination-form")?.addEventListener("submit", (ev) => { ev.preventDefault(); nominate(ev.target, caseId, load); });
    const paper = el.querySelector("#paper-form");
    if (paper) wirePaper(paper, caseId, load);
    for (const b of el.querySelectorAll("button.recount")) b.addEventListener("click", () => recount(b, caseId));
  };
  await load();
}

async function nominate(form, caseId, reload) {
  const v = (n) => form.elements.namedItem(n).value.trim();
  const errors = {};
  if (!v("household_id")) errors.household_id = "请选择候选人房屋";
  if (!v("name")) errors.name = "请填写候选人姓名";
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  const body = { household_id: v("household_id"), name: v("name"), channel: v("channel"), party_member: form.elements.namedItem("party_member").checked };
  const slot = form.querySelector(".problem-slot");
  slot.innerHTML = "";
  try {
    await api("POST", `${PATH}/${encodeURIComponent(caseId)}/nominations`, body);
    say("已推荐");
    await reload();
  } catch (err) {
    showErrors(form, err instanceof ApiError ? problemFields(form, err.problem) : {});
    slot.innerHTML = problemHtml(err);
  }
}
