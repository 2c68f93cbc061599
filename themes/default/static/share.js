/* reflexgen — the share links, made nicer: Mastodon on the reader's own instance (asked once,
   remembered in this browser), « Copier le lien », and the system's share sheet where the
   browser has one (navigator.share). Without this file the plain links still work. Nothing
   is loaded from another site; no inline script: it runs under a strict
   Content-Security-Policy. */
(function () {
  "use strict";

  var section = document.querySelector("section.share[data-url]");
  if (!section) {
    return;
  }
  var KEY = "reflexgen:mastodon-instance";
  var url = section.getAttribute("data-url");
  var title = section.getAttribute("data-title").replace(/\u2060/g, ""); // typography's joiners
  var status = section.querySelector(".share__status");
  var form = section.querySelector("form.share__mastodon");

  function button(name) {
    return section.querySelector('button[data-share="' + name + '"]');
  }

  function say(message, failed) {
    status.textContent = "";
    status.classList.toggle("share__status--error", Boolean(failed));
    window.setTimeout(function () { // a new text, announced even when it is the same
      status.textContent = message;
    }, 50);
  }

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // refused (privacy settings): the reader types their instance each time
    }
  }

  // « mastodon.social », « https://mastodon.social/ », « @moi@mastodon.social »: the host.
  function instance(typed) {
    var host = typed.trim().replace(/^https?:\/\//i, "").replace(/^@?[^@/]*@/, "")
      .split("/")[0].toLowerCase();
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d{1,5})?$/.test(host) ? host : "";
  }

  // Mastodon -------------------------------------------------------------------------------

  var toot = button("mastodon");
  if (toot && form) {
    var input = form.elements.namedItem("instance");
    section.querySelector("a[data-share-fallback]").hidden = true;
    toot.hidden = false;
    toot.addEventListener("click", function () {
      var open = form.hidden;
      form.hidden = !open;
      toot.setAttribute("aria-expanded", String(open));
      if (open) {
        var store = storage();
        input.value = input.value || (store && store.getItem(KEY)) || "";
        input.focus();
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var host = instance(input.value);
      if (!host) {
        input.setAttribute("aria-invalid", "true");
        say(form.getAttribute("data-invalid"), true);
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      try {
        var store = storage();
        if (store) {
          store.setItem(KEY, host);
        }
      } catch (error) {
        /* full or refused: shared all the same */
      }
      window.location.assign("https://" + host + "/share?text=" +
                             encodeURIComponent(title + " " + url));
    });
  }

  // Copy the address -----------------------------------------------------------------------

  function copyByHand() { // older browsers, or a page not served over https
    var field = document.createElement("textarea");
    field.value = url;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var done = false;
    try {
      done = document.execCommand("copy");
    } catch (error) {
      done = false;
    }
    field.remove();
    return done;
  }

  var copy = button("copy");
  if (copy) {
    copy.parentNode.hidden = false;
    copy.addEventListener("click", function () {
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(url)
        : Promise.reject(new Error("no clipboard"));
      copied.catch(function () {
        if (!copyByHand()) {
          throw new Error("not copied");
        }
      }).then(function () {
        say(section.getAttribute("data-copied"));
      }, function () {
        say(section.getAttribute("data-copy-failed"), true);
      });
    });
  }

  // The system's share sheet ---------------------------------------------------------------

  var device = button("device");
  if (device && typeof navigator.share === "function") {
    device.parentNode.hidden = false;
    device.addEventListener("click", function () {
      navigator.share({ title: title, url: url }).catch(function () {
        /* closed by the reader: nothing to say */
      });
    });
  }
})();
