// The broadcast form: the count to confirm before publishing, asked here so attached
// files need not be chosen again (the server asks the same question itself when this
// script does not run).
(function () {
  "use strict";
  var form = document.getElementById("broadcast-form");
  if (!form) { return; }

  var publish = document.getElementById("publish-button");
  var confirmField = form.querySelector("input[name=confirm]");
  if (!publish || !confirmField) { return; }
  publish.addEventListener("click", function (event) {
    if (confirmField.value) { return; }
    event.preventDefault();
    var data = new FormData(form);
    data.delete("attachments");
    if (form.dataset.source) { data.set("source", form.dataset.source); }
    fetch(form.dataset.countUrl, {method: "POST", body: data, headers: {Accept: "application/json"}})
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (result) {
        var body = result[1];
        if (result[0] && !window.confirm(body.message)) { return; }
        if (result[0]) { confirmField.value = body.confirm; }
        var submit = document.createElement("input");
        submit.type = "hidden"; submit.name = "action"; submit.value = "publish";
        form.appendChild(submit);
        form.submit();
      })
      .catch(function () { form.submit(); });
  });
})();
