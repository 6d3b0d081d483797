/* Searches the wiki in the reader's browser, from the language's prebuilt index.
 *
 * The index (handlers/site/search_index.py) holds each entry's words folded as the bot's
 * search folds them; the query is folded the same way here: compatibility decomposition,
 * combining marks dropped, lower case, the same Arabic letters merged. An entry is found
 * when every query word starts one of its words (or, for Chinese and Japanese, appears in
 * one); those with more query words in the title come first. Nothing is sent anywhere.
 */
(function () {
  "use strict";
  var LIMIT = 20;
  var ARABIC = { "\u0640": "", "\u0671": "\u0627", "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647" };
  var CJK = /[\u3005-\u3007\u3040-\u309f\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;

  function fold(text) {
    return String(text).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()
      .replace(/[\u0640\u0671\u0623\u0625\u0622\u0649\u0629]/g, function (c) { return ARABIC[c]; })
      .replace(/[\u0660-\u0669]/g, function (c) { return String(c.charCodeAt(0) - 0x660); })
      .replace(/[\u06f0-\u06f9]/g, function (c) { return String(c.charCodeAt(0) - 0x6f0); });
  }

  function terms(query) {
    return fold(query).match(/[\p{L}\p{N}]+/gu) || [];
  }

  function holds(words, term) {
    return CJK.test(term) ? words.indexOf(term) >= 0 : words.indexOf(" " + term) >= 0;
  }

  /* The positions of the entries matching `query`, best first, and how many there are. */
  function search(index, query) {
    var wanted = terms(query);
    if (!wanted.length) return { found: [], total: 0 };
    var hits = [];
    var all = index.words, titles = index.titleWords;
    for (var i = 0; i < all.length; i++) {
      var words = all[i], ok = true;
      for (var t = 0; t < wanted.length; t++) {
        if (!holds(words, wanted[t])) { ok = false; break; }
      }
      if (!ok) continue;
      var inTitle = 0;
      for (t = 0; t < wanted.length; t++) if (holds(titles[i], wanted[t])) inTitle++;
      hits.push(i - inTitle * all.length);  /* one number sorts: title hits, then index order */
    }
    hits.sort(function (a, b) { return a - b; });
    var found = [];
    for (var h = 0; h < hits.length && h < LIMIT; h++) found.push(((hits[h] % all.length) + all.length) % all.length);
    return { found: found, total: hits.length };
  }

  function load(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (answer) {
      if (!answer.ok) throw new Error("search index: " + answer.status);
      return answer.json();
    }).then(function (index) {
      if (index.format !== 1) throw new Error("search index: unknown format");
      return index;
    });
  }

  function start() {
    var form = document.getElementById("search");
    if (!form || !window.fetch) return;
    var box = document.getElementById("search-box");
    var status = document.getElementById("search-status");
    var list = document.getElementById("search-results");
    var pending = null, index = null;
    form.hidden = false;

    function show() {
      if (!index) return;
      var began = performance.now();
      var result = search(index, box.value);
      list.dataset.ms = String(performance.now() - began);
      list.textContent = "";
      result.found.forEach(function (at) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = form.dataset.root + index.href[at];
        link.textContent = index.title[at];
        var kind = document.createElement("span");
        kind.className = "kind";
        kind.textContent = " · " + index.kind[at];
        item.appendChild(link);
        item.appendChild(kind);
        list.appendChild(item);
      });
      status.textContent = !box.value.trim() ? "" :
        result.total ? form.dataset.found.replace("{count}", String(result.total)) : form.dataset.none;
    }

    function ready() {
      if (!pending) {
        pending = load(form.dataset.index).then(function (loaded) { index = loaded; show(); });
      }
      return pending;
    }

    box.addEventListener("focus", ready);
    box.addEventListener("input", function () { ready().then(show); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) first.focus();
    });
    form.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Escape") return;
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      if (event.key === "Escape") { box.value = ""; show(); box.focus(); return; }
      if (!links.length) return;
      var at = links.indexOf(document.activeElement);
      var next = event.key === "ArrowDown" ? at + 1 : at - 1;
      event.preventDefault();
      if (next < 0) box.focus(); else links[Math.min(next, links.length - 1)].focus();
    });
  }

  window.copbotSearch = { fold: fold, search: search, load: load };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
}());
