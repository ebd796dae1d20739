// 案件: title, status, the process's steps as a progress line, typed facts, open tasks with their
// decision forms (from the decisions' JSON Schemas), and the timeline.

import { ApiError, api, esc, problemHtml, processCatalogue, say, when, yuan } from "./api.js";
import { reassignHtml, wireReassign, wireWithdraw, withdrawHtml } from "./case-actions.js";
import { fieldsHtml, problemFields, readData, showErrors } from "./schema-form.js";
import { drawWhistle } from "./ticket.js";

const FACT_LABELS = {
  category_label: "紧急情形", affected_scope_label: "范围", scope_id: "楼栋/单元", description: "情况说明",
  estate_name: "小区", households: "户数", area_m2: "建筑面积（㎡）", contractor: "施工单位",
  requested_fen: "申报预算", approved_fen: "审定预算", reduction_fen: "核减金额", price_review_reasons: "核减理由",
  first_payment_max_fen: "首付款上限", first_payment_fen: "首付款", first_paid_at: "首付款支付时间",
  settlement_fen: "申报结算", settlement_approved_fen: "审定结算", settlement_review_reasons: "审价理由",
  acceptance_certificate: "验收单", budget_items: "预算明细", top_ups_due: "应续交的户", final_payment_fen: "尾款", final_paid_at: "尾款支付时间", street_takeover: "街道组织维修",
};
// A ticket's facts (domain/ticket.py): the same keys where they mean the same, its own otherwise.
const TICKET_FACT_LABELS = {
  category_label: "类别", channel_label: "来源渠道", external_ref: "来源编号", description: "诉求内容", lead_unit: "承办单位",
  co_handlers: "协办单位", routing_basis: "派单依据", accepted_at: "签收时间", replied_at: "答复时间", returnable: "可退回",
  returned: "已退回", extension_days: "延期工作日", overdue: "超期", unsatisfied: "不满意次数", supervised: "督办",
  replies: "答复", callbacks: "回访", returns: "退回记录", whistles: "吹哨", supervisions: "督办记录", co_handling: "协办意见",
  closure_label: "销号方式", due_at: "办理时限", round: "轮次", unit: "单位", by: "经办人", result: "结果", at: "时间",
  outcome: "结果", remark: "回访记录", kind: "类型", id: "编号", name: "名称", reason: "理由",
};
const TICKET_SKIP = new Set(["channel", "closure"]);
// Steps a case passes only when something goes off the usual path: drawn once the case has been there.
const DETOURS = new Set(["street_takeover", "top_up", "objection", "reassignment", "co_handling", "extension", "supervision",
  "overdue_supervision", "whistle", "whistle_street", "whistle_joint_meeting"]);
const SKIP = new Set(["kind", "rules", "category", "affected_scope", "attachments", "objections", "shortfalls", "property_company_id", "pricing_agency_id"]);

let labels = FACT_LABELS;

function factValue(key, value) {
  if (key.endsWith("_fen")) return yuan(value);
  if (typeof value === "boolean") return value ? "是" : "否";
  if (/_at$|^(at|start|end)$/.test(key) && typeof value === "string") return when(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => factValue(key, v)).join("；") : "—";
  if (value && typeof value === "object") {
    return Object.entries(value).filter(([, v]) => v !== null && v !== "").map(([k, v]) => `${labels[k] || k}：${factValue(k, v)}`).join("，");
  }
  return String(value);
}

export function factsHtml(facts, process = "fund-emergency") {
  labels = process === "ticket" ? { ...FACT_LABELS, ...TICKET_FACT_LABELS } : FACT_LABELS;
  const skip = process === "ticket" ? new Set([...SKIP, ...TICKET_SKIP]) : SKIP;
  const rows = Object.entries(facts || {}).filter(([k, v]) => !skip.has(k) && v !== null && v !== undefined && v !== "");
  const notice = facts?.public_notice;
  const objections = facts?.objections || [];
  return `<dl class="facts" id="facts">${rows.filter(([k]) => k !== "public_notice").map(([k, v]) =>
    `<dt>${esc(labels[k] || k)}</dt><dd data-fact="${esc(k)}">${esc(factValue(k, v))}</dd>`).join("")}
    ${notice ? `<dt>公示</dt><dd data-fact="public_notice">${esc(when(notice.start))} 至 ${esc(when(notice.end))}，结算 ${esc(yuan(notice.settlement_fen))}</dd>` : ""}
    ${objections.length ? `<dt>异议</dt><dd>${objections.map((o) => esc(`${o.text}（${o.outcome || "待答复"}）`)).join("<br>")}</dd>` : ""}
  </dl>`;
}

function progressHtml(process, kase) {
  const steps = process ? process.steps.map((s) => [s.code, s.label]) : [];
  if (!steps.some(([c]) => c === kase.step.code) && kase.status.code === "active") steps.push([kase.step.code, kase.step.label]);
  const passed = new Set(kase.tasks.filter((t) => t.status.code !== "open").map((t) => t.step.code));
  const closed = kase.status.code !== "active" && kase.status.code !== "blocked";
  const items = steps.filter(([c]) => passed.has(c) || c === kase.step.code || !DETOURS.has(c));
  return `<ol class="progress" aria-label="流程进度">${items.map(([c, label]) => {
    const current = !closed && c === kase.step.code;
    const cls = current ? "current" : passed.has(c) ? "done" : "";
    return `<li class="${cls}"${current ? ' aria-current="step"' : ""}>${esc(label)}${cls === "done" ? '<span class="sr-only">（已完成）</span>' : ""}</li>`;
  }).join("")}<li class="${closed ? "done current" : ""}"${closed ? ' aria-current="step"' : ""}>${esc(closed ? kase.status.label : "结案")}</li></ol>`;
}

function decisionSchema(process, step, decision) {
  const s = process?.steps.find((x) => x.code === step);
  return s?.decisions.find((d) => d.code === decision)?.data_schema || null;
}

function taskHtml(task, process) {
  const p = `t-${task.id}`;
  const parties = task.countersign.length ? `<p>会签：${task.countersign.map((c) =>
    `${esc(c.role.label)} ${c.signed_by ? `✔ ${esc(c.signed_by)}（${esc(when(c.signed_at))}）` : "待签"}`).join("；")}</p>` : "";
  const radios = task.decisions.map((d, i) => `<label><input type="radio" name="decision" value="${esc(d.code)}"${i === 0 ? " checked" : ""}> ${esc(d.label)}</label>`).join("");
  return `<section class="task" aria-labelledby="${p}-h" data-task="${esc(task.id)}" data-step="${esc(task.step.code)}">
    <h3 id="${p}-h">${esc(task.step.label)} <span class="card card-${esc(task.card.code)}">${esc(task.card.label)}</span></h3>
    <p>办理人：${esc(task.candidate_roles.map((r) => r.label).join("、"))}${task.assignee ? `（指定 <span data-assignee="${esc(task.assignee)}">${esc(task.assignee)}</span>）` : ""}；期限：${esc(when(task.due_at))}${task.note ? `；${esc(task.note)}` : ""}</p>
    ${task.calendar_note ? `<p class="warn">${esc(task.calendar_note)}</p>` : ""}${parties}
    <form novalidate data-task="${esc(task.id)}">
      <fieldset class="radios"><legend>决定</legend>${radios}</fieldset>
      <div class="data-fields"></div>
      <div class="field" data-field="comment"><label for="${p}-comment">意见</label><textarea id="${p}-comment" name="comment" aria-describedby="${p}-comment-error"></textarea>
        <p class="field-error" id="${p}-comment-error" aria-live="polite"></p></div>
      <div class="problem-slot"></div>
      <button type="submit">提交决定</button>
    </form>${reassignHtml(task)}</section>`;
}

function wireTask(section, kase, process, reload) {
  const form = section.querySelector("form");
  const taskId = form.dataset.task;
  const chosen = () => form.querySelector('input[name="decision"]:checked')?.value;
  const drawFields = () => {
    form.querySelector(".data-fields").innerHTML = fieldsHtml(decisionSchema(process, section.dataset.step, chosen()), `t-${taskId}`);
  };
  form.querySelectorAll('input[name="decision"]').forEach((r) => r.addEventListener("change", drawFields));
  drawFields();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const decision = chosen();
    const schema = decisionSchema(process, section.dataset.step, decision);
    const { data, errors } = readData(form, schema);
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    showErrors(form, errors);
    if (Object.keys(errors).length) { say("请先更正标出的字段"); return; }
    const comment = form.elements.namedItem("comment").value.trim();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await api("POST", `/cases/${encodeURIComponent(kase.id)}/tasks/${encodeURIComponent(taskId)}/decisions`,
        { decision, data, ...(comment ? { comment } : {}) });
      say("已提交");
      await reload();
    } catch (err) {
      button.disabled = false;
      const named = err instanceof ApiError ? problemFields(form, err.problem) : {};
      showErrors(form, named);
      if (!Object.keys(named).length) slot.innerHTML = problemHtml(err);
      say("提交未成功");
    }
  });
}

const ENTRY_KINDS = { step: "进入环节", decision: "决定", system: "系统处理", timer: "期限提醒", rejected: "被拒绝的操作", correction: "更正", archive: "历史归档" };

export function timelineHtml(entries) {
  if (!entries.length) return "<p>暂无记录。</p>";
  return `<div class="table-wrap"><table class="stack" id="timeline"><thead><tr><th scope="col">#</th><th scope="col">时间</th><th scope="col">人员</th>
    <th scope="col">角色</th><th scope="col">单位</th><th scope="col">环节</th><th scope="col">事项</th><th scope="col">意见</th><th scope="col">数据</th></tr></thead><tbody>
    ${entries.map((e) => `<tr data-kind="${esc(e.kind)}"${e.withdrawn_by ? ' class="hint"' : ""}>
      <td data-label="#">${e.seq}</td><td data-label="时间">${esc(when(e.at))}</td><td data-label="人员">${esc(e.actor.name || e.actor.subject)}</td>
      <td data-label="角色">${esc(e.actor.role?.label || "")}</td><td data-label="单位">${esc(e.actor.organisation || "")}</td>
      <td data-label="环节">${esc(e.step?.label || "")}</td><td data-label="事项">${esc(e.decision?.label || ENTRY_KINDS[e.kind] || e.kind)}${e.kind === "rejected" && e.decision ? "（被拒绝）" : ""}</td>
      <td data-label="意见">${esc(e.comment || "")}</td>
      <td data-label="数据" class="data">${Object.keys(e.data || {}).length ? esc(Object.entries(e.data).map(([k, v]) => `${k}=${k.endsWith("_fen") ? yuan(v) : JSON.stringify(v)}`).join("，")) : ""}</td></tr>`).join("")}
    </tbody></table></div>`;
}

export async function casePage(el, caseId) {
  const load = async () => {
    const [kase, catalogue, timeline] = await Promise.all([
      api("GET", `/cases/${encodeURIComponent(caseId)}`), processCatalogue(), api("GET", `/cases/${encodeURIComponent(caseId)}/timeline`),
    ]);
    const process = catalogue.find((p) => p.kind === kase.process);
    const notice = kase.process === "fund-emergency" && kase.facts.public_notice ? `<p><a href="#/notice/${encodeURIComponent(kase.id)}">查看公示与分摊</a></p>` : "";
    el.innerHTML = `<h1>${esc(kase.title)}</h1>
      <p>${esc(kase.kind.label)} · 编号 ${esc(kase.id)} · 状态 <strong id="case-status" data-code="${esc(kase.status.code)}">${esc(kase.status.label)}</strong>
        · 当前环节 <strong id="case-step">${esc(kase.step.label)}</strong> · 发起人 ${esc(kase.initiator.name || "")}</p>
      ${progressHtml(process, kase)}
      <h2>案件信息</h2>${factsHtml(kase.facts, kase.process)}${notice}
      <h2>待办任务</h2>${kase.open_tasks.length ? kase.open_tasks.map((t) => taskHtml(t, process)).join("") : "<p>没有待办任务。</p>"}
      ${withdrawHtml(kase)}<div id="whistle-slot"></div>
      <h2>办理记录</h2>${timelineHtml(timeline)}`;
    for (const section of el.querySelectorAll("section.task[data-step]")) { wireTask(section, kase, process, load); wireReassign(section, kase, load); }
    wireWithdraw(el, kase, load);
    if (kase.process === "ticket") await drawWhistle(el.querySelector("#whistle-slot"), kase, load);
  };
  await load();
}
export { taskHtml, wireTask };
