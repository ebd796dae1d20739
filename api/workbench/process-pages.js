// What the election's and the tender's pages share: a start form's field, the estate list, a list of
// cases, and the process's steps drawn as a progress line.

import { esc, when } from "./api.js";

/** A labelled field with its error line (read out when it changes). */
export const startField = (id, label, input) => `<div class="field" data-field="${id}"><label for="s-${id}">${label}</label>${input}
  <p class="field-error" id="s-${id}-error" aria-live="polite"></p></div>`;

export const estateOptions = (estates) => `<option value="">请选择小区</option>
  ${estates.map((e) => `<option value="${esc(e.id)}">${esc(e.name)}（${esc(e.id)}）</option>`).join("")}`;

/** Cases of one process, each linking to its page. */
export function casesTable(items, href, id, noun) {
  if (!items.length) return `<p>暂无${noun}。</p>`;
  return `<div class="table-wrap"><table class="stack" id="${id}"><caption class="sr-only">${noun}列表</caption>
    <thead><tr><th scope="col">${noun}</th><th scope="col">当前环节</th><th scope="col">状态</th><th scope="col">发起时间</th></tr></thead><tbody>
    ${items.map((c) => `<tr data-case="${esc(c.id)}"><td data-label="${noun}"><a href="${href(c)}">${esc(c.title)}</a><br><span class="hint">${esc(c.id)}</span></td>
      <td data-label="当前环节">${esc(c.step.label)}</td><td data-label="状态">${esc(c.status.label)}</td>
      <td data-label="发起时间">${esc(when(c.created_at))}</td></tr>`).join("")}</tbody></table></div>`;
}

// The usual path of each process (domain/election.py, domain/tender.py); other steps show once visited.
const MAIN_PATHS = {
  "owners-election": [["group_formation", "组建筹备组（换届小组）"], ["group_publication", "筹备组名单公告"], ["nomination", "候选人推荐"],
    ["qualification_review", "候选人资格审查"], ["candidate_notice", "候选人及会议公告"], ["voting", "投票表决"], ["tally", "计票"],
    ["first_meeting", "业委会首次会议"], ["filing", "业委会备案"], ["certificate", "核发备案证明"]],
  tender: [["bidding", "招标公告及投标"], ["bid_opening", "开标"], ["expert_draw", "抽取评标专家"], ["evaluation", "评标"],
    ["publicity", "中标候选人公示"], ["award", "确定中标人"], ["contract", "签订物业服务合同"]],
};

// The API's tie rules (domain/tally.py, domain/tender.py) as the page says them.
export const TIE_RULES = {
  "area desc, then headcount desc, then nomination order (earlier nomination first)": "得票面积多者在前；面积相同的，得票人数多者在前；仍相同的，先推荐者在前",
  "equal standing: lower price first, then the earlier registered bid": "得分相同的，报价低者在前；报价相同的，先登记投标者在前",
};

/** The usual steps with those passed marked, detours the case went through, the current one, and 结案. */
export function progressLine(process, kase) {
  const visited = new Set(kase.tasks.map((t) => t.step.code));
  const labels = Object.fromEntries((process?.steps || []).map((s) => [s.code, s.label]));
  const main = MAIN_PATHS[kase.process] || [];
  const steps = [...main];
  if (!main.some(([c]) => c === kase.step.code)) steps.push([kase.step.code, kase.step.label]);
  for (const code of visited) if (!steps.some(([c]) => c === code)) steps.push([code, labels[code] || code]);
  const at = steps.findIndex(([c]) => c === kase.step.code);
  const closed = kase.status.code !== "active" && kase.status.code !== "blocked";
  return `<ol class="progress" aria-label="流程进度">${steps.map(([code, label], i) => {
    const current = !closed && i === at;
    const cls = current ? "current" : closed || i < at || (visited.has(code) && !kase.open_tasks.some((t) => t.step.code === code)) ? "done" : "";
    return `<li class="${cls}"${current ? ' aria-current="step"' : ""}>${esc(label)}${cls === "done" ? '<span class="sr-only">（已完成）</span>' : ""}</li>`;
  }).join("")}<li class="${closed ? "done current" : ""}"${closed ? ' aria-current="step"' : ""}>${esc(closed ? kase.status.label : "结案")}</li></ol>`;
}
