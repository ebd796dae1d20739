// The workbench's one path to the data: our HTTP API, with the signed-in user's token.
// Every refusal arrives as an RFC 9457 problem; `ApiError` carries it to the page that asked.

const TOKEN = "wuyeflow.token";
const ME = "wuyeflow.me";

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  me: () => JSON.parse(sessionStorage.getItem(ME) || "null"),
  save(token, me) { sessionStorage.setItem(TOKEN, token); sessionStorage.setItem(ME, JSON.stringify(me)); },
  clear() { sessionStorage.removeItem(TOKEN); sessionStorage.removeItem(ME); },
  has: (role) => (JSON.parse(sessionStorage.getItem(ME) || "null")?.roles || []).some((r) => r.code === role),
};

let keySeq = 0;

export async function api(method, path, body, { token = session.token(), raw = false } = {}) {
  const headers = { Accept: "application/json, application/problem+json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  // A retried click never starts or decides twice: the key names this one attempt.
  if (method !== "GET") headers["Idempotency-Key"] = `wb-${Date.now()}-${++keySeq}-${Math.random().toString(36).slice(2, 8)}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { title: "network", detail: String(e) });
  }
  if (!response.ok) {
    let problem = { title: response.statusText };
    try { problem = await response.json(); } catch { /* not JSON: keep the status text */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

const LEADS = {
  0: "无法连接服务器，请检查网络后重试。",
  400: "请求有误。",
  401: "登录已失效或令牌无效，请重新登录。",
  403: "您没有权限执行此操作。",
  404: "未找到，或您无权查看。",
  409: "操作与当前状态冲突（可能已被他人处理），请刷新后查看。",
  413: "提交的内容过大。",
  422: "提交的内容不符合要求。",
  429: "请求过于频繁，请稍后再试。",
  503: "服务暂时不可用，请稍后重试。",
};

/** The Chinese sentence for a refusal, then the server's own words. */
export function problemText(err) {
  if (!(err instanceof ApiError)) return `出错了：${err.message || err}`;
  const lead = LEADS[err.status] || (err.status >= 500 ? "服务器出错，请稍后重试。" : `请求失败（${err.status}）。`);
  const detail = err.problem?.detail && err.problem.detail !== "see errors" ? `服务器答复：${err.problem.detail}` : "";
  return [lead, detail].filter(Boolean).join(" ");
}

/** A problem box (role=alert) for a page; on 401 it links to sign-in. */
export function problemHtml(err) {
  const again = err instanceof ApiError && err.status === 401 ? ' <a href="#/login">重新登录</a>' : "";
  const code = err instanceof ApiError ? ` data-status="${err.status}"` : "";
  return `<div class="problem" role="alert"${code}>${esc(problemText(err))}${again}</div>`;
}

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

/** Fen (integer) to yuan, exactly: 4200050 -> "42,000.50". */
export function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  const n = BigInt(fen);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}¥${whole}.${cents}`;
}

/** Yuan as typed ("42000.5") to fen, exactly, or null when it is not an amount with at most two decimals. */
export function toFen(text) {
  const m = /^\s*(\d{1,12})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(BigInt(m[1]) * 100n + BigInt((m[2] || "").padEnd(2, "0")));
}

const TIME = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

/** An instant in the city's time (Asia/Shanghai). */
export function when(iso) {
  return iso ? TIME.format(new Date(iso)) : "—";
}

let processes = null;

/** Every registered process with its steps, decisions and their JSON Schemas (GET /processes), read once. */
export async function processCatalogue() {
  if (!processes) processes = await api("GET", "/processes");
  return processes;
}

export function say(text) {
  document.getElementById("status").textContent = text;
}
