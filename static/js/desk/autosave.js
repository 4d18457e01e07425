// Autosave of the article form: what an editor types is kept in this browser (localStorage)
// and offered back after a crash or a closed tab; leaving with unsaved changes asks first.
// Nothing is sent anywhere: the server sees the form only when the editor saves it.
const form = document.getElementById("article_form");

function fields() {
  return Array.from(form.elements).filter((el) => el.name && !el.disabled
    && el.name !== "csrfmiddlewaretoken" && !el.name.startsWith("_")
    && !["file", "submit", "button", "hidden"].includes(el.type));
}

function snapshot() {
  const values = {};
  for (const el of fields()) {
    if (el.type === "checkbox" || el.type === "radio") {
      if (el.type === "checkbox") { values[el.name] = el.checked; }
      else if (el.checked) { values[el.name] = el.value; }
    } else if (el.multiple) {
      values[el.name] = Array.from(el.selectedOptions).map((o) => o.value);
    } else {
      values[el.name] = el.value;
    }
  }
  return values;
}

function restore(values) {
  for (const el of fields()) {
    if (!(el.name in values)) { continue; }
    const value = values[el.name];
    if (el.type === "checkbox") { el.checked = Boolean(value); }
    else if (el.type === "radio") { el.checked = el.value === value; }
    else if (el.multiple) {
      for (const option of el.options) { option.selected = value.includes(option.value); }
    } else if (el.tagName === "SELECT" && !Array.from(el.options).some((o) => o.value === value)) {
      continue; // an autocomplete's choice that is not loaded on this page
    } else {
      el.value = value;
      if (el.proseEditor) { el.proseEditor.commands.setContent(value || "", true); }
    }
  }
}

if (form) {
  const key = "desk-autosave:" + location.pathname;
  const body = form.querySelector("textarea[data-body-editor]");
  const messages = JSON.parse((body && body.dataset.messages) || "{}");
  const initial = JSON.stringify(snapshot());
  let dirty = false;
  let timer = null;

  const save = () => {
    const values = snapshot();
    dirty = JSON.stringify(values) !== initial;
    if (dirty) {
      localStorage.setItem(key, JSON.stringify({ savedAt: Date.now(), values }));
    }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(save, 500); dirty = true; };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  form.addEventListener("submit", () => {
    dirty = false;
    clearTimeout(timer);
    localStorage.removeItem(key);
  });
  window.addEventListener("beforeunload", (event) => {
    if (!dirty) { return; }
    event.preventDefault();
    event.returnValue = "";
  });

  const kept = JSON.parse(localStorage.getItem(key) || "null");
  if (kept && JSON.stringify(kept.values) !== initial) {
    const box = document.createElement("div");
    box.className = "desk-autosave";
    box.setAttribute("role", "alert");
    const when = new Date(kept.savedAt).toLocaleString(document.documentElement.lang || undefined);
    const text = document.createElement("span");
    text.textContent = (messages.autosaveFound || "%(time)s").replace("%(time)s", when);
    const yes = document.createElement("button");
    yes.type = "button";
    yes.textContent = messages.autosaveRestore || "OK";
    const no = document.createElement("button");
    no.type = "button";
    no.textContent = messages.autosaveDiscard || "×";
    yes.addEventListener("click", () => { restore(kept.values); box.remove(); dirty = true; });
    no.addEventListener("click", () => { localStorage.removeItem(key); box.remove(); });
    box.append(text, yes, no);
    form.prepend(box);
  }
}
