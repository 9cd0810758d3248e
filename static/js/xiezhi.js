// Small behaviours shared by every page. No inline scripts anywhere (CSP).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && el.tagName !== "FORM" && !window.confirm(el.getAttribute("data-confirm"))) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
