/* reflexgen — the comment form, made nicer: « Répondre » moves the form under the comment (as
   on WordPress), the form is sent in place (fetch, a JSON answer from the intake), and a draft
   is kept in this browser until it is sent. Without this file nothing is lost: the form is a
   plain POST and each « Répondre » leads to the intake's reply page. No dependencies, no inline
   script, no eval: it runs under a strict Content-Security-Policy. */
(function () {
  "use strict";

  var section = document.getElementById("commentaire");
  var form = section && section.querySelector("form.comment-form__form");
  if (!form || !window.fetch || !window.URLSearchParams) {
    return;
  }
  var DRAFTED = ["author", "email", "url", "body", "parent"];
  var key = "reflexgen:comment-draft:" + form.getAttribute("data-thread");
  var title = section.querySelector(".comment-form__title");
  var status = form.querySelector(".comment-form__status");
  var submit = form.querySelector(".comment-form__submit");
  var cancel = form.querySelector(".comment-form__cancel");
  var home = document.createComment(" comment form ");
  var opener = null;
  section.parentNode.insertBefore(home, section);

  function field(name) {
    return form.elements.namedItem(name);
  }

  // The draft ------------------------------------------------------------------------------

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage refused (privacy settings): no draft, the form still works
    }
  }

  function save() {
    var store = storage();
    var draft = {};
    var typed = false;
    DRAFTED.forEach(function (name) {
      draft[name] = field(name) ? field(name).value : "";
      typed = typed || (name !== "parent" && draft[name].trim() !== "");
    });
    try {
      if (store && typed) {
        store.setItem(key, JSON.stringify(draft));
      } else if (store) {
        store.removeItem(key);
      }
    } catch (error) {
      /* full or refused: the text stays in the form */
    }
  }

  function forget() {
    var store = storage();
    try {
      if (store) {
        store.removeItem(key);
      }
    } catch (error) {
      /* nothing kept */
    }
  }

  function restore() {
    var store = storage();
    var draft = null;
    try {
      draft = store && JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      draft = null;
    }
    if (!draft || typeof draft !== "object") {
      return;
    }
    var restored = false;
    DRAFTED.forEach(function (name) {
      var input = field(name);
      if (name !== "parent" && input && !input.value && typeof draft[name] === "string" &&
          draft[name]) {
        input.value = draft[name];
        restored = true;
      }
    });
    if (draft.parent && !field("parent").value) {
      var link = replyLink(String(draft.parent));
      if (link) {
        replyTo(link, false);
      }
    }
    if (restored) {
      say(form.getAttribute("data-restored"), false);
    }
  }

  // Replies --------------------------------------------------------------------------------

  function replyLink(parent) {
    var links = document.querySelectorAll("a.comment__reply[data-parent]");
    for (var i = 0; i < links.length; i += 1) {
      if (links[i].getAttribute("data-parent") === parent) {
        return links[i];
      }
    }
    return null;
  }

  function replyTo(link, focus) {
    var comment = link.closest("li.comment");
    var inner = comment && comment.querySelector(".comment__inner");
    if (!inner) {
      return;
    }
    inner.parentNode.insertBefore(section, inner.nextSibling);
    field("parent").value = link.getAttribute("data-parent");
    var author = link.getAttribute("data-author");
    title.textContent = form.getAttribute("data-reply-title").replace("{name}", function () {
      return author; // as typed: a name may hold "$&", which a replacement string would expand
    });
    cancel.hidden = false;
    opener = link;
    if (focus) {
      field("body").focus();
    }
  }

  function cancelReply() {
    home.parentNode.insertBefore(section, home.nextSibling);
    field("parent").value = "";
    title.textContent = title.getAttribute("data-title");
    cancel.hidden = true;
    if (opener) {
      opener.focus();
    }
    opener = null;
    save();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.comment__reply[data-parent]");
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      replyTo(link, true);
      save();
    }
  });
  cancel.addEventListener("click", cancelReply);
  form.addEventListener("input", save);

  // Sending in place -----------------------------------------------------------------------

  function say(message, failed) {
    status.textContent = message || "";
    status.classList.toggle("comment-form__status--error", Boolean(failed));
  }

  function clearErrors() {
    var errors = form.querySelectorAll(".comment-form__error");
    for (var i = 0; i < errors.length; i += 1) {
      errors[i].textContent = "";
    }
    var invalid = form.querySelectorAll("[aria-invalid]");
    for (var j = 0; j < invalid.length; j += 1) {
      invalid[j].removeAttribute("aria-invalid");
    }
  }

  function showErrors(errors) {
    Object.keys(errors).forEach(function (name) {
      var place = document.getElementById("cf-" + name + "-error");
      var input = field(name);
      if (place) {
        place.textContent = String(errors[name]);
      }
      if (input && input.type !== "hidden" && typeof input.focus === "function") {
        input.setAttribute("aria-invalid", "true");
      }
    });
    return form.querySelector("[aria-invalid]"); // the first in the form's order
  }

  function setToken(token) {
    var input = field("token");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "token";
      form.insertBefore(input, form.firstChild);
    }
    input.value = token;
  }

  // The comment as the intake rendered it (through the site's sanitizer): a preview to
  // confirm, or (`sent`) the comment received.
  function showComment(html, sent) {
    var shown = section.querySelector(".comment-form__comment");
    if (!html) {
      if (shown) {
        shown.remove();
      }
      return null;
    }
    if (!shown) {
      shown = document.createElement("div");
      shown.tabIndex = -1;
      section.insertBefore(shown, form);
    }
    shown.className = "comment-form__comment comment__body" +
      (sent ? " comment-form__comment--sent" : "");
    shown.innerHTML = html;
    return shown;
  }

  function answered(ok, answer) {
    var errors = answer.errors && typeof answer.errors === "object" ? answer.errors : {};
    var held = field("token") && field("token").value;
    // The intake gives a token with each refusal and preview: the one to send next time.
    // A field error leaves the form's own token unspent (and old enough): it is kept.
    if (answer.token && (answer.status === "preview" || !held || !Object.keys(errors).length)) {
      setToken(String(answer.token));
    }
    if (Object.keys(errors).length) {
      var first = showErrors(errors);
      say(answer.message || form.getAttribute("data-fix"), true);
      if (first) {
        first.focus();
      }
      return;
    }
    if (ok && answer.status === "preview") { // the comment as it will look, to confirm
      say(answer.message, false);
      showComment(answer.html, false);
      return;
    }
    if (!ok) {
      say(answer.message || form.getAttribute("data-failed"), true);
      return;
    }
    var shown = showComment(answer.html, true);
    say(answer.message, false);
    field("body").value = "";
    if (field("token")) {
      field("token").remove(); // single use: the next comment asks for another
    }
    asked = false;
    forget();
    if (shown) {
      shown.focus();
    }
  }

  // The intake's token, asked for when the reader starts writing: by the time they send,
  // it is old enough, and the comment goes through without the no-JavaScript preview step.
  var asked = false;

  function askToken() {
    var url = form.getAttribute("data-token-url");
    if (asked || !url || (field("token") && field("token").value)) {
      return;
    }
    asked = true;
    fetch(url, { headers: { Accept: "application/json" }, credentials: "omit", mode: "cors" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (answer) {
        if (answer && answer.token && !(field("token") && field("token").value)) {
          setToken(String(answer.token));
        }
      }).catch(function () {
        asked = false; // offline for now: the next focus asks again, or the preview step
      });
  }

  form.addEventListener("focusin", askToken);

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    say(form.getAttribute("data-sending"), false);
    submit.disabled = true;
    var ok = false;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { Accept: "application/json" },
      credentials: "omit",
      mode: "cors",
    }).then(function (response) {
      ok = response.ok;
      return response.json();
    }).then(function (answer) {
      answered(ok, answer && typeof answer === "object" ? answer : {});
    }).catch(function () {
      say(form.getAttribute("data-failed"), true); // the text stays in the form and the draft
    }).then(function () {
      submit.disabled = false;
    });
  });

  restore();
})();
