// 撤回 and 转办 on the case page. Each control is drawn only for whom the API allows it (the case's
// initiator; the roles a task names as its supervisors), and the API's refusal appears next to its button.

import { api, esc, problemHtml, say, session } from "./api.js";

const OPEN = new Set(["active", "blocked"]);

function holds(roles) {
  const mine = new Set((session.me()?.roles || []).map((r) => r.code));
  return roles.some((r) => mine.has(r.code));
}

/** A small form: labelled fields, a button, and a slot for the server's answer right after the button. */
export function actionForm(id, fields, button) {
  return `<form novalidate id="${id}-form" class="action">
    ${fields.map(([name, label, input]) => `<div class="field" data-field="${name}"><label for="${id}-${name}">${label}</label>${input(`id="${id}-${name}" name="${name}" aria-describedby="${id}-${name}-error"`)}
      <p class="field-error" id="${id}-${name}-error" aria-live="polite"></p></div>`).join("")}
    <button type="submit" class="secondary" aria-describedby="${id}-answer">${button}</button>
    <div class="problem-slot" id="${id}-answer" aria-live="polite"></div>
  </form>`;
}

/**
 * Wire a form drawn by ``actionForm``: every named field is required (``missing`` says so in Chinese),
 * ``send`` posts the values; success reloads the page, a refusal is shown next to the button.
 */
export function wireAction(form, missing, send, done, reload) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    const values = {};
    let ok = true;
    for (const [name, text] of Object.entries(missing)) {
      const input = form.elements.namedItem(name);
      values[name] = input.value.trim();
      const error = form.querySelector(`#${input.id}-error`);
      error.textContent = values[name] ? "" : text;
      input.setAttribute("aria-invalid", values[name] ? "false" : "true");
      if (!values[name] && ok) { input.focus(); ok = false; }
    }
    if (!ok) { say("请先更正标出的字段"); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await send(values);
      say(done);
      await reload();
    } catch (err) {
      button.disabled = false;
      slot.innerHTML = problemHtml(err);
      say("操作未成功");
      button.focus();
    }
  });
}

const textarea = (attrs) => `<textarea ${attrs}></textarea>`;
const text = (attrs) => `<input type="text" autocomplete="off" ${attrs}>`;

/** 撤回: for the case's initiator while it is open (the server also refuses once someone has acted). */
export function withdrawHtml(kase) {
  const me = session.me();
  if (!me || !OPEN.has(kase.status.code) || kase.initiator?.subject !== me.subject) return "";
  return `<section class="task" aria-labelledby="withdraw-h" id="withdraw">
    <h3 id="withdraw-h">撤回案件</h3>
    <p class="hint">您是本案发起人。在其他人办理之前可以撤回；撤回后流程结束。</p>
    ${actionForm("withdraw", [["reason", "撤回理由", textarea]], "撤回案件")}</section>`;
}

export function wireWithdraw(el, kase, reload) {
  const form = el.querySelector("#withdraw-form");
  if (!form) return;
  wireAction(form, { reason: "请填写撤回理由" },
    ({ reason }) => api("POST", `/cases/${encodeURIComponent(kase.id)}/withdraw`, { reason }), "案件已撤回", reload);
}

/** 转办: for the roles the task names as its supervisors (none for a personal task). */
export function reassignHtml(task) {
  if (!task.supervisors?.length || !holds(task.supervisors)) return "";
  const p = `ra-${task.id}`;
  return `<details class="reassign"><summary>转办（${esc(task.supervisors.map((r) => r.label).join("、"))}）</summary>
    ${actionForm(p, [["assignee", "转办给（办理人账号）", text], ["reason", "转办理由", textarea]], "转办")}</details>`;
}

export function wireReassign(section, kase, reload) {
  const form = section.querySelector("details.reassign form");
  if (!form) return;
  const taskId = section.dataset.task;
  wireAction(form, { assignee: "请填写办理人账号", reason: "请填写转办理由" },
    (body) => api("POST", `/cases/${encodeURIComponent(kase.id)}/tasks/${encodeURIComponent(taskId)}/assignee`, body), "已转办", reload);
}
