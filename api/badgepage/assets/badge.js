// Badge page: "Verify again" posts the badge's credential to the VC-API
// verify endpoint and shows the answer. It builds every element with
// textContent, never markup, so nothing a credential says can run as code.
"use strict";
(function () {
  var CHECKS = ["format", "proof", "issuer", "validity", "schema", "status", "relatedResource"];
  var CORE = ["format", "proof", "issuer"];

  function find(results, name) {
    for (var i = 0; i < results.length; i++) {
      if (results[i] && results[i].name === name) {
        return results[i];
      }
    }
    return null;
  }

  function failed(results, name) {
    var c = find(results, name);
    return c !== null && c.status === "failed";
  }

  function startsWith(s, prefix) {
    return typeof s === "string" && s.slice(0, prefix.length) === prefix;
  }

  // state mirrors the server's banner rule (api/badgepage.go bannerFor).
  function state(verified, results) {
    if (verified) {
      var warned = [];
      for (var k = 0; k < results.length; k++) {
        if (results[k] && results[k].status === "warning") {
          warned.push(results[k].name);
        }
      }
      return ["verified", "Verified", warned.length ? "Passed, with warnings on: " + warned.join(", ") + "." : "Every check passed."];
    }
    for (var i = 0; i < CORE.length; i++) {
      if (failed(results, CORE[i])) {
        return ["not-verified", "Not verified", "The " + CORE[i] + " check failed."];
      }
    }
    var st = find(results, "status");
    if (st && st.status === "failed" && startsWith(st.message, "revoked")) {
      return ["revoked", "Revoked", "The issuer has revoked this badge."];
    }
    if (st && st.status === "failed" && startsWith(st.message, "suspended")) {
      return ["suspended", "Suspended", "The issuer has suspended this badge."];
    }
    var va = find(results, "validity");
    if (va && va.status === "failed" && startsWith(va.message, "expired")) {
      return ["expired", "Expired", "This badge is past its expiry date."];
    }
    var names = [];
    for (var j = 0; j < results.length; j++) {
      if (results[j] && results[j].status === "failed") {
        names.push(results[j].name);
      }
    }
    return ["not-verified", "Not verified", names.length ? "Failed: " + names.join(", ") + "." : "The credential could not be checked."];
  }

  function setBanner(s) {
    var banner = document.getElementById("banner");
    banner.className = "banner banner-" + s[0];
    document.getElementById("banner-title").textContent = s[1];
    document.getElementById("banner-detail").textContent = s[2];
  }

  function render(body) {
    var results = Array.isArray(body.results) ? body.results : [];
    var list = document.getElementById("checks");
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    for (var i = 0; i < CHECKS.length; i++) {
      var c = find(results, CHECKS[i]) || { name: CHECKS[i], status: "not-run", message: "" };
      var status = c.status === "not-run" ? "not run" : String(c.status);
      var li = document.createElement("li");
      li.className = "check check-" + String(c.status).replace(/[^a-z-]/g, "");
      li.setAttribute("data-check", CHECKS[i]);
      var name = document.createElement("span");
      name.className = "check-name";
      name.textContent = CHECKS[i];
      var st = document.createElement("span");
      st.className = "check-status";
      st.textContent = status;
      var msg = document.createElement("span");
      msg.className = "check-message";
      msg.textContent = c.message || "";
      li.appendChild(name);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(st);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(msg);
      list.appendChild(li);
    }
    setBanner(state(body.verified === true, results));
    var at = document.getElementById("checked-at");
    var now = new Date();
    at.setAttribute("datetime", now.toISOString());
    at.textContent = now.toLocaleString();
  }

  function showError(text) {
    var p = document.getElementById("verify-error");
    p.textContent = text;
    p.hidden = text === "";
  }

  function verifyAgain(button) {
    showError("");
    button.disabled = true;
    var label = button.textContent;
    button.textContent = "Verifying…";
    var jwt = button.getAttribute("data-format") === "jwt_vc";
    fetch(button.getAttribute("data-credential-url"), { cache: "no-store", credentials: "omit" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("the credential could not be fetched (" + r.status + ")");
        }
        return jwt ? r.text() : r.json();
      })
      .then(function (vc) {
        return fetch(button.getAttribute("data-verify-url"), {
          method: "POST",
          cache: "no-store",
          credentials: "omit",
          headers: { "Content-Type": "application/json", "Accept": "application/json" },
          body: JSON.stringify({ verifiableCredential: jwt ? vc.trim() : vc })
        });
      })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!Array.isArray(body.results)) {
            throw new Error("the verifier answered " + r.status);
          }
          render(body);
        });
      })
      .catch(function (err) {
        // The badge's state is unknown, not bad: keep the last result.
        showError("Verification did not complete: " + err.message);
      })
      .then(function () {
        button.disabled = false;
        button.textContent = label;
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("verify-again");
    if (button) {
      button.addEventListener("click", function () { verifyAgain(button); });
    }
  });
})();
