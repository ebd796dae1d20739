// 待办: my open tasks, counts by card, filters, sorted by urgency; a task opens its case.

import { api, esc, processCatalogue, when } from "./api.js";

const PAGE = 500;
const RANK = { red: 0, yellow: 1, none: 2 };

/** Red before yellow before the rest; then the soonest due; undated last. */
export function byUrgency(a, b) {
  const r = (RANK[a.card.code] ?? 3) - (RANK[b.card.code] ?? 3);
  if (r) return r;
  const da = a.due_at ? Date.parse(a.due_at) : Infinity;
  const db = b.due_at ? Date.parse(b.due_at) : Infinity;
  return da - db || a.case_id.localeCompare(b.case_id);
}

// Filtered by the server (GET /inbox's own parameters); the card and the text filter the rows drawn.
const SERVER_FILTERS = ["process", "street", "estate_id"];

async function allTasks(only) {
  const out = [];
  for (let offset = 0; offset < 5000; offset += PAGE) {
    const page = await api("GET", `/inbox?limit=${PAGE}&offset=${offset}${only.size ? `&${only}` : ""}`);
    out.push(...page);
    if (page.length < PAGE) break;
  }
  return out;
}

function rowHtml(t, labels) {
  return `<tr data-case="${esc(t.case_id)}" data-card="${esc(t.card.code)}">
    <td data-label="流程">${esc(labels[t.kind] || t.kind)}</td>
    <td data-label="案件"><a href="#/case/${encodeURIComponent(t.case_id)}">${esc(t.case_title)}</a><br><span class="hint">${esc(t.case_id)}</span></td>
    <td data-label="环节">${esc(t.step.label)}</td>
    <td data-label="我的角色">${esc(t.role.label)}</td>
    <td data-label="期限">${when(t.due_at)}${t.calendar_published ? "" : ' <span class="hint">（暂按周一至周五计算）</span>'}</td>
    <td data-label="警示"><span class="card card-${esc(t.card.code)}">${esc(t.card.label)}</span>${t.escalated ? ' <span class="card card-red">已升级</span>' : ""}</td>
  </tr>`;
}

export async function inboxPage(el) {
  const started = performance.now();
  const asked = new URLSearchParams(location.hash.split("?")[1] || "");
  const only = new URLSearchParams(SERVER_FILTERS.filter((k) => asked.get(k)).map((k) => [k, asked.get(k)]));
  const [tasks, catalogue, allEstates, streets] = await Promise.all([
    allTasks(only), processCatalogue(), api("GET", "/estates"), api("GET", "/streets"),
  ]);
  const fetched = performance.now();
  const labels = Object.fromEntries(catalogue.map((p) => [p.kind, p.label]));
  tasks.sort(byUrgency);
  const count = (code) => tasks.filter((t) => t.card.code === code).length;
  const estate = only.get("estate_id") || "";
  const street = only.get("street") || "";
  // With a street chosen, its estates only.
  const estates = street ? allEstates.filter((e) => e.street_id === street) : allEstates;
  const choices = estates.some((e) => e.id === estate) || !estate ? estates : [...estates, { id: estate, name: estate }];
  const streetChoices = streets.some((x) => x.id === street) || !street ? streets : [...streets, { id: street, name: street }];
  const selected = (a, b) => (a === b ? " selected" : "");
  el.innerHTML = `<h1>待办</h1>
    <ul class="counts" aria-label="按警示牌统计">
      <li>共 <strong id="count-all">${tasks.length}</strong> 件</li>
      <li><span class="card card-red">红牌超期</span> <strong id="count-red">${count("red")}</strong></li>
      <li><span class="card card-yellow">黄牌预警</span> <strong id="count-yellow">${count("yellow")}</strong></li>
      <li><span class="card card-none">正常</span> <strong id="count-none">${count("none")}</strong></li>
    </ul>
    <form class="filters" id="filters" role="search" aria-label="筛选待办">
      <div><label for="f-kind">流程</label><select id="f-kind" name="process"><option value="">全部</option>
        ${catalogue.map((p) => `<option value="${esc(p.kind)}"${selected(p.kind, only.get("process"))}>${esc(p.label)}</option>`).join("")}</select></div>
      <div><label for="f-street">镇街</label><select id="f-street" name="street"><option value="">全部</option>
        ${streetChoices.map((x) => `<option value="${esc(x.id)}"${selected(x.id, street)}>${esc(x.name)}</option>`).join("")}</select></div>
      <div><label for="f-estate">小区</label><select id="f-estate" name="estate_id"><option value="">全部</option>
        ${choices.map((e) => `<option value="${esc(e.id)}"${selected(e.id, estate)}>${esc(e.name)}</option>`).join("")}</select></div>
      <div><label for="f-card">警示牌</label><select id="f-card"><option value="">全部</option>
        <option value="red">红牌超期</option><option value="yellow">黄牌预警</option><option value="none">正常</option></select></div>
      <div><label for="f-text">案件标题或编号</label><input id="f-text" type="search"></div>
    </form>
    <p id="shown" class="hint" aria-live="polite"></p>
    <div class="table-wrap"><table class="stack" id="inbox-table"><caption class="hint">按紧急程度排序：红牌、黄牌、期限最近者在前</caption>
      <thead><tr><th scope="col">流程</th><th scope="col">案件</th><th scope="col">环节</th><th scope="col">我的角色</th><th scope="col">期限</th><th scope="col">警示</th></tr></thead>
      <tbody></tbody></table></div>`;
  const body = el.querySelector("tbody");
  const render = () => {
    const card = el.querySelector("#f-card").value;
    const text = el.querySelector("#f-text").value.trim();
    const shown = tasks.filter((t) => (!card || t.card.code === card)
      && (!text || t.case_title.includes(text) || t.case_id.includes(text)));
    body.innerHTML = shown.length ? shown.map((t) => rowHtml(t, labels)).join("") : '<tr><td colspan="6">没有待办事项。</td></tr>';
    el.querySelector("#shown").textContent = `显示 ${shown.length} / ${tasks.length} 件`;
  };
  el.querySelector("#filters").addEventListener("input", (ev) => {
    if (!SERVER_FILTERS.includes(ev.target.name)) { render(); return; }
    // The process, the street and the estate are asked of the server; the address keeps them (a bookmark, the back button).
    const q = new URLSearchParams();
    for (const name of SERVER_FILTERS) { const v = el.querySelector(`[name="${name}"]`).value; if (v) q.set(name, v); }
    // Another street: its estates differ, so the estate chosen in the old one no longer applies.
    if (ev.target.name === "street") q.delete("estate_id");
    location.hash = `#/inbox${q.size ? `?${q}` : ""}`;
  });
  el.querySelector("#filters").addEventListener("submit", (e) => e.preventDefault());
  render();
  // Read by the browser tests: how long fetching and drawing this inbox took.
  el.dataset.fetchMs = String(Math.round(fetched - started));
  el.dataset.renderMs = String(Math.round(performance.now() - fetched));
}
