// The "打印" button of the public catalogue (no inline scripts: CSP).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
