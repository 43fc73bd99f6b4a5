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

  // A busy button stays focusable (a disabled one drops the keyboard focus to <body>): it is
  // marked aria-disabled and its form ignores a submit meanwhile.
  const busy = (button) => button.getAttribute("aria-disabled") === "true";
  function setBusy(button, on) {
    if (on) button.setAttribute("aria-disabled", "true");
    else button.removeAttribute("aria-disabled");
  }

  // A field left empty says why, on the field itself (its error joins its description).
  function fieldError(field, error, on) {
    const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter((id) => id && id !== error.id);
    if (on) {
      field.setAttribute("aria-invalid", "true");
      described.push(error.id);
      error.hidden = false;
      field.focus();
    } else {
      field.removeAttribute("aria-invalid");
      error.hidden = true;
    }
    field.setAttribute("aria-describedby", described.join(" "));
  }

  // What the server wrote in another language than the page's carries its own lang attribute,
  // so that a screen reader reads it with the right voice.
  const pageLang = document.documentElement.lang;
  const inLang = (node, lang) => {
    if (lang && lang !== pageLang) node.setAttribute("lang", lang);
    return node;
  };

  // --- one ticket -------------------------------------------------------------------------
  const form = $("ask-form");
  let answered = false;

  function renderSection(section, n, many) {
    const article = el("article", { class: "section", "data-section": String(n) });
    // Under the answer's h2: "Question n" headings (h3) and theirs (h4) for several questions,
    // the facts' and citations' headings right under it (h3) for one.
    const sub = many ? "h4" : "h3";
    if (many) article.appendChild(el("h3", {}, fmt("question_n", { n })));
    if (section.reading_note) {
      const note = el("p", { class: "note", role: "note" });
      note.appendChild(el("strong", {}, S.reading_note + " "));
      note.appendChild(inLang(el("span", {}, section.reading_note), section.lang));
      article.appendChild(note);
    }
    // One question: its text is the answer box above; several: each answer under its heading.
    if (many) article.appendChild(inLang(el("pre", { class: "answer" }, section.text), section.lang));
    if (section.choices && section.choices.length) {
      article.appendChild(el("p", {}, S.choices));
      const ul = inLang(el("ul", {}), section.lang);
      section.choices.forEach((c) => ul.appendChild(el("li", {}, c)));
      article.appendChild(ul);
    }
    if (section.facts.length) {
      article.appendChild(el(sub, {}, S.facts));
      const dl = inLang(el("dl", { class: "facts" }), section.lang);
      section.facts.forEach(([label, value]) => {
        const row = el("div", {});
        row.appendChild(el("dt", {}, label));
        row.appendChild(el("dd", {}, value));
        dl.appendChild(row);
      });
      article.appendChild(dl);
    }
    if (section.links.length) {
      article.appendChild(el(sub, {}, S.cited));
      const ul = inLang(el("ul", { class: "links" }), section.lang);
      section.links.forEach((link) => {
        const li = el("li", {});
        li.appendChild(el("a", { href: link.url, rel: "noopener noreferrer", target: "_blank" }, link.title));
        ul.appendChild(li);
      });
      article.appendChild(ul);
    }
    return article;
  }

  let askAgain = false;  // a new day or language chosen while an answer was on its way

  async function ask(again) {
    const text = $("ticket").value;
    if (busy($("ask-button"))) { askAgain = askAgain || Boolean(again); return; }
    if (!text.trim()) { fieldError($("ticket"), $("ticket-error"), true); return; }
    // The status region says "Answering…", then which day the answer is for: every answer
    // changes its text, so every answer is announced (it is never cleared).
    $("ask-status").textContent = S.working;
    setBusy($("ask-button"), true);
    try {
      const data = await call("POST", "/support/api/answer", JSON.stringify({
        text, lang: $("answer-lang").value || null, today: $("today").value || null,
      }), { "Content-Type": "application/json" });
      $("answer-text").value = data.text;
      $("answer-text").setAttribute("lang", data.lang);
      const day = new Date(data.today + "T00:00:00Z").toLocaleDateString(pageLang,
        { dateStyle: "long", timeZone: "UTC" });
      $("as-of").textContent = fmt("as_of", { day });
      const box = $("sections");
      box.replaceChildren();
      const many = data.sections.length > 1;
      data.sections.forEach((s, i) => box.appendChild(renderSection(s, i + 1, many)));
      $("result").hidden = false;
      $("copy-status").textContent = "";
      $("ask-status").textContent = $("as-of").textContent;
      if (!answered) $("answer-heading").focus();
      answered = true;
    } catch (err) {
      $("ask-status").textContent = fmt("error", { message: err.message });
    } finally {
      setBusy($("ask-button"), false);
    }
    if (askAgain) { askAgain = false; ask(); }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); ask(); });
  $("ticket").addEventListener("input", () => {
    if ($("ticket").value.trim()) fieldError($("ticket"), $("ticket-error"), false);
  });
  // A new "answer as of" day re-answers the same ticket: the date-dependent facts follow.
  ["today", "answer-lang"].forEach((id) => $(id).addEventListener("change", () => { if (answered) ask(true); }));

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

  // An export is named by its file and when it was uploaded: two of one file are told apart.
  const uploaded = (job) => new Date(job.created_at).toLocaleString(pageLang,
    { dateStyle: "short", timeStyle: "medium" });
  const jobName = (job) => `${job.filename} (${uploaded(job)})`;

  function renderJob(job) {
    let li = jobs.querySelector(`li[data-job="${job.id}"]`);
    if (!li) {
      const empty = jobs.querySelector(".empty");
      if (empty) empty.remove();
      li = el("li", { "data-job": job.id, class: "job" });
      const name = el("span", { class: "name" }, job.filename + " ");
      name.appendChild(el("span", { class: "time" }, `(${uploaded(job)})`));
      li.appendChild(name);
      const bar = el("progress", { max: "100", value: "0", "aria-label": fmt("progress_label", { name: jobName(job) }) });
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
      dl.appendChild(el("a", { href: job.result_url, download: "" }, fmt("download", { name: jobName(job) })));
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
      $("batch-status").textContent = fmt("job_finished", { name: jobName(final), status: S["status_" + final.status] });
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
    if (busy($("upload-button"))) return;
    if (!file) { fieldError($("batch-file"), $("file-error"), true); return; }
    const body = new FormData();
    body.append("lang", $("batch-lang").value);
    body.append("today", $("batch-today").value);
    body.append("file", file, file.name);
    setBusy($("upload-button"), true);
    $("batch-status").textContent = "";
    try {
      follow(await call("POST", "/support/api/jobs", body));
      $("batch-form").reset();
    } catch (err) {
      $("batch-status").textContent = fmt("error", { message: err.message });
    } finally {
      setBusy($("upload-button"), false);
    }
  });
  $("batch-file").addEventListener("change", () => {
    if ($("batch-file").files.length) fieldError($("batch-file"), $("file-error"), false);
  });

  // After a reload the exports are still there: list them and follow the unfinished ones.
  call("GET", "/support/api/jobs").then((data) => data.jobs.slice().reverse().forEach(follow)).catch(() => {});
})();
