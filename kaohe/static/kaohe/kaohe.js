// kaohe's few lines of script (no inline script: the Content Security Policy forbids it).

// Tree toggles: the first click loads a node's children through htmx (hx-trigger "click once");
// once loaded, clicks fold and unfold them without asking the server again.
document.addEventListener("htmx:afterRequest", (event) => {
  const toggle = event.detail.elt;
  if (toggle.classList && toggle.classList.contains("kh-toggle") && event.detail.successful) {
    toggle.dataset.loaded = "1";
    toggle.querySelector("i").className = "bi bi-caret-down-fill";
    toggle.setAttribute("aria-expanded", "true");
  }
});

document.addEventListener("click", (event) => {
  const toggle = event.target.closest(".kh-toggle[data-loaded]");
  if (!toggle) return;
  const list = toggle.parentElement.querySelector(":scope > ul");
  if (!list) return;
  list.hidden = !list.hidden;
  toggle.querySelector("i").className = list.hidden ? "bi bi-caret-right-fill" : "bi bi-caret-down-fill";
  toggle.setAttribute("aria-expanded", String(!list.hidden));
});

// A select marked data-autosubmit submits its form when changed (no inline handlers under the CSP).
document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
