/* The Define page: add and remove business-rule rows, fill in the example; show the input of the
   chosen Modify / Manual option. Everything else is htmx. */
(function () {
  "use strict";
  function row(value) {
    const div = document.createElement("div");
    div.className = "rule-row";
    const input = document.createElement("input");
    input.name = "rule"; input.className = "rule-input"; input.maxLength = 1000; input.value = value || "";
    const remove = document.createElement("button");
    remove.type = "button"; remove.className = "button small remove-rule"; remove.title = "Remove this rule";
    remove.textContent = "✕";
    div.append(input, " ", remove);
    return div;
  }
  function showChosen(group) {
    const chosen = group.querySelector("input[type=radio]:checked");
    group.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = !chosen || el.dataset.for !== chosen.value;
    });
  }
  document.addEventListener("click", function (e) {
    const t = e.target;
    if (!(t instanceof HTMLElement)) return;
    const rules = document.getElementById("rules");
    if (t.id === "add-rule" && rules) {
      const r = row("");
      rules.append(r);
      r.querySelector("input").focus();
    } else if (t.classList.contains("remove-rule")) {
      const r = t.closest(".rule-row");
      if (r && rules && rules.querySelectorAll(".rule-row").length > 1) r.remove();
      else if (r) r.querySelector("input").value = "";
    } else if (t.id === "fill-example" && rules) {
      const ex = JSON.parse(t.dataset.example || "{}");
      document.getElementById("d-name").value = ex.name || "";
      document.getElementById("d-definition").value = ex.definition || "";
      rules.replaceChildren(...(ex.rules && ex.rules.length ? ex.rules : [""]).map(row));
    }
  });
  document.addEventListener("change", function (e) {
    const t = e.target;
    if (t instanceof HTMLInputElement && t.type === "radio" && t.closest(".choice")) showChosen(t.closest(".choice"));
  });
  document.addEventListener("htmx:load", function (e) {
    e.detail.elt.querySelectorAll && e.detail.elt.querySelectorAll(".choice").forEach(showChosen);
  });
})();
