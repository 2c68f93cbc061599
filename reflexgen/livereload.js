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

  function swapStylesheets(paths) {
    for (const link of document.querySelectorAll('link[rel="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin === location.origin && paths.includes(url.pathname)) {
        url.searchParams.set("reflexgen", String(Date.now()));
        link.href = url.href;
      }
    }
  }

  function showProblems(problems) {
    document.getElementById("reflexgen-problems")?.remove();
    if (!problems.length) return;
    const box = document.createElement("div");
    box.id = "reflexgen-problems";
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;padding:2rem";
    const title = document.createElement("h2");
    title.textContent = "reflexgen: the site could not be rebuilt";
    title.style.cssText = "color:#ff8a80;font:bold 1.2rem sans-serif;margin:0 0 1rem";
    box.append(title);
    for (const problem of problems) {
      const item = document.createElement("pre");
      item.style.cssText = "white-space:pre-wrap;margin:0 0 1rem";
      const where = problem.file ? problem.file + (problem.line ? ":" + problem.line : "") : "";
      item.textContent = (where ? where + "\n" : "") + problem.message +
        (problem.hint ? "\nhint: " + problem.hint : "");
      box.append(item);
    }
    const note = document.createElement("p");
    note.textContent = "Fix the file and save: this page updates by itself.";
    box.append(note);
    document.body.append(box);
  }
})();
