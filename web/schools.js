// The schools tab: register, change and delete schools, and give one a new token — shown once,
// with the link (and its QR code) that opens the school's browser classroom.
"use strict";

async function loadSchools() {
  const schools = await loadSchoolsById();
  const tbody = $("school-list").tBodies[0];
  tbody.replaceChildren();
  for (const school of schools) {
    const row = tbody.insertRow();
    row.dataset.school = school.id;
    cell(row, school.id);
    cell(row, school.name);
    cell(row, school.county);
    cell(row, school.last_seen_utc ? whenSeen(school.last_seen_utc) : "从未连接 Never connected");
    const actions = row.insertCell();
    actions.className = "actions";
    actions.append(button("编辑 Edit", "edit", () => editSchool(school)), " ",
      button("新令牌 New token", "renew", () => renewToken(school)), " ",
      button("删除 Delete", "delete", () => deleteSchool(school)));
  }
  $("schools-empty").hidden = schools.length > 0;
  fillSchoolChoices(schools);
}

// The browser classroom's address with the token; the part after # never reaches a server log.
function classroomLink(id, schoolToken) {
  return `${location.origin}/classroom.html#school=${encodeURIComponent(id)}&token=${schoolToken}`;
}

function showToken(school) {
  const link = classroomLink(school.id, school.token);
  $("new-token-school").textContent = `${school.name} (${school.id})`;
  $("new-token-value").textContent = school.token;
  $("classroom-link").textContent = link;
  $("copy-done").textContent = "";
  // A QR code a TV box's remote or a phone can open: error correction M, drawn as an image.
  const qr = qrcode(0, "M");
  qr.addData(link);
  qr.make();
  $("qr").innerHTML = qr.createImgTag(4, 16);
  $("qr").querySelector("img").alt = link;
  $("new-token").hidden = false;
  $("new-token").scrollIntoView();
}

async function copyLink() {
  const link = $("classroom-link").textContent;
  try {
    await navigator.clipboard.writeText(link);
    $("copy-done").textContent = "已复制 Copied";
  } catch {
    // No clipboard (plain http to another machine): select it for Ctrl+C.
    getSelection().selectAllChildren($("classroom-link"));
    $("copy-done").textContent = "请按 Ctrl+C 复制 Press Ctrl+C to copy";
  }
}

async function renewToken(school) {
  if (!confirm(`给 ${school.name} 发新令牌？旧令牌马上作废，用旧令牌的教室会断开，要换上新的课堂链接。\n` +
               `Issue a new token for ${school.name}? The old one stops at once; classrooms using it disconnect.`)) return;
  try {
    showToken(await request("POST", `schools/${encodeURIComponent(school.id)}/token`));
    $("school-error").textContent = "";
  } catch (error) {
    $("school-error").textContent = describeError(error);
  }
}

async function deleteSchool(school) {
  if (!confirm(`删除学校 ${school.name} (${school.id})？它的令牌和连接会一起结束。\n` +
               `Delete ${school.name} (${school.id})? Its token and connections end.`)) return;
  try {
    await request("DELETE", `schools/${encodeURIComponent(school.id)}`);
    $("school-error").textContent = "";
  } catch (error) {
    $("school-error").textContent = describeError(error);
  }
  await loadSchools();
}

// Fills the form with @school; the next save changes its name and county (the id stays).
function editSchool(school) {
  const form = $("school-form");
  form.dataset.editing = school.id;
  form.elements.id.value = school.id;
  form.elements.id.readOnly = true;
  form.elements.name.value = school.name;
  form.elements.county.value = school.county;
  $("school-form-title").textContent = `修改学校 ${school.name} Change school`;
  form.querySelector("button[type=submit]").textContent = "保存修改 Save changes";
  $("cancel-school-edit").hidden = false;
  form.scrollIntoView();
}

function stopEditingSchool() {
  const form = $("school-form");
  delete form.dataset.editing;
  form.reset();
  form.elements.id.readOnly = false;
  $("school-form-title").textContent = "新学校 Register a school";
  form.querySelector("button[type=submit]").textContent = "注册 Register";
  $("cancel-school-edit").hidden = true;
}

async function saveSchool(event) {
  event.preventDefault();
  const form = event.target;
  const f = form.elements;
  const school = { id: f.id.value, name: f.name.value, county: f.county.value };
  try {
    if (form.dataset.editing) {
      await request("PUT", `schools/${encodeURIComponent(form.dataset.editing)}`, school);
    } else {
      showToken(await request("POST", "schools", school));
    }
    $("school-error").textContent = "";
    form.querySelectorAll(".invalid").forEach((input) => input.classList.remove("invalid"));
    stopEditingSchool();
    await loadSchools();
  } catch (error) {
    showError($("school-error"), form, error);
  }
}
