// A decision form built from the JSON Schema of the decision's data (GET /processes), checked in
// Chinese before sending; the server's problem is shown next to the field it names.

import { esc, toFen } from "./api.js";

// Chinese labels for the data fields the processes use; a field not listed shows its schema title.
const FIELD_LABELS = {
  amount_fen: "金额（元）",
  approved_amount_fen: "审定金额（元）",
  contractor: "施工单位",
  items: "项目明细",
  reasons: "理由",
  certificate: "验收单编号",
  acceptance_certificate: "验收单编号",
  comment: "意见",
  reached: "已联系到来电人",
  remark: "回访记录",
  working_days: "延期工作日",
  reason: "理由",
  lead_unit_id: "承办单位编号",
  co_unit_ids: "协办单位编号",
  // 业委会选举换届 and 招标 (domain/election.py, domain/tender.py)
  members: "筹备组成员",
  seats: "业委会委员人数",
  term_years: "任期（年）",
  notice: "公告方式",
  rejections: "资格审查未通过的候选人",
  party_member_justification: "党员比例不足的说明",
  justification: "说明",
  held_on: "会议日期",
  chair: "业委会主任",
  vice_chairs: "业委会副主任",
  documents: "备案材料",
  certificate_no: "备案证明编号",
  bid_deadline: "投标截止时间",
  company_id: "企业编号",
  scores: "评分（每行：企业编号=分数）",
  contract_no: "合同编号",
  name: "姓名",
  role: "身份",
  household_id: "房屋编号",
  leader: "组长",
  candidate_id: "候选人编号",
};

// Chinese names of enumerated values; the value sent stays the code.
const ENUM_LABELS = {
  street_rep: "街道代表", owner: "业主", party_org: "社区党组织", residents_committee: "居民委员会",
  developer: "建设单位", property_company: "物业服务企业",
};

let defs = {};

/** A `$ref` into the schema's `$defs`, resolved. */
function deref(prop) {
  const name = prop?.$ref?.split("/").pop();
  return name && defs[name] ? { ...defs[name], ...prop, $ref: undefined } : prop;
}

/** The plain type of a property, looking through pydantic's `anyOf [X, null]` and `$ref`s. */
function plain(raw) {
  const prop = deref(raw);
  if (prop.anyOf) {
    const inner = deref(prop.anyOf.find((p) => p.type !== "null"));
    return { ...inner, ...prop, anyOf: undefined, type: inner?.type, nullable: true };
  }
  return prop;
}

/** An array whose items are objects (a list of rows: group members, rejections). */
function rowsOf(prop) {
  const item = prop.type === "array" && prop.items ? plain(prop.items) : null;
  return item?.type === "object" && item.properties ? item : null;
}

function inputHtml(name, prop, common) {
  if (prop.enum) {
    return `<select ${common}><option value="">请选择</option>${prop.enum.map((v) => `<option value="${esc(v)}">${esc(ENUM_LABELS[v] || v)}</option>`).join("")}</select>`;
  }
  if (prop.type === "boolean") return `<input type="checkbox" ${common}${prop.default === true ? " checked" : ""}>`;
  if (name.endsWith("_fen")) return `<input type="text" inputmode="decimal" autocomplete="off" ${common}>`;
  if (prop.type === "integer" || prop.type === "number") return `<input type="text" inputmode="numeric" ${common}>`;
  if (prop.format === "date") return `<input type="date" ${common}>`;
  if (prop.format === "date-time") return `<input type="datetime-local" ${common}>`;
  if (prop.type === "array" || prop.type === "object") return `<textarea ${common} placeholder="每行一项"></textarea>`;
  if ((prop.maxLength || 0) > 200) return `<textarea ${common}></textarea>`;
  return `<input type="text" ${common}>`;
}

/** One row of a list of objects: each cell labelled with the row's number and the column. */
function rowHtml(name, item, prefix, n) {
  const required = new Set(item.required || []);
  const cells = Object.entries(item.properties).map(([sub, raw]) => {
    const prop = plain(raw);
    const id = `${prefix}-${name}-${n}-${sub}`;
    return `<label for="${id}" class="cell">${esc(fieldLabel(sub, prop))}${required.has(sub) ? ' <span aria-hidden="true">*</span>' : ""}
      ${inputHtml(sub, prop, `id="${id}" name="${name}.${sub}" aria-label="第 ${n + 1} 行 ${esc(fieldLabel(sub, prop))}"`)}</label>`;
  }).join("");
  return `<fieldset class="row" data-row="${n}"><legend>第 ${n + 1} 行</legend>${cells}</fieldset>`;
}

function rowsHtml(name, item, prefix, label, required) {
  const first = required ? rowHtml(name, item, prefix, 0) : "";
  return `<div class="field" data-field="${name}"><fieldset class="rows" id="${prefix}-${name}" aria-describedby="${prefix}-${name}-error"
      data-prefix="${esc(prefix)}"><legend>${label}</legend><div class="row-list">${first}</div>
    <button type="button" class="secondary" data-add-row="${name}">添加一行</button></fieldset>
    <p class="field-error" id="${prefix}-${name}-error" aria-live="polite"></p></div>`;
}

let current = null;

// "添加一行" of any generated form: one listener for every page (the forms are drawn as HTML).
document.addEventListener("click", (ev) => {
  const button = ev.target.closest?.("button[data-add-row]");
  if (!button || !current) return;
  const box = button.closest("fieldset.rows");
  const list = box.querySelector(".row-list");
  const name = button.dataset.addRow;
  const entry = current[box.id];
  if (!entry) return;
  defs = entry.defs;
  list.insertAdjacentHTML("beforeend", rowHtml(name, entry.item, box.dataset.prefix, list.children.length));
  list.lastElementChild.querySelector("input, select, textarea")?.focus();
});

export function fieldLabel(name, prop) {
  return FIELD_LABELS[name] || prop.description || prop.title || name;
}

/** The inputs of one decision's data; ``prefix`` keeps ids unique on a page with several tasks. */
export function fieldsHtml(schema, prefix) {
  if (!schema || !schema.properties) return "";
  defs = schema.$defs || {};
  current = current || {};
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const prop = plain(raw);
    const id = `${prefix}-${name}`;
    const label = `${esc(fieldLabel(name, prop))}${required.has(name) ? ' <span aria-hidden="true">*</span>' : ""}`;
    const item = rowsOf(prop);
    if (item) {
      current[id] = { item, defs };
      return rowsHtml(name, item, prefix, label, required.has(name));
    }
    const common = `id="${id}" name="${name}" aria-describedby="${id}-error"${required.has(name) ? ' aria-required="true"' : ""}`;
    const input = inputHtml(name, prop, common);
    return `<div class="field" data-field="${name}"><label for="${id}">${label}</label>${input}
      <p class="field-error" id="${id}-error" aria-live="polite"></p></div>`;
  }).join("");
}

/** Reads and checks the form's data against the schema: {data, errors: {field: 中文}}. */
export function readData(form, schema) {
  const data = {};
  const errors = {};
  if (!schema || !schema.properties) return { data, errors };
  defs = schema.$defs || {};
  const required = new Set(schema.required || []);
  for (const [name, raw] of Object.entries(schema.properties)) {
    const prop = plain(raw);
    const item = rowsOf(prop);
    if (item) {
      const { rows, error } = readRows(form, name, item);
      if (error) errors[name] = error;
      else if (!rows.length && required.has(name)) errors[name] = `请至少填写一行${fieldLabel(name, prop)}`;
      else data[name] = rows;
      continue;
    }
    const el = form.elements.namedItem(name);
    if (!el) continue;
    const label = fieldLabel(name, prop).replace(/（元）$/, "");
    if (prop.type === "boolean") { data[name] = el.checked; continue; }
    const text = el.value.trim();
    if (text === "") {
      if (required.has(name)) errors[name] = `请填写${label}`;
      continue;
    }
    let value = text;
    if (name.endsWith("_fen")) {
      value = toFen(text);
      if (value === null) { errors[name] = `${label}须为金额，最多两位小数，例如 42000.50`; continue; }
    } else if (prop.type === "integer") {
      if (!/^-?\d+$/.test(text)) { errors[name] = `${label}须为整数`; continue; }
      value = Number(text);
    } else if (prop.type === "number") {
      value = Number(text);
      if (Number.isNaN(value)) { errors[name] = `${label}须为数字`; continue; }
    } else if (prop.type === "array") {
      value = text.split("\n").map((s) => s.trim()).filter(Boolean);
    } else if (prop.type === "object") {
      const pairs = text.split("\n").map((s) => s.trim()).filter(Boolean).map((s) => s.split(/\s*[=＝:：]\s*/));
      if (pairs.some((pair) => pair.length !== 2 || !pair[0] || !/^-?\d+$/.test(pair[1]))) {
        errors[name] = `${label}每行须为“编号=整数”`;
        continue;
      }
      value = Object.fromEntries(pairs.map(([k, v]) => [k, Number(v)]));
    } else if (prop.format === "date-time") {
      // The city's time (Asia/Shanghai, no daylight saving): the wall time typed, with its offset.
      value = `${text.length === 16 ? `${text}:00` : text}+08:00`;
    }
    const unit = name.endsWith("_fen") ? 100 : 1;
    const shown = (n) => (unit === 100 ? `${n / 100} 元` : String(n));
    if (typeof value === "number") {
      if (prop.exclusiveMinimum !== undefined && !(value > prop.exclusiveMinimum)) errors[name] = `${label}须大于 ${shown(prop.exclusiveMinimum)}`;
      else if (prop.minimum !== undefined && value < prop.minimum) errors[name] = `${label}不得小于 ${shown(prop.minimum)}`;
      else if (prop.maximum !== undefined && value > prop.maximum) errors[name] = `${label}不得超过 ${shown(prop.maximum)}`;
    }
    if (typeof value === "string") {
      if (prop.minLength && value.length < prop.minLength) errors[name] = `${label}至少 ${prop.minLength} 个字`;
      else if (prop.maxLength && value.length > prop.maxLength) errors[name] = `${label}最多 ${prop.maxLength} 个字`;
    }
    data[name] = value;
  }
  return { data, errors };
}

/** The rows of a list of objects; blank rows are left out; a row's error names its number and column. */
function readRows(form, name, item) {
  const required = new Set(item.required || []);
  const rows = [];
  const list = [...form.querySelectorAll(`.field[data-field="${CSS.escape(name)}"] fieldset.row`)];
  for (const [n, row] of list.entries()) {
    const out = {};
    let filled = false;
    for (const [sub, raw] of Object.entries(item.properties)) {
      const prop = plain(raw);
      const el = row.querySelector(`[name="${CSS.escape(`${name}.${sub}`)}"]`);
      if (!el) continue;
      if (prop.type === "boolean") { out[sub] = el.checked; filled ||= el.checked; continue; }
      const text = el.value.trim();
      if (text === "") continue;
      filled = true;
      if (prop.type === "integer") {
        if (!/^-?\d+$/.test(text)) return { rows, error: `第 ${n + 1} 行：${fieldLabel(sub, prop)}须为整数` };
        out[sub] = Number(text);
      } else {
        out[sub] = text;
      }
    }
    if (!filled) continue;
    const missing = [...required].find((sub) => out[sub] === undefined);
    if (missing) return { rows, error: `第 ${n + 1} 行：请填写${fieldLabel(missing, plain(item.properties[missing]))}` };
    rows.push(out);
  }
  return { rows };
}

/** Shows each message next to its field (aria-invalid, the message read out); clears the others. */
export function showErrors(form, errors) {
  for (const box of form.querySelectorAll(".field")) {
    const name = box.dataset.field;
    const el = box.querySelector("input, select, textarea");
    const out = box.querySelector(".field-error");
    if (errors[name]) {
      el?.setAttribute("aria-invalid", "true");
      out.textContent = errors[name];
    } else {
      el?.removeAttribute("aria-invalid");
      out.textContent = "";
    }
  }
  const first = Object.keys(errors).map((n) => form.elements.namedItem(n)).find(Boolean);
  if (first) first.focus();
}

/** The field a problem names: the last element of an error's `loc` that is a field of this form. */
export function problemFields(form, problem) {
  const out = {};
  for (const e of problem?.errors || []) {
    const loc = (e.loc || []).map(String);
    const name = [...loc].reverse().find((part) => form.querySelector(`.field[data-field="${CSS.escape(part)}"]`));
    if (name) out[name] = `服务器拒绝：${e.msg}${problem.detail && problem.detail !== "see errors" ? `（${problem.detail}）` : ""}`;
  }
  return out;
}
