// Upload progress for the batch import form (htmx raises htmx:xhr:progress while the file is sent).
document.addEventListener("htmx:xhr:progress", function (evt) {
  var bar = document.getElementById("import-progress");
  if (bar && evt.detail.lengthComputable) {
    bar.value = Math.round((evt.detail.loaded / evt.detail.total) * 100);
  }
});
document.addEventListener("htmx:afterRequest", function () {
  var bar = document.getElementById("import-progress");
  if (bar) { bar.value = 100; }
});
