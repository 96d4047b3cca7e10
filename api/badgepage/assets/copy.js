// Issuer page: adds a "Copy" button after each DID. Without script the
// full DID stays selectable text; this only saves the selecting.
"use strict";
(function () {
  function copy(text, button) {
    var done = function (label) {
      button.textContent = label;
      setTimeout(function () { button.textContent = "Copy"; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(function () { done("Copied"); }, function () { done("Select and copy"); });
    } else {
      done("Select and copy");
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var dids = document.querySelectorAll("code.did[data-did]");
    for (var i = 0; i < dids.length; i++) {
      (function (el) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "copy";
        button.textContent = "Copy";
        button.setAttribute("aria-label", "Copy the DID " + el.getAttribute("data-did"));
        button.addEventListener("click", function () { copy(el.getAttribute("data-did"), button); });
        el.parentNode.insertBefore(button, el.nextSibling);
      })(dids[i]);
    }
  });
})();
