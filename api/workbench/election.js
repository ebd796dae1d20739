// 业委会选举 for an owner (on a phone as much as on a desk): the candidates, my electronic ballot
// (POST /cases/owners-election/{id}/ballots/electronic) and each of my units' receipt
// (GET /cases/owners-election/{id}/ballots/{household_id}, whose choices only the unit's owner reads).

import { ApiError, api, esc, problemHtml, say, when } from "./api.js";
import { showErrors } from "./schema-form.js";

const PATH = "/cases/owners-election";

/** My units' receipts; a unit not on this election's roll (or no voting yet) has none. */
async function receipts(caseId, units) {
  const out = [];
  for (const u of units) {
    try {
      out.push(await api("GET", `${PATH}/${encodeURIComponent(caseId)}/ballots/${encodeURIComponent(u.household_id)}`));
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 404) throw err;
    }
  }
  return out;
}

function receiptsHtml(list, names) {
  if (!list.length) return "<p>您的房屋不在本次选举的投票名册中，或投票尚未开始。</p>";
  return `<div class="table-wrap"><table class="stack" id="receipts"><thead><tr><th scope="col">房屋</th><th scope="col">状态</th>
    <th scope="col">方式</th><th scope="col">时间</th><th scope="col">回执编号</th><th scope="col">我的选择</th></tr></thead><tbody>
    ${list.map((r) => `<tr data-household="${esc(r.household_id)}" data-recorded="${r.recorded}"><td data-label="房屋">${esc(r.household_id)}</td>
      <td data-label="状态">${r.recorded ? "已计入" : "未投票"}</td><td data-label="方式">${esc(r.channel?.label || "—")}</td>
      <td data-label="时间">${esc(when(r.cast_at))}</td><td data-label="回执编号" class="receipt">${esc(r.receipt || "—")}</td>
      <td data-label="我的选择">${r.choices ? esc(r.choices.map((c) => names[c] || c).join("、") || "（空白票）") : "—"}</td></tr>`).join("")}
    </tbody></table></div>`;
}

function candidatesHtml(candidates) {
  if (!candidates.length) return "<p>尚无候选人。</p>";
  return `<ol id="candidates">${candidates.map((c) => `<li data-candidate="${esc(c.id)}"><strong>${esc(c.name)}</strong>
    ${c.party_member ? "（中共党员）" : ""} · ${esc(c.channel_label || "")} · ${esc(c.status_label || "")}
    ${c.statement ? `<br><span class="hint">${esc(c.statement)}</span>` : ""}</li>`).join("")}</ol>`;
}

function ballotHtml(qualified, seats) {
  return `<form id="ballot-form" novalidate>
    <fieldset class="checks" data-field="choices" aria-describedby="ballot-choices-error"><legend>选择候选人（最多 ${seats} 名）</legend>
      ${qualified.map((c) => `<label><input type="checkbox" name="choices" value="${esc(c.id)}"> ${esc(c.name)}</label>`).join("")}
      <p class="field-error" id="ballot-choices-error" aria-live="polite"></p></fieldset>
    <div class="problem-slot"></div>
    <button type="submit">投票</button></form>`;
}

const OBJECTION_KINDS = [["identity", "业主身份异议"], ["vote_weight", "投票权数异议"], ["candidate", "候选人异议"], ["other", "其他异议"]];

/** 候选人公告期内的异议 (山东 Art. 22): identity, vote weight, a candidate; the street office answers it. */
function objectionHtml(units) {
  return `<h2>对公告提出异议</h2><form id="election-objection" novalidate>
    <div class="field" data-field="kind"><label for="eo-kind">异议类型</label><select id="eo-kind" name="kind" aria-describedby="eo-kind-error">
      ${OBJECTION_KINDS.map(([c, l]) => `<option value="${c}">${l}</option>`).join("")}</select><p class="field-error" id="eo-kind-error" aria-live="polite"></p></div>
    <div class="field" data-field="household_id"><label for="eo-household_id">涉及的房屋</label><select id="eo-household_id" name="household_id" aria-describedby="eo-household_id-error">
      <option value="">（不涉及具体房屋）</option>${units.map((u) => `<option value="${esc(u.household_id)}">${esc(u.room)}（${esc(u.household_id)}）</option>`).join("")}</select>
      <p class="field-error" id="eo-household_id-error" aria-live="polite"></p></div>
    <div class="field" data-field="text"><label for="eo-text">异议内容</label><textarea id="eo-text" name="text" aria-describedby="eo-text-error"></textarea>
      <p class="field-error" id="eo-text-error" aria-live="polite"></p></div>
    <div class="problem-slot"></div><button type="submit">提交异议</button></form><div id="election-objection-result" aria-live="polite"></div>`;
}

function wireObjection(el, caseId) {
  const form = el.querySelector("#election-objection");
  form?.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const v = (n) => form.elements.namedItem(n).value.trim();
    showErrors(form, v("text").length < 2 ? { text: "异议内容至少 2 个字" } : {});
    if (v("text").length < 2) return;
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    try {
      await api("POST", `${PATH}/${encodeURIComponent(caseId)}/objections`, { kind: v("kind"), household_id: v("household_id") || null, text: v("text") });
      form.remove();
      el.querySelector("#election-objection-result").innerHTML = '<p class="ok" role="status">异议已提交，街道办事处将复核答复；答复前不开始投票。</p>';
    } catch (err) {
      slot.innerHTML = problemHtml(err);
    }
  });
}

export async function electionPage(el, caseId) {
  const [kase, units] = await Promise.all([api("GET", `${PATH}/${encodeURIComponent(caseId)}`), api("GET", "/me/units")]);
  const facts = kase.facts || {};
  const candidates = facts.candidates || [];
  const names = Object.fromEntries(candidates.map((c) => [c.id, c.name]));
  const qualified = candidates.filter((c) => c.status === "qualified");
  const seats = facts.seats || qualified.length;
  const attempt = (facts.attempts || []).at(-1);
  const mine = await receipts(caseId, units);
  const voting = kase.step.code === "voting" && kase.status.code === "active";
  const unvoted = mine.filter((r) => !r.recorded);
  el.innerHTML = `<h1>${esc(kase.title)}</h1>
    <p>当前环节 <strong id="election-step">${esc(kase.step.label)}</strong> · ${esc(kase.status.label)}
      ${attempt?.voting_end ? ` · 投票截止 ${esc(when(attempt.voting_end))}` : ""}</p>
    <h2>候选人</h2>${candidatesHtml(candidates)}
    <h2>我的电子投票</h2>
    <div id="ballot">${voting && unvoted.length && qualified.length ? ballotHtml(qualified, seats)
      : `<p>${voting ? (mine.length ? "您的房屋均已投票。" : "您的房屋不在本次选举的投票名册中。") : "目前不在投票期。"}</p>`}</div>
    <h2>我的投票回执</h2><div id="receipt-list" aria-live="polite">${receiptsHtml(mine, names)}</div>
    ${kase.step.code === "candidate_notice" && kase.status.code === "active" ? objectionHtml(units) : ""}`;
  wireObjection(el, caseId);
  const form = el.querySelector("#ballot-form");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const choices = [...form.querySelectorAll('input[name="choices"]:checked')].map((i) => i.value);
    const out = form.querySelector("#ballot-choices-error");
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    out.textContent = choices.length > seats ? `最多选择 ${seats} 名候选人，您选了 ${choices.length} 名` : "";
    showErrors(form, {});
    if (choices.length > seats) { form.querySelector("input").focus(); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const batch = await api("POST", `${PATH}/${encodeURIComponent(caseId)}/ballots/electronic`,
        { choices, household_ids: unvoted.map((r) => r.household_id) });
      say(`投票已计入（${batch.accepted} 户）`);
      el.querySelector("#ballot").innerHTML = `<p class="ok" role="status" id="ballot-done">投票已计入 ${batch.accepted} 户，请保存回执编号以便核对。</p>`;
      el.querySelector("#receipt-list").innerHTML = receiptsHtml(await receipts(caseId, units), names);
    } catch (err) {
      button.disabled = false;
      slot.innerHTML = problemHtml(err);
    }
  });
}
