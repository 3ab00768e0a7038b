// walint's upload page: sends the chosen list to POST /v1/fix (one request), then shows
// the totals, the rejected rows by WhatsApp error code, the rejected rows (name, masked
// number, reasons), and links to the clean list and the rejects. No library, no network
// but this service.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const form = $("upload");
  const input = $("file");
  const drop = $("drop");
  const button = $("check");
  const status = $("status");
  const TABLE_ROWS = 1000;
  let chosen = null;
  let rules = new Map();
  const links = [];

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function headers() {
    const token = $("token").value.trim();
    return token ? { Authorization: "Bearer " + token } : {};
  }

  // A 401: the token field is shown. Before anything was tried (the page's first load)
  // that is news, not an error; after a token was given or a list sent, it is.
  function needToken(response, firstLoad) {
    if (response.status !== 401) return false;
    $("token-field").hidden = false;
    $("token").focus();
    if (firstLoad) {
      say("This service asks for an access token: enter it to choose a campaign and check a list.");
    } else if ($("token").value.trim()) {
      say("The access token was not accepted: check it and try again.", true);
    } else {
      say("This service needs an access token: enter it and try again.", true);
    }
    return true;
  }

  // The rules (for the chart's labels) and the campaigns; again once a token is entered.
  async function loadCatalogue(firstLoad) {
    try {
      const r = await fetch("/v1/rules", { headers: headers() });
      if (needToken(r, firstLoad === true)) return;
      if (r.ok) {
        rules = new Map();
        for (const rule of await r.json()) rules.set(rule.code, rule);
      }
      const c = await fetch("/v1/campaigns", { headers: headers() });
      if (c.ok) {
        const select = $("campaign");
        const chosen = select.value;
        while (select.options.length > 1) select.remove(1);
        for (const name of (await c.json()).campaigns) {
          const option = document.createElement("option");
          option.value = name;
          option.textContent = name;
          select.append(option);
        }
        select.value = chosen;
        if (select.value !== chosen) select.value = "";
      }
      say("");
    } catch (e) {
      say("The service cannot be reached: " + e.message, true);
    }
  }

  function choose(file) {
    chosen = file || null;
    $("file-name").textContent = chosen ? chosen.name + " (" + chosen.size.toLocaleString() + " bytes)" : "";
    button.disabled = !chosen;
  }

  input.addEventListener("change", () => choose(input.files[0]));
  $("token").addEventListener("change", () => loadCatalogue(false));
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const type of ["dragleave", "drop"]) {
    drop.addEventListener(type, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  // The drop zone is the file input's label: Enter or Space on it opens the file picker.
  drop.tabIndex = 0;
  drop.setAttribute("role", "button");
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      input.click();
    }
  });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!chosen) return;
    const query = new URLSearchParams({ results: "rejected" });
    const region = $("region").value.trim().toUpperCase();
    if (region) query.set("region", region);
    const countryColumn = $("country-column").value.trim();
    if (countryColumn) query.set("country_column", countryColumn);
    if ($("international").checked) query.set("assume_international", "true");
    const campaign = $("campaign").value;
    if (campaign) query.set("campaign", campaign);
    const body = new FormData();
    body.append("file", chosen, chosen.name);
    button.disabled = true;
    say("Checking " + chosen.name + "…");
    try {
      const response = await fetch("/v1/fix?" + query, { method: "POST", body, headers: headers() });
      if (needToken(response, false)) return;
      if (!response.ok) {
        let message = response.status + " " + response.statusText;
        try {
          message = (await response.json()).error.message;
        } catch (_) {}
        say("The list could not be checked: " + message, true);
        return;
      }
      const parts = await response.formData();
      await show(parts);
    } catch (err) {
      say("The list could not be checked: " + err.message, true);
    } finally {
      button.disabled = !chosen;
    }
  });

  async function show(parts) {
    const summary = JSON.parse(parts.get("summary"));
    const results = (await parts.get("results").text())
      .split("\n")
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line))
      .filter((r) => r.status === "rejected");
    $("total-rows").textContent = summary.rows.toLocaleString();
    $("total-clean").textContent = summary.clean.toLocaleString();
    $("total-fixed").textContent = summary.fixed.toLocaleString();
    $("total-rejected").textContent = summary.rejected.toLocaleString();
    offer($("download-clean"), parts.get("clean"));
    offer($("download-rejects"), parts.get("rejects"));
    chart(summary);
    const names = await namesOf(parts.get("rejects"), summary);
    table(results, summary.rejected, names);
    $("result").hidden = false;
    say(
      summary.rows.toLocaleString() + " rows checked: " + summary.clean.toLocaleString() +
        " ready to send (" + summary.fixed.toLocaleString() + " fixed), " +
        summary.rejected.toLocaleString() + " rejected."
    );
    $("result-title").focus();
  }

  function offer(link, file) {
    while (links.length > 2) URL.revokeObjectURL(links.shift());
    const url = URL.createObjectURL(file);
    links.push(url);
    link.href = url;
    link.download = file.name;
  }

  // One bar per WhatsApp error code: the rejected rows whose findings prevent it, with the
  // walint rules behind it. Rows rejected by walint alone (no WhatsApp code) get a bar too.
  function chart(summary) {
    const list = $("chart");
    list.replaceChildren();
    const bars = [];
    const codesOf = new Map();
    for (const code of Object.keys(summary.rejected_by_code)) {
      const rule = rules.get(code);
      const key = !rule ? "?" : rule.wa_error != null ? String(rule.wa_error) : "";
      if (!codesOf.has(key)) codesOf.set(key, []);
      codesOf.get(key).push(rule ? code + " " + rule.name : code);
    }
    for (const [wa, count] of Object.entries(summary.rejected_by_wa_error)) {
      bars.push({ label: "WhatsApp " + wa, rules: codesOf.get(wa) || [], count });
    }
    // Codes whose rule is known to name no WhatsApp code (an unknown rule is not guessed).
    const walintOnly = (codesOf.get("") || []).filter((entry) => rules.has(entry.split(" ")[0]));
    for (const entry of walintOnly) {
      const code = entry.split(" ")[0];
      bars.push({ label: "walint " + code, rules: [entry], count: summary.rejected_by_code[code] });
    }
    bars.sort((a, b) => b.count - a.count);
    $("chart-empty").hidden = bars.length > 0;
    const top = Math.max(1, ...bars.map((b) => b.count));
    for (const bar of bars) {
      const item = document.createElement("li");
      const label = document.createElement("span");
      label.className = "label";
      const strong = document.createElement("strong");
      strong.textContent = bar.label;
      label.append(strong, document.createTextNode(bar.rules.join(", ")));
      const track = document.createElement("span");
      track.className = "track";
      track.setAttribute("aria-hidden", "true");
      const fill = document.createElement("span");
      fill.className = "bar";
      fill.style.display = "block";
      fill.style.width = (100 * bar.count) / top + "%";
      track.append(fill);
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = bar.count.toLocaleString();
      count.setAttribute("aria-label", bar.count + " rows");
      item.append(label, track, count);
      item.dataset.code = bar.label;
      item.dataset.count = String(bar.count);
      list.append(item);
    }
  }

  // Header words for a contact's name, compared without case, accents, spaces, dots,
  // dashes or underscores: a whole name first, else a first name (with a last name).
  const FULL_NAME = ["name", "fullname", "contactname", "customername", "clientname",
    "displayname", "nome", "nomecompleto", "nombre", "nombrecompleto", "nom", "nomcomplet",
    "namen", "nama", "naam", "isim", "adsoyad", "imya", "имя", "фио", "名前", "氏名", "姓名",
    "이름", "اسم", "الاسم", "नाम"];
  const FIRST_NAME = ["firstname", "givenname", "first", "vorname", "prenom", "primeironome",
    "nombredepila", "voornaam", "ad"];
  const LAST_NAME = ["lastname", "surname", "familyname", "nachname", "nomdefamille",
    "sobrenome", "apellido", "apellidos", "achternaam", "soyad"];
  const headerWord = (cell) =>
    cell.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/[\s._-]+/g, "");

  // The rejects file's leading records (up to the table's rows), read in the encoding and
  // with the delimiter the summary names; RFC 4180 quoting.
  async function leadingRecords(file, summary, wanted) {
    const label = !summary.encoding || summary.encoding.startsWith("UTF-8") ? "utf-8" : summary.encoding;
    let decoder;
    try {
      decoder = new TextDecoder(label);
    } catch (_) {
      decoder = new TextDecoder("utf-8");
    }
    const delimiter = summary.delimiter || ",";
    const text = decoder.decode(await file.slice(0, 8 << 20).arrayBuffer(), { stream: true });
    const records = [];
    let record = [];
    let cell = "";
    let quoted = false;
    let i = 0;
    while (i < text.length && records.length < wanted) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"' && cell === "") {
        quoted = true;
      } else if (c === delimiter) {
        record.push(cell);
        cell = "";
      } else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        record.push(cell);
        records.push(record);
        record = [];
        cell = "";
      } else {
        cell += c;
      }
      i++;
    }
    return records;
  }

  // Each rejected row's name (by walint_row), when the list has a name column.
  async function namesOf(file, summary) {
    const names = new Map();
    if (!file || summary.rejected === 0) return names;
    try {
      const [header, ...records] = await leadingRecords(file, summary, TABLE_ROWS + 1);
      if (!header) return names;
      const words = header.map(headerWord);
      const at = (list) => words.findIndex((w) => list.includes(w));
      const row = header.indexOf("walint_row");
      const full = at(FULL_NAME);
      const first = at(FIRST_NAME);
      const last = at(LAST_NAME);
      if (row < 0 || (full < 0 && first < 0)) return names;
      for (const r of records) {
        const name = full >= 0 ? r[full] : [r[first], last >= 0 ? r[last] : ""].join(" ");
        if (r[row] !== undefined) names.set(r[row], (name || "").trim());
      }
    } catch (_) {
      // A file the page cannot read shows no names; the counts and reasons stand.
    }
    return names;
  }

  function table(results, rejected, names) {
    const body = $("rejects").tBodies[0];
    body.replaceChildren();
    for (const r of results.slice(0, TABLE_ROWS)) {
      const tr = document.createElement("tr");
      for (const [text, numeric] of [
        [String(r.row), true],
        [names.get(String(r.row)) || "", false],
        [r.phone || "", false],
        [r.codes.join(" "), false],
        [r.reasons.join("; "), false],
      ]) {
        const td = document.createElement("td");
        td.textContent = text;
        if (numeric) td.className = "num";
        tr.append(td);
      }
      body.append(tr);
    }
    $("rejects-note").textContent =
      rejected > TABLE_ROWS
        ? "The first " + TABLE_ROWS.toLocaleString() + " of " + rejected.toLocaleString() +
          " rejected rows; the rejects file has them all."
        : rejected === 0
          ? "Every row can be sent."
          : "Row is the row in the list (from 1); numbers show their country code and last two digits.";
  }

  $("result-title").tabIndex = -1;
  loadCatalogue(true);
})();
