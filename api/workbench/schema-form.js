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
};

/** The plain type of a property, looking through pydantic's `anyOf [X, null]`. */
function plain(prop) {
  if (prop.anyOf) {
    const inner = prop.anyOf.find((p) => p.type !== "null");
    return { ...inner, ...prop, anyOf: undefined, type: inner?.type, nullable: true };
  }
  return prop;
}

export function fieldLabel(name, prop) {
  return FIELD_LABELS[name] || prop.description || prop.title || name;
}

/** The inputs of one decision's data; ``prefix`` keeps ids unique on a page with several tasks. */
export function fieldsHtml(schema, prefix) {
  if (!schema || !schema.properties) return "";
  const required = new Set(schema.required || []);
  return Object.entries(schema.properties).map(([name, raw]) => {
    const prop = plain(raw);
    const id = `${prefix}-${name}`;
    const label = `${esc(fieldLabel(name, prop))}${required.has(name) ? ' <span aria-hidden="true">*</span>' : ""}`;
    const common = `id="${id}" name="${name}" aria-describedby="${id}-error"${required.has(name) ? ' aria-required="true"' : ""}`;
    let input;
    if (prop.enum) {
      input = `<select ${common}><option value="">请选择</option>${prop.enum.map((v) => `<option>${esc(v)}</option>`).join("")}</select>`;
    } else if (prop.type === "boolean") {
      input = `<input type="checkbox" ${common}${prop.default === true ? " checked" : ""}>`;
    } else if (name.endsWith("_fen")) {
      input = `<input type="text" inputmode="decimal" autocomplete="off" ${common}>`;
    } else if (prop.type === "integer" || prop.type === "number") {
      input = `<input type="text" inputmode="numeric" ${common}>`;
    } else if (prop.type === "array") {
      input = `<textarea ${common} placeholder="每行一项"></textarea>`;
    } else if ((prop.maxLength || 0) > 200) {
      input = `<textarea ${common}></textarea>`;
    } else {
      input = `<input type="text" ${common}>`;
    }
    return `<div class="field" data-field="${name}"><label for="${id}">${label}</label>${input}
      <p class="field-error" id="${id}-error" aria-live="polite"></p></div>`;
  }).join("");
}

/** Reads and checks the form's data against the schema: {data, errors: {field: 中文}}. */
export function readData(form, schema) {
  const data = {};
  const errors = {};
  if (!schema || !schema.properties) return { data, errors };
  const required = new Set(schema.required || []);
  for (const [name, raw] of Object.entries(schema.properties)) {
    const prop = plain(raw);
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

/** Shows each message next to its field (aria-invalid, the message read out); clears the others. */
export function showErrors(form, errors) {
  for (const box of form.querySelectorAll(".field")) {
    const name = box.dataset.field;
    const el = box.querySelector("input, select, textarea");
    const out = box.querySelector(".field-error");
    if (errors[name]) {
      el.setAttribute("aria-invalid", "true");
      out.textContent = errors[name];
    } else {
      el.removeAttribute("aria-invalid");
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
