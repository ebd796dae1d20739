// The workbench's shell: sign-in, navigation and the hash routes of its pages.

import { ApiError, api, esc, problemHtml, say, session } from "./api.js";
import { auditCasePage, auditPage } from "./audit.js";
import { casePage } from "./case.js";
import { electionPage } from "./election.js";
import { electionAdminPage, electionListPage, electionStartPage } from "./election-admin.js";
import { creditPage } from "./credit.js";
import { tenderListPage, tenderPage, tenderStartPage } from "./tender.js";
import { inboxPage } from "./inbox.js";
import { ledgerPage, noticePage, ownerPage } from "./owner.js";
import { creditReportPage, fundReportPage, reportsPage } from "./reports.js";
import { startPage } from "./start.js";
import { ticketLedgerPage, ticketStartPage } from "./ticket.js";

const main = () => document.getElementById("main");

const ROUTES = [
  [/^\/login$/, loginPage, "login"],
  [/^\/inbox$/, inboxPage, "inbox"],
  [/^\/case\/([^/]+)$/, casePage, "inbox"],
  [/^\/start$/, startPage, "start"],
  [/^\/ticket$/, ticketStartPage, "ticket"],
  [/^\/tickets$/, ticketLedgerPage, "tickets"],
  [/^\/owner$/, ownerPage, "owner"],
  [/^\/ledger\/([^/]+)$/, ledgerPage, "owner"],
  [/^\/election\/([^/]+)$/, electionPage, "owner"],
  [/^\/notice\/([^/]+)$/, noticePage, "owner"],
  [/^\/audit$/, auditPage, "audit"],
  [/^\/audit\/([^/]+)$/, auditCasePage, "audit"],
  [/^\/reports$/, reportsPage, "reports"],
  [/^\/elections$/, electionListPage, "elections"],
  [/^\/elections\/new$/, electionStartPage, "elections"],
  [/^\/elections\/([^/]+)$/, electionAdminPage, "elections"],
  [/^\/tenders$/, tenderListPage, "tenders"],
  [/^\/tenders\/new$/, tenderStartPage, "tenders"],
  [/^\/tenders\/([^/]+)$/, tenderPage, "tenders"],
  [/^\/credit$/, creditPage, "credit"],
  [/^\/credit\/([^/]+)$/, creditPage, "credit"],
  [/^\/reports\/fund$/, fundReportPage, "reports"],
  [/^\/reports\/credit$/, creditReportPage, "reports"],
];

/** Where a user lands after signing in. */
function home() {
  if (session.has("owner")) return "#/owner";
  if (session.has("auditor")) return "#/audit";
  return "#/inbox";
}

function showUser() {
  const me = session.me();
  const nav = document.getElementById("nav");
  nav.hidden = !me;
  document.getElementById("signout").hidden = !me;
  document.getElementById("who").textContent = me
    ? `${me.name}（${me.roles.map((r) => r.label).join("、")}${me.organisation ? " · " + me.organisation : ""}）` : "";
}

async function route() {
  const path = (location.hash || "#/").slice(1).split("?")[0];
  if (!session.token() && path !== "/login") { location.hash = "#/login"; return; }
  if (path === "/" || path === "") { location.hash = home(); return; }
  const found = ROUTES.map(([re, page, tab]) => [re.exec(path), page, tab]).find(([m]) => m);
  showUser();
  say("");
  const el = main();
  if (!found) { el.innerHTML = `<h1>页面不存在</h1><p><a href="${home()}">返回首页</a></p>`; return; }
  const [m, page, tab] = found;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.page === tab) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
  // Each visit draws into its own view: a slower page the user has already left writes into a detached one.
  const view = document.createElement("div");
  view.className = "view";
  view.innerHTML = '<p aria-busy="true">正在加载…</p>';
  el.replaceChildren(view);
  try {
    await page(view, ...m.slice(1).map(decodeURIComponent));
  } catch (err) {
    view.innerHTML = `<h1>无法显示此页</h1>${problemHtml(err)}`;
  }
  if (!view.isConnected) return;
  const h1 = view.querySelector("h1");
  if (h1) document.title = `${h1.textContent} · 青州物业管理工作台`;
  el.focus();
}

async function signIn(token) {
  const me = await api("GET", "/me", undefined, { token });
  session.save(token, me);
  location.hash = home();
}

async function loginPage(el) {
  let users = null;
  try {
    users = await api("GET", "/dev/users", undefined, { token: null });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
  }
  const picker = users ? `
    <section aria-labelledby="pick-h">
      <h2 id="pick-h">选择演示用户（仅限本机开发环境）</h2>
      <ul class="users">${users.map((u) => `<li><button type="button" data-subject="${esc(u.subject)}">
        <strong>${esc(u.name)}</strong> · ${esc(u.roles.map((r) => r.label).join("、"))}<br>
        <span class="hint">${esc(u.organisation || "")}（${esc(u.jurisdiction.label)}${u.jurisdiction_id ? " " + esc(u.jurisdiction_id) : ""}）</span>
      </button></li>`).join("")}</ul>
    </section>` : "";
  el.innerHTML = `<h1>登录</h1><div id="login-problem"></div>${picker}
    <section aria-labelledby="paste-h"><h2 id="paste-h">使用令牌登录</h2>
      <form id="token-form" novalidate>
        <div class="field"><label for="token">访问令牌（Bearer token）</label>
          <textarea id="token" name="token" autocomplete="off" aria-describedby="token-hint"></textarea>
          <p class="hint" id="token-hint">由统一身份认证签发；开发环境可运行 <code>make tokens</code> 获取。</p></div>
        <button type="submit">登录</button>
      </form></section>`;
  const fail = (err) => { el.querySelector("#login-problem").innerHTML = problemHtml(err); };
  for (const b of el.querySelectorAll(".users button")) {
    b.addEventListener("click", async () => {
      try {
        const { token } = await api("POST", `/dev/users/${encodeURIComponent(b.dataset.subject)}/token`, undefined, { token: null });
        await signIn(token);
      } catch (err) { fail(err); }
    });
  }
  el.querySelector("#token-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const token = el.querySelector("#token").value.trim();
    if (!token) { fail(new Error("请粘贴访问令牌")); return; }
    try { await signIn(token); } catch (err) { fail(err); }
  });
}

document.getElementById("signout").addEventListener("click", () => {
  session.clear();
  location.hash = "#/login";
});
window.addEventListener("hashchange", route);
route();
