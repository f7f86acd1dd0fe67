// The staff pages start here: log in, switch tabs, wire the buttons.
"use strict";

const TABS = ["timetable", "schools", "board", "attendance"];

function showTab(name) {
  for (const section of TABS) $(section).hidden = section !== name;
  document.querySelectorAll("#tabs button[data-tab]").forEach((b) => b.classList.toggle("active", b.dataset.tab === name));
  if (boardStream) { boardStream.abort(); boardStream = null; }
  const loading = { board: async () => watchBoard(), schools: loadSchools, timetable: reload,
    attendance: loadAttendance }[name];
  loading().catch((error) => console.warn(name, error));
}

async function enter() {
  $("login").hidden = true;
  $("tabs").hidden = false;
  $("day").value = $("day").value || today();
  $("lesson-form").elements.date.value = $("day").value;
  fillSchoolChoices(await loadSchoolsById());
  showTab("timetable");
}

$("login-form").onsubmit = async (event) => {
  event.preventDefault();
  token = $("token").value;
  try {
    await request("GET", "schools");
    sessionStorage.setItem("lianxiao-token", token);
    $("login-error").textContent = "";
    await enter();
  } catch (error) {
    $("login-error").textContent = error.status === 401
      ? "令牌不对：要和 signaling.conf 的 [api] admin-token 一样 Wrong token: it is signaling.conf's [api] admin-token"
      : error.status === 503 ? "服务器没有设置管理令牌（signaling.conf 的 [api] admin-token） The server has no admin token set"
      : describeError(error);
  }
};
$("logout").onclick = () => { sessionStorage.removeItem("lianxiao-token"); location.reload(); };
document.querySelectorAll("#tabs button[data-tab]").forEach((b) => (b.onclick = () => showTab(b.dataset.tab)));
$("show-day").onclick = showDay;
$("show-next7").onclick = showNext7;
$("show-week").onclick = showWeek;
$("print-week").onclick = printWeek;
$("school-filter").onchange = reload;
$("attendance-school").onchange = loadAttendance;
$("lesson-form").onsubmit = bookLesson;
$("cancel-edit").onclick = stopEditing;
$("school-form").onsubmit = saveSchool;
$("cancel-school-edit").onclick = stopEditingSchool;
$("copy-link").onclick = copyLink;
if (token) enter().catch(() => sessionStorage.removeItem("lianxiao-token"));
