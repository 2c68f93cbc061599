// reflexgen serve: live reload. Injected by the dev server into the pages it serves, never
// written into what `reflexgen build` produces.
(() => {
  "use strict";
  const scrollKey = "reflexgen:scroll:" + location.pathname;
  const saved = sessionStorage.getItem(scrollKey);
  if (saved !== null) {
    sessionStorage.removeItem(scrollKey);
    const restore = () => window.scrollTo(0, Number(saved));
    if (document.readyState === "complete") restore();
    else window.addEventListener("load", restore);
  }

  const state = { open: false, version: null };
  window.__reflexgen = state;
  const source = new EventSource("/__reflexgen__/events");
  source.onopen = () => { state.open = true; };
  source.onerror = () => { state.open = false; };  // EventSource reconnects by itself

  source.onmessage = (event) => {
    const message = JSON.parse(event.data);
    const missed = state.version !== null && message.version !== state.version;
    state.version = message.version;
    if (message.type === "hello") {
      showProblems(message.problems);
      if (missed && !message.problems.length) reload();  // rebuilt while we were away
    } else if (message.type === "css") {
      swapStylesheets(message.paths);
    } else if (message.type === "reload") {
      reload();
    } else if (message.type === "problems") {
      showProblems(message.problems);
    }
  };

  function reload() {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
    location.reload();
  }

  // The theme's stylesheets under their new names (old path → new path): the page is what
  // it was but for those names, and keeps its scroll position, its form and its script state.
  function swapStylesheets(paths) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin === location.origin && Object.hasOwn(paths, url.pathname)) {
        url.pathname = paths[url.pathname];
        link.href = url.href;
      }
    }
  }

  const french = document.documentElement.lang.toLowerCase().startsWith("fr");
  const words = french
    ? { title: "reflexgen : le site n’a pas pu être reconstruit",
        note: "Corrigez le fichier et enregistrez : cette page se met à jour d’elle-même." }
    : { title: "reflexgen: the site could not be rebuilt",
        note: "Fix the file and save: this page updates by itself." };

  function element(tag, css, text) {  // styled from scratch: the page's own CSS never leaks in
    const node = document.createElement(tag);
    node.style.cssText = "all:initial;display:block;box-sizing:border-box;" + css;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function showProblems(problems) {
    document.getElementById("reflexgen-problems")?.remove();
    if (!problems.length) return;
    const box = element("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(0,0,0,.55);padding:4vh 1rem");
    box.id = "reflexgen-problems";
    box.setAttribute("role", "alert");
    const panel = element("div", "max-width:60rem;margin:0 auto;background:#1d1f21;color:#f5f5f5;" +
      "border-top:4px solid #ff5252;border-radius:6px;padding:1.5rem 2rem;" +
      "box-shadow:0 10px 40px rgba(0,0,0,.5);font:15px/1.5 ui-monospace,monospace");
    panel.append(element("h2", "color:#ff8a80;font:bold 1.15rem/1.4 system-ui,sans-serif;" +
      "margin:0 0 1rem", words.title));
    for (const problem of problems) {
      const where = problem.file ? problem.file + (problem.line ? ":" + problem.line : "") : "";
      panel.append(element("pre", "white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 1rem;" +
        "font:inherit;color:inherit",
        (where ? where + "\n" : "") + problem.message +
        (problem.hint ? "\nhint: " + problem.hint : "")));
    }
    panel.append(element("p", "margin:0;color:#b0b0b0;font:14px/1.5 system-ui,sans-serif",
      words.note));
    box.append(panel);
    document.body.append(box);
  }
})();
