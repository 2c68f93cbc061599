/* Site search with Pagefind's index (/pagefind/, made by every build).
 *
 * Without JavaScript the header shows a link to the search page, and that page says how to
 * browse instead. With it, the header link becomes a box with the first results under it,
 * and the search page searches as the reader types, with filters by byline, tag and
 * category; the query and filters stay in the address (?q=…&tag=…), so a search can be
 * shared or reloaded. Pagefind (its script and index) loads on first use, from this site
 * only. Text from the index goes into the page as text, never as HTML. */
(function () {
  "use strict";
  var box = document.querySelector("[data-search]");
  if (!box || !window.Promise || !document.querySelector || !window.URLSearchParams) return;
  var say = box.dataset;
  var loaded = null;

  function pagefind() {  // the Pagefind module, imported once
    if (!loaded) {
      loaded = import(new URL(say.bundle + "pagefind.js", document.baseURI).href)
        .then(function (module) {
          return module.options({ baseUrl: say.base, excerptLength: 24 }).then(function () {
            module.init();
            return module;
          });
        });
      loaded.catch(function () { loaded = null; });  // a later try may work
    }
    return loaded;
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return name in values ? values[name] : whole;
    });
  }

  function counted(count, query) {
    var template = query ? (count === 0 ? say.none : count === 1 ? say.one : say.many)
      : (count === 0 ? say.noneListed : count === 1 ? say.oneListed : say.manyListed);
    return fill(template, { count: count.toLocaleString(document.documentElement.lang), query: query });
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // Pagefind's excerpt is the page's text with < and > escaped and the words found in <mark>:
  // rebuilt here from text nodes and <mark> elements only.
  function excerpt(html) {
    var paragraph = element("p", "search-result__excerpt");
    html.split(/(<\/?mark>)/).reduce(function (marked, part) {
      if (part === "<mark>") return true;
      if (part === "</mark>") return false;
      var text = part.replace(/&lt;/g, "<").replace(/&gt;/g, ">");
      if (text) paragraph.appendChild(marked ? element("mark", "", text) : document.createTextNode(text));
      return marked;
    }, false);
    return paragraph;
  }

  function result(data, full) {
    var item = element("li", "search-result");
    var link = element("a", "search-result__title", (data.meta && data.meta.title) || data.url);
    link.href = /^\//.test(data.url) ? data.url : say.base;
    item.appendChild(link);
    var meta = data.meta || {};
    var line = [meta.author, meta.date].filter(Boolean).join(" · ");
    if (line) item.appendChild(element("p", "search-result__meta", line));
    if (full || data.excerpt) item.appendChild(excerpt(data.excerpt || ""));
    return item;
  }

  // Runs `query` with `filters`; `show(count, items)` is called with the latest search only.
  var latest = 0;
  function run(query, filters, limit, show, failed) {
    var ticket = ++latest;
    return pagefind().then(function (module) {
      return module.search(query, { filters: filters, sort: query ? undefined : { date: "desc" } });
    }).then(function (search) {
      if (ticket !== latest || !search) return;
      return Promise.all(search.results.slice(0, limit).map(function (r) { return r.data(); }))
        .then(function (found) { if (ticket === latest) show(search.results.length, found); });
    }).catch(function () { if (ticket === latest) failed(); });
  }

  // The header: a box in place of the link, the first five results under it.
  (function header() {
    var link = box.querySelector(".site-search__link");
    var form = box.querySelector(".site-search__form");
    var input = form.querySelector("input");
    var panel = form.querySelector(".site-search__results");
    if (document.querySelector("[data-search-page]")) return;  // the page has its own form
    link.hidden = true;
    form.hidden = false;
    input.addEventListener("focus", function () { pagefind(); }, { once: true });
    var timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var query = input.value.trim();
      if (!query) { panel.hidden = true; panel.textContent = ""; return; }
      timer = setTimeout(function () {
        run(query, {}, 5, function (count, found) {
          panel.textContent = "";
          panel.appendChild(element("p", "site-search__status", counted(count, query)));
          var list = element("ol", "site-search__list");
          found.forEach(function (data) { list.appendChild(result(data, false)); });
          panel.appendChild(list);
          if (count > found.length) {
            var more = element("a", "site-search__more", say.more || "→");
            more.href = form.action + "?q=" + encodeURIComponent(query);
            panel.appendChild(more);
          }
          panel.hidden = false;
        }, function () { panel.textContent = say.failed; panel.hidden = false; });
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { panel.hidden = true; input.value = ""; }
    });
  })();

  // The search page: the query and filters from the address, results as the reader types.
  (function page() {
    var form = document.querySelector("[data-search-page]");
    if (!form) return;
    var input = form.querySelector("input[name=q]");
    var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
    var status = document.querySelector("[data-search-status]");
    var list = document.querySelector("[data-search-results]");
    var asked = new URLSearchParams(location.search);
    form.hidden = false;
    input.value = asked.get("q") || "";

    function chosen() {
      var filters = {};
      selects.forEach(function (select) { if (select.value) filters[select.dataset.filter] = select.value; });
      return filters;
    }

    function search() {
      var query = input.value.trim();
      var filters = chosen();
      var address = new URLSearchParams();
      if (query) address.set("q", query);
      Object.keys(filters).forEach(function (name) { address.set(name, filters[name]); });
      history.replaceState(null, "", address.toString() ? "?" + address : location.pathname);
      if (!query && !Object.keys(filters).length) { status.textContent = ""; list.textContent = ""; return; }
      status.textContent = say.loading;
      run(query || null, filters, 50, function (count, found) {
        status.textContent = counted(count, query);
        list.textContent = "";
        found.forEach(function (data) { list.appendChild(result(data, true)); });
        list.dataset.shown = location.search;  // what the list answers
      }, function () { status.textContent = say.failed; });
    }

    pagefind().then(function (module) { return module.filters(); }).then(function (known) {
      selects.forEach(function (select) {
        var values = Object.keys(known[select.dataset.filter] || {}).sort(function (a, b) {
          return a.localeCompare(b, document.documentElement.lang);
        });
        values.forEach(function (value) {
          var option = element("option", "", value);
          option.value = value;
          select.appendChild(option);
        });
        select.value = asked.get(select.dataset.filter) || "";
        select.parentNode.hidden = values.length === 0;
        select.addEventListener("change", search);
      });
      search();
    }).catch(function () { status.textContent = say.failed; });

    var timer = null;
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 150); });
    form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
  })();
})();
