// The support desk page: answer a ticket, copy the answer, answer an export with progress.
// Plain JavaScript, no build; the page's words come from the server (#strings: the catalogue's
// support.* templates for the page's language), never from tables of its own.
"use strict";
(function () {
  const S = JSON.parse(document.getElementById("strings").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const fmt = (key, params) => S[key].replace(/\{(\w+)\}/g, (_, k) => String(params[k]));
  const el = (tag, attrs, text) => {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  async function call(method, url, body, headers) {
    const response = await fetch(url, {
      method, body, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": csrf, Accept: "application/json" }, headers || {}),
    });
    if (response.status === 401) { window.location.assign("/support/login?next=/support"); }
    const data = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(data.error || response.statusText);
    return data;
  }

  // --- one ticket -------------------------------------------------------------------------
  const form = $("ask-form");
  let answered = false;

  function renderSection(section, n, many) {
    const article = el("article", { class: "section", "data-section": String(n) });
    if (many) article.appendChild(el("h3", {}, fmt("question_n", { n })));
    if (section.reading_note) {
      const note = el("p", { class: "note", role: "note" });
      note.appendChild(el("strong", {}, S.reading_note + " "));
      note.appendChild(document.createTextNode(section.reading_note));
      article.appendChild(note);
    }
    // One question: its text is the answer box above; several: each answer under its heading.
    if (many) article.appendChild(el("pre", { class: "answer" }, section.text));
    if (section.choices && section.choices.length) {
      article.appendChild(el("p", {}, S.choices));
      const ul = el("ul", {});
      section.choices.forEach((c) => ul.appendChild(el("li", {}, c)));
      article.appendChild(ul);
    }
    if (section.facts.length) {
      article.appendChild(el("h4", {}, S.facts));
      const dl = el("dl", { class: "facts" });
      section.facts.forEach(([label, value]) => {
        const row = el("div", {});
        row.appendChild(el("dt", {}, label));
        row.appendChild(el("dd", {}, value));
        dl.appendChild(row);
      });
      article.appendChild(dl);
    }
    if (section.links.length) {
      article.appendChild(el("h4", {}, S.cited));
      const ul = el("ul", { class: "links" });
      section.links.forEach((link) => {
        const li = el("li", {});
        li.appendChild(el("a", { href: link.url, rel: "noopener noreferrer", target: "_blank" }, link.title));
        ul.appendChild(li);
      });
      article.appendChild(ul);
    }
    return article;
  }

  async function ask() {
    const text = $("ticket").value;
    if (!text.trim()) { $("ticket").focus(); return; }
    $("ask-status").textContent = S.working;
    $("ask-button").disabled = true;
    try {
      const data = await call("POST", "/support/api/answer", JSON.stringify({
        text, lang: $("answer-lang").value || null, today: $("today").value || null,
      }), { "Content-Type": "application/json" });
      $("answer-text").value = data.text;
      const day = new Date(data.today + "T00:00:00Z").toLocaleDateString(document.documentElement.lang,
        { dateStyle: "long", timeZone: "UTC" });
      $("as-of").textContent = fmt("as_of", { day });
      const box = $("sections");
      box.replaceChildren();
      const many = data.sections.length > 1;
      data.sections.forEach((s, i) => box.appendChild(renderSection(s, i + 1, many)));
      $("result").hidden = false;
      $("copy-status").textContent = "";
      $("ask-status").textContent = "";
      if (!answered) $("answer-heading").focus();
      answered = true;
    } catch (err) {
      $("ask-status").textContent = fmt("error", { message: err.message });
    } finally {
      $("ask-button").disabled = false;
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); ask(); });
  // A new "answer as of" day re-answers the same ticket: the date-dependent facts follow.
  ["today", "answer-lang"].forEach((id) => $(id).addEventListener("change", () => { if (answered) ask(); }));

  $("copy-button").addEventListener("click", async () => {
    const text = $("answer-text").value;
    try {
      await navigator.clipboard.writeText(text);
      $("copy-status").textContent = S.copied;
    } catch (err) {
      $("answer-text").select();
      const ok = document.execCommand && document.execCommand("copy");
      $("copy-status").textContent = ok ? S.copied : S.copy_failed;
    }
  });

  // --- exports ----------------------------------------------------------------------------
  const jobs = $("jobs");
  const streams = {};

  function renderJob(job) {
    let li = jobs.querySelector(`li[data-job="${job.id}"]`);
    if (!li) {
      const empty = jobs.querySelector(".empty");
      if (empty) empty.remove();
      li = el("li", { "data-job": job.id, class: "job" });
      li.appendChild(el("span", { class: "name" }, job.filename));
      const bar = el("progress", { max: "100", value: "0", "aria-label": fmt("progress_label", { name: job.filename }) });
      li.appendChild(bar);
      li.appendChild(el("span", { class: "percent" }));
      li.appendChild(el("span", { class: "count" }));
      li.appendChild(el("span", { class: "state" }));
      li.appendChild(el("span", { class: "download" }));
      jobs.prepend(li);
    }
    li.dataset.status = job.status;
    li.querySelector("progress").value = job.percent;
    li.querySelector(".percent").textContent = job.percent + " %";
    const num = (n) => n.toLocaleString(document.documentElement.lang);
    const count = job.total === null ? "" : fmt("rows", { done: num(job.done), total: num(job.total) })
      + (job.failed ? " · " + fmt("failed_rows", { n: num(job.failed) }) : "");
    li.querySelector(".count").textContent = count;
    li.querySelector(".state").textContent = S["status_" + job.status] + (job.error ? " – " + job.error : "");
    const dl = li.querySelector(".download");
    if (job.result_url && !dl.firstChild) {
      dl.appendChild(el("a", { href: job.result_url, download: "" }, fmt("download", { name: job.filename })));
    }
  }

  function follow(job) {
    renderJob(job);
    if (job.status === "done" || job.status === "failed" || streams[job.id]) return;
    const source = new EventSource(job.events_url);
    streams[job.id] = source;
    source.addEventListener("progress", (e) => renderJob(JSON.parse(e.data)));
    source.addEventListener("end", (e) => {
      const final = JSON.parse(e.data);
      renderJob(final);
      source.close(); delete streams[job.id];
      // One announcement when an export ends (the bar itself is not a live region).
      $("batch-status").textContent = fmt("job_finished", { name: final.filename, status: S["status_" + final.status] });
    });
    source.onerror = () => {
      // The server went away (a restart): poll until it answers again, then follow anew.
      source.close(); delete streams[job.id];
      setTimeout(() => call("GET", `/support/api/jobs/${job.id}`).then(follow).catch(() => follow(job)), 2000);
    };
  }

  $("batch-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = $("batch-file").files[0];
    if (!file) { $("batch-file").focus(); return; }
    const body = new FormData();
    body.append("lang", $("batch-lang").value);
    body.append("today", $("batch-today").value);
    body.append("file", file, file.name);
    $("upload-button").disabled = true;
    $("batch-status").textContent = "";
    try {
      follow(await call("POST", "/support/api/jobs", body));
      $("batch-form").reset();
    } catch (err) {
      $("batch-status").textContent = fmt("error", { message: err.message });
    } finally {
      $("upload-button").disabled = false;
    }
  });

  // After a reload the exports are still there: list them and follow the unfinished ones.
  call("GET", "/support/api/jobs").then((data) => data.jobs.slice().reverse().forEach(follow)).catch(() => {});
})();
