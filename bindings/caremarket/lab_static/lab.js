// caremarket lab: the form, the list of runs and a run's result. Everything comes from the lab's own
// JSON API (caremarket/lab.py); charts are Debian's Chart.js, served by the lab.
"use strict";

const COUNCIL = "__council__";
let levers = [];
let scenarioValues = {};
let shownRun = null;
let polling = null;
let lastRuns = "";
const charts = [];

const $ = (id) => document.getElementById(id);

function element(tag, attributes = {}, text = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (text) node.textContent = text;
  return node;
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const body = await response.json().catch(() => ({error: `the lab answered ${response.status}`}));
  if (!response.ok) throw Object.assign(new Error(body.error || response.statusText), {body});
  return body;
}

// --- where ---------------------------------------------------------------------------------------

async function loadPlaces() {
  const places = await getJSON("/api/places");
  const select = $("scenario");
  for (const name of places.scenarios) select.append(element("option", {value: name}, name.replace(/_/g, " ")));
  select.append(element("option", {value: COUNCIL}, "A council of England…"));
  for (const c of places.councils) $("council-list").append(element("option", {value: c.name}, `${c.code} · ${c.region}`));
  if (places.scenarios.includes("somerset")) select.value = "somerset";
  select.addEventListener("change", placeChanged);
  $("council").addEventListener("change", placeChanged);
  await placeChanged();
}

function place() {
  const scenario = $("scenario").value;
  return scenario === COUNCIL ? {scenario: "", council: $("council").value.trim()} : {scenario, council: ""};
}

let placeAsked = 0;  // answers that come back out of order are dropped: the last place chosen wins

async function placeChanged() {
  $("council-field").hidden = $("scenario").value !== COUNCIL;
  clearErrors();
  const where = place();
  const asked = ++placeAsked;
  if ($("scenario").value === COUNCIL && !where.council) { $("facts").replaceChildren(); return; }
  const query = new URLSearchParams(where);
  try {
    const facts = await getJSON(`/api/facts?${query}`);
    if (asked !== placeAsked) return;
    showFacts(facts);
    scenarioValues = facts.values;
    for (const lever of levers) setLeverValue(lever, facts.values[lever.key]);
  } catch (error) {
    showErrors(error.body || {error: error.message});
  }
}

function showFacts(f) {
  const money = (m) => `£${m.toLocaleString("en-GB", {maximumFractionDigits: 1})} m a year`;
  const rows = [
    ["Councils", `${f.councils.length}: ${f.councils.slice(0, 5).join(", ")}${f.councils.length > 5 ? "…" : ""}`],
    ["Adults living there", f.adults ? f.adults.toLocaleString("en-GB") : "not given"],
    ["People with care needs", f.people_with_needs.toLocaleString("en-GB")],
    ["Home care workers", f.workers.toLocaleString("en-GB")],
    ["Providers", f.providers.toLocaleString("en-GB")],
    ["Care budget", money(f.budget_million)],
    ["Council's usual rate", f.reference_rate ? `£${Number(f.reference_rate).toFixed(2)} an hour` : "not given"],
  ];
  $("facts").replaceChildren(...rows.flatMap(([k, v]) => [element("dt", {}, k), element("dd", {}, v)]));
}

// --- the levers ------------------------------------------------------------------------------------

function leverInput(lever) {
  const id = `lever-${lever.key.replace(/\./g, "-")}`;
  const field = element("div", {class: "field"});
  const help = element("small", {id: `${id}-help`}, lever.help);
  const error = element("span", {class: "error", id: `${id}-error`, "aria-live": "polite"});
  let input;
  if (lever.kind === "choice") {
    input = element("select", {id, name: lever.key});
    for (const choice of lever.choices) input.append(element("option", {value: choice}, choice.replace(/_/g, " ")));
  } else if (lever.kind === "boolean") {
    input = element("input", {id, name: lever.key, type: "checkbox"});
  } else {
    input = element("input", {id, name: lever.key, type: "number", min: lever.low, max: lever.high,
                               step: lever.step, inputmode: "decimal"});
    const allowed = `${lever.low} to ${lever.high}${lever.unit ? " " + lever.unit : ""}`;
    help.textContent = `${lever.help} (${allowed}).`;
  }
  input.setAttribute("aria-describedby", `${id}-help ${id}-error`);
  input.dataset.key = lever.key;
  const label = element("label", {for: id}, lever.label + (lever.unit ? ` (${lever.unit})` : ""));
  if (lever.kind === "boolean") field.classList.add("check");
  field.append(label, input, help, error);
  return field;
}

function leverElement(lever) { return document.querySelector(`[data-key="${lever.key}"]`); }

function setLeverValue(lever, value) {
  const input = leverElement(lever);
  if (!input || value === undefined || value === null) return;
  if (lever.kind === "boolean") input.checked = Boolean(value); else input.value = value;
}

function leverValue(lever) {
  const input = leverElement(lever);
  if (lever.kind === "boolean") return input.checked;
  if (lever.kind === "choice") return input.value;
  return input.value === "" ? null : Number(input.value);
}

async function loadLevers() {
  levers = await getJSON("/api/levers");
  $("levers").replaceChildren(...levers.map(leverInput));
}

// --- submitting ------------------------------------------------------------------------------------

function clearErrors() {
  for (const node of document.querySelectorAll(".error")) node.textContent = "";
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function showErrors(body) {
  const fields = body.fields || {};
  let first = null;
  for (const [field, why] of Object.entries(fields)) {
    const input = document.querySelector(`[data-key="${field}"]`) || $(field);
    const error = input ? $(`${input.id}-error`) : $("levers-error");
    if (error) error.textContent = `Allowed: ${why}`;
    if (input) { input.setAttribute("aria-invalid", "true"); first = first || input; }
  }
  $("form-status").textContent = body.error ? `Not run: ${body.error}.` : "";
  if (first) first.focus();
}

// The lab checks every value again; checking here first says what is allowed without a round trip.
function formProblems() {
  const problems = {};
  for (const lever of levers) {
    if (lever.kind !== "real" && lever.kind !== "integer") continue;
    const value = leverValue(lever);
    const allowed = `between ${lever.low} and ${lever.high}${lever.unit ? " " + lever.unit : ""}`;
    if (value === null || !Number.isFinite(value) || value < lever.low || value > lever.high) problems[lever.key] = allowed;
    else if (lever.kind === "integer" && !Number.isInteger(value)) problems[lever.key] = `a whole number ${allowed}`;
  }
  const whole = (id, low, high, what) => {
    const value = Number($(id).value);
    if ($(id).value === "" || !Number.isInteger(value) || value < low || value > high) {
      problems[id] = `a whole number of ${what} between ${low} and ${high}`;
    }
  };
  whole("years", 1, 20, "years");
  whole("replicates", 2, 50, "replicates");
  if (!$("name").value.trim()) problems.name = "a name for this policy";
  if ($("scenario").value === COUNCIL && !$("council").value.trim()) problems.council = "a council of England from the list";
  return problems;
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  const problems = formProblems();
  if (Object.keys(problems).length) { showErrors({error: "the form has problems", fields: problems}); return; }
  const changed = {};
  for (const lever of levers) {
    const value = leverValue(lever);
    if (value === null) { changed[lever.key] = ""; continue; }
    if (value !== scenarioValues[lever.key]) changed[lever.key] = value;
  }
  const form = {...place(), name: $("name").value, levers: changed, start: $("start").value,
                years: Number($("years").value), replicates: Number($("replicates").value)};
  try {
    const job = await getJSON("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"},
                                            body: JSON.stringify(form)});
    $("form-status").textContent = `Queued "${job.name}".`;
    await refreshRuns();
    show(job.id);
  } catch (error) {
    showErrors(error.body || {error: error.message});
  }
}

// --- the runs --------------------------------------------------------------------------------------

function statusText(job) {
  if (job.status === "running") return `running: ${job.done_runs} of ${job.total_runs} runs`;
  if (job.status === "done") return `done in ${job.seconds} s`;
  return job.status + (job.message && job.status !== "cancelled" ? `: ${job.message.split("\n").pop()}` : "");
}

async function refreshRuns() {
  const jobs = await getJSON("/api/runs");
  const text = JSON.stringify(jobs);
  if (text === lastRuns) return jobs;  // nothing changed: the table stays as it is (and keyboard focus in it)
  lastRuns = text;
  const checked = new Set([...document.querySelectorAll("#runs input:checked")].map((x) => x.value));
  const body = $("runs").querySelector("tbody");
  body.replaceChildren(...jobs.map((job) => {
    const row = element("tr", {"data-run": job.id, "data-status": job.status});
    const pick = element("input", {type: "checkbox", value: job.id, "aria-label": `compare ${job.name}`});
    pick.checked = checked.has(job.id);
    pick.disabled = job.status !== "done";
    pick.addEventListener("change", sideBySide);
    const status = element("td", {class: "status"});
    status.append(document.createTextNode(statusText(job)));
    if (job.status === "running" || job.status === "queued") {
      status.append(element("progress", {max: job.total_runs, value: job.done_runs,
                                         "aria-label": `${job.name}: runs done`}));
    }
    const actions = element("td");
    const view = element("button", {type: "button"}, "Show");
    view.addEventListener("click", () => show(job.id));
    actions.append(view);
    if (job.status === "running" || job.status === "queued") {
      const cancel = element("button", {type: "button", class: "cancel"}, "Cancel");
      cancel.addEventListener("click", async () => {
        cancel.disabled = true;
        try {
          await getJSON(`/api/runs/${job.id}/cancel`, {method: "POST"});
        } catch (error) {
          $("form-status").textContent = `Could not cancel "${job.name}": ${error.message}`;
        }
        refreshRuns();
      });
      actions.append(cancel);
    }
    const pickCell = element("td");
    pickCell.append(pick);
    row.append(pickCell, element("td", {}, job.name), element("td", {}, job.council || job.scenario),
               element("td", {}, `${job.years} × ${job.replicates}`), status, actions);
    return row;
  }));
  const busy = jobs.some((j) => ["queued", "running", "reporting"].includes(j.status) ||
                                (j.status === "done" && j.report === false));
  if (busy && !polling) polling = setInterval(refreshRuns, 1000);
  if (!busy && polling) { clearInterval(polling); polling = null; }
  if (shownRun) {
    const job = jobs.find((j) => j.id === shownRun);
    if (job && job.status === "done" && $("result").dataset.status !== "done") show(job.id);
    else if (job && job.report === true && $("report-pending")) {
      $("report-pending").replaceWith(downloadLink(job.id, ...DOWNLOADS[0]));
    }
    else if (job && job.status !== "done") $("result-intro").textContent = `${job.name}: ${statusText(job)}.`;
  }
  return jobs;
}

async function sideBySide() {
  const ids = [...document.querySelectorAll("#runs input:checked")].map((x) => x.value);
  const target = $("side-by-side");
  if (ids.length < 2) { target.replaceChildren(); return; }
  const jobs = await Promise.all(ids.map((id) => getJSON(`/api/runs/${id}`)));
  const table = element("table", {id: "side-by-side-table"});
  const head = element("tr");
  head.append(element("th", {scope: "col"}, "Outcome"), element("th", {scope: "col"}, "Baseline"));
  const where = (job) => `${job.council || job.scenario}, ${job.years} years × ${job.replicates}`;
  for (const job of jobs) {
    const th = element("th", {scope: "col"}, job.name);
    th.append(element("br"), element("small", {}, where(job)));
    head.append(th);
  }
  table.append(head);
  jobs[0].result.rows.forEach((row, k) => {
    const tr = element("tr");
    tr.append(element("td", {}, row.label), element("td", {class: "num"}, row.baseline));
    for (const job of jobs) {
      const r = job.result.rows[k];
      const cell = element("td", {class: `num ${r.class}`}, r.difference);
      cell.append(element("br"), element("small", {}, r.verdict));
      tr.append(cell);
    }
    table.append(tr);
  });
  const mixed = new Set(jobs.map(where)).size > 1;
  const note = element("p", {class: "note"}, mixed
    ? "These runs are of different places, lengths or replicates: each difference is against its own " +
      "baseline, and the Baseline column is the first run's."
    : "Each difference is against the same baseline, with its verdict.");
  target.replaceChildren(element("h3", {}, "Side by side"), note, table);
}

// --- a run's result ---------------------------------------------------------------------------------

const DOWNLOADS = [["report.html", "Report (HTML)"], ["policy.toml", "Policy (TOML)"],
                   ["comparison.csv", "Data (CSV)"], ["comparison.h5", "Data (HDF5)"]];

function downloadLink(id, name, label) {
  return element("a", {href: `/runs/${id}/${name}`, download: "", id: `download-${name.replace(".", "-")}`}, label);
}

async function show(id) {
  shownRun = id;
  history.replaceState(null, "", `#run=${id}`);
  const job = await getJSON(`/api/runs/${id}`);
  const section = $("result");
  section.hidden = false;
  section.dataset.status = job.status;
  $("result-title").textContent = `Result: ${job.name} (${job.council || job.scenario})`;
  for (const chart of charts.splice(0)) chart.destroy();
  $("charts").replaceChildren();
  $("outcomes").querySelector("tbody").replaceChildren();
  $("downloads").replaceChildren();
  if (job.status !== "done") {
    $("result-intro").textContent = `${job.name}: ${statusText(job)}.`;
    return;
  }
  const r = job.result;
  $("result-intro").textContent = `${r.replicates} paired replicates over ${r.weeks} weeks. Verdicts: better or ` +
    "worse when the 95% interval lies on one side of zero; no clear difference when it spans zero; costs as costs.";
  for (const [name, label] of DOWNLOADS) {
    if (name === "report.html" && job.report !== true) {
      const text = job.report === "failed" ? job.message : "The report is being written…";
      $("downloads").append(element("span", {id: job.report === "failed" ? "report-failed" : "report-pending"}, text),
                            " ");
      continue;
    }
    $("downloads").append(downloadLink(id, name, label), " ");
  }
  $("outcomes").querySelector("tbody").replaceChildren(...r.rows.map((row) => {
    const tr = element("tr", {"data-outcome": row.outcome});
    const label = element("td", {}, row.label);
    label.append(element("br"), element("small", {}, row.explain));
    tr.append(label, element("td", {class: "num"}, row.baseline), element("td", {class: "num"}, row.policy),
              element("td", {class: "num"}, row.difference),
              element("td", {class: "num"}, `${row.ci_low} to\n${row.ci_high}`),
              element("td", {class: `verdict ${row.class}`}, row.verdict));
    return tr;
  }));
  $("interval-note").textContent = r.interval;
  for (const spec of r.charts) drawChart(spec, r.labels);
}

function drawChart(spec, labels) {
  const figure = element("figure", {class: "chart"});
  const canvas = element("canvas", {role: "img", "aria-label": `${spec.title}: median and bands of each arm`});
  figure.append(element("h3", {}, spec.title), canvas, element("figcaption", {}, spec.caption));
  $("charts").append(figure);
  const datasets = [];
  for (const arm of spec.arms) {
    const [p5, p25, p50, p75, p95] = arm.bands;
    const faint = (alpha) => arm.colour + alpha;
    datasets.push({label: `${arm.label} 5%`, data: p5, borderWidth: 0, pointRadius: 0, fill: false});
    datasets.push({label: `${arm.label} 90% band`, data: p95, borderWidth: 0, pointRadius: 0, fill: "-1",
                   backgroundColor: faint("22")});
    datasets.push({label: `${arm.label} 25%`, data: p25, borderWidth: 0, pointRadius: 0, fill: false});
    datasets.push({label: `${arm.label} 50% band`, data: p75, borderWidth: 0, pointRadius: 0, fill: "-1",
                   backgroundColor: faint("44")});
    datasets.push({label: arm.label, data: p50, borderColor: arm.colour, backgroundColor: arm.colour,
                   borderWidth: 2, pointRadius: 0, fill: false});
  }
  charts.push(new Chart(canvas, {
    type: "line",
    data: {labels, datasets},
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, interaction: {mode: "index", intersect: false},
      scales: {y: {title: {display: true, text: spec.ylabel}}, x: {ticks: {maxTicksLimit: 8}}},
      plugins: {legend: {labels: {filter: (item) => !/%/.test(item.text)}}, tooltip: {enabled: true}},
    },
  }));
}

// --- start ------------------------------------------------------------------------------------------

async function start() {
  try {
    await loadLevers();
    await loadPlaces();
    $("form").addEventListener("submit", submit);
    await refreshRuns();
    const match = location.hash.match(/run=([0-9a-f]{12})/);
    if (match) await show(match[1]);
    document.body.dataset.ready = "1";
  } catch (error) {
    $("form-status").textContent = `The lab could not start the page: ${error.message}`;
    throw error;
  }
}

start();
