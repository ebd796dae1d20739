// 报告应急维修: start a fund case with the estate, building and unit chosen from lists.

import { ApiError, api, esc, problemHtml, say } from "./api.js";
import { problemFields, showErrors } from "./schema-form.js";

// The emergency situations of 淄博 Art. 66, 聊城 Art. 50, 滨州 Art. 42 (domain/fund_emergency.py).
const CATEGORIES = [
  ["elevator_failure", "电梯故障需立即维修"], ["roof_waterproofing", "屋面、外墙防水严重损坏"],
  ["fire_system_failure", "消防设施故障"], ["facade_falling", "外墙饰面、构件松动脱落"],
  ["curtain_wall_shattered", "玻璃幕墙炸裂"], ["drainage_burst", "排水管道爆裂、坍塌或堵塞"],
  ["garage_flooding", "地下车库雨水倒灌"], ["other_danger", "其他危及房屋或人身安全的情形"],
];

const field = (id, label, input) => `<div class="field" data-field="${id}"><label for="s-${id}">${label}</label>${input}
  <p class="field-error" id="s-${id}-error" aria-live="polite"></p></div>`;

export async function startPage(el) {
  const estates = await api("GET", "/estates");
  el.innerHTML = `<h1>报告应急维修</h1>
    <p class="hint">维修资金应急使用：报告后由业主代表、业委会和物业公司现场联合核实。</p>
    <form id="start-form" novalidate>
      ${field("estate_id", "小区", `<select id="s-estate_id" name="estate_id" aria-describedby="s-estate_id-error"><option value="">请选择小区</option>
        ${estates.map((e) => `<option value="${esc(e.id)}">${esc(e.name)}（${esc(e.id)}）</option>`).join("")}</select>`)}
      <fieldset class="radios"><legend>受益范围</legend>
        <label><input type="radio" name="scope" value="estate" checked> 整个小区</label>
        <label><input type="radio" name="scope" value="building"> 楼栋</label>
        <label><input type="radio" name="scope" value="unit"> 单元</label></fieldset>
      ${field("building", "所在楼栋", `<select id="s-building" name="building" aria-describedby="s-building-error" disabled><option value="">请先选择小区</option></select>`)}
      ${field("unit", "所在单元", `<select id="s-unit" name="unit" aria-describedby="s-unit-error" disabled><option value="">请先选择楼栋</option></select>`)}
      ${field("category", "紧急情形", `<select id="s-category" name="category" aria-describedby="s-category-error"><option value="">请选择</option>
        ${CATEGORIES.map(([c, l]) => `<option value="${c}">${esc(l)}</option>`).join("")}</select>`)}
      ${field("description", "情况说明", `<textarea id="s-description" name="description" aria-describedby="s-description-error"></textarea>`)}
      <div class="problem-slot"></div>
      <button type="submit">提交报告</button>
    </form>`;
  const form = el.querySelector("#start-form");
  let estate = null;
  const building = form.elements.namedItem("building");
  const unit = form.elements.namedItem("unit");
  const fillUnits = () => {
    const b = estate?.buildings.find((x) => x.id === building.value);
    unit.innerHTML = `<option value="">请选择单元</option>${(b?.units || []).map((u) => `<option value="${esc(u.id)}">${esc(u.name)}</option>`).join("")}`;
    unit.disabled = !b;
  };
  form.elements.namedItem("estate_id").addEventListener("change", async (ev) => {
    estate = ev.target.value ? await api("GET", `/estates/${encodeURIComponent(ev.target.value)}`) : null;
    building.innerHTML = `<option value="">请选择楼栋</option>${(estate?.buildings || []).map((b) => `<option value="${esc(b.id)}">${esc(b.name)}</option>`).join("")}`;
    building.disabled = !estate;
    fillUnits();
  });
  building.addEventListener("change", fillUnits);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const scope = form.querySelector('input[name="scope"]:checked').value;
    const v = (n) => form.elements.namedItem(n).value.trim();
    const errors = {};
    if (!v("estate_id")) errors.estate_id = "请选择小区";
    if (scope !== "estate" && !v("building")) errors.building = "请选择楼栋";
    if (scope === "unit" && !v("unit")) errors.unit = "请选择单元";
    if (!v("category")) errors.category = "请选择紧急情形";
    if (v("description").length < 5) errors.description = "情况说明至少 5 个字";
    showErrors(form, errors);
    if (Object.keys(errors).length) return;
    const body = { estate_id: v("estate_id"), category: v("category"), scope, description: v("description") };
    if (scope === "building") body.scope_id = v("building");
    if (scope === "unit") body.scope_id = v("unit");
    const slot = form.querySelector(".problem-slot");
    slot.innerHTML = "";
    try {
      const kase = await api("POST", "/cases/fund-emergency", body);
      say(`已立案：${kase.id}`);
      location.hash = `#/case/${encodeURIComponent(kase.id)}`;
    } catch (err) {
      const named = err instanceof ApiError ? problemFields(form, err.problem) : {};
      if (named.scope_id) named[scope === "unit" ? "unit" : "building"] = named.scope_id;
      showErrors(form, named);
      slot.innerHTML = problemHtml(err);
    }
  });
}
