// Lianxiao's staff pages, what every tab shares: the admin token (kept for this browser tab only),
// requests to the REST API, errors in words, and the schools by id. timetable.js, schools.js and
// board.js fill their tabs; start.js logs in and wires the buttons.
"use strict";

const api = "/api/v1/";
let token = sessionStorage.getItem("lianxiao-token");
let schoolsById = new Map(); // id → school, for names instead of ids

const $ = (id) => document.getElementById(id);

// fetch with the admin token; throws {status, message, field} on refusal.
async function request(method, path, body) {
  let response;
  try {
    response = await fetch(api + path, {
      method,
      headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw { status: 0, message: "" };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) throw { status: response.status, message: data?.message ?? "", field: data?.field };
  return data;
}

// What a refusal means, Chinese first; the server's own words (also Chinese first) follow.
function statusWords(status) {
  switch (status) {
    case 0: return "连不上服务器，请检查网络 Cannot reach the server: check the network";
    case 400: return "输入有误 Please check the form";
    case 401: return "登录已失效，请重新登录 Logged out: log in again";
    case 404: return "找不到 Not found";
    case 409: return "冲突 Conflict";
    case 413: return "内容太多 Too large";
    case 429: return "操作太频繁，请稍后再试 Too many requests, try again in a minute";
    default: return status >= 500 ? "服务器出错，请看服务器日志 Server error: see the server's log"
      : "服务器拒绝了 Refused";
  }
}

function describeError(error) {
  return error.message ? `${statusWords(error.status)}：${error.message}` : statusWords(error.status);
}

function showError(element, form, error) {
  element.textContent = describeError(error);
  form.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
  if (error.field && form.elements[error.field]) form.elements[error.field].classList.add("invalid");
  // The lesson form asks for date and times apart: the API's start and end are in them.
  if ((error.field === "start" || error.field === "end") && form.elements.date)
    form.elements[error.field].classList.add("invalid");
}

function cell(row, text) {
  const td = row.insertCell();
  td.textContent = text;
  return td;
}

function button(text, className, onclick) {
  const b = document.createElement("button");
  b.textContent = text;
  b.className = className;
  b.onclick = onclick;
  return b;
}

// "新庄小学" for "xinzhuang" (the id itself for a school not known here).
function schoolName(id) {
  return schoolsById.get(id)?.name ?? id;
}

async function loadSchoolsById() {
  const schools = await request("GET", "schools");
  schoolsById = new Map(schools.map((s) => [s.id, s]));
  return schools;
}

const pad = (n) => String(n).padStart(2, "0");

// "2026-12-06" of @date in this browser's time zone.
function isoDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function today() {
  return isoDay(new Date());
}

// "2026-12-06 17:05 (5 分钟前 5 min ago)" from UTC seconds.
function whenSeen(utcSeconds) {
  const then = new Date(utcSeconds * 1000);
  const minutes = Math.round((Date.now() - then) / 60000);
  const ago = minutes < 1 ? "刚才 just now" : minutes < 120 ? `${minutes} 分钟前 ${minutes} min ago`
    : minutes < 48 * 60 ? `${Math.round(minutes / 60)} 小时前 ${Math.round(minutes / 60)} h ago`
    : `${Math.round(minutes / 1440)} 天前 ${Math.round(minutes / 1440)} days ago`;
  return `${isoDay(then)} ${pad(then.getHours())}:${pad(then.getMinutes())}（${ago}）`;
}
